package arabic_test

import (
	"fmt"

	"github.com/basira-org/basira/arabic"
)

func ExampleAnalyze() {
	text := "انضموا الى د ا ع ش و لداااعش"
	d := arabic.Analyze(text)
	fmt.Println(d.Folded)
	for _, t := range d.Tokens {
		fmt.Printf("%s %q base=%q\n", t.Text, text[t.Start:t.End], t.Base)
	}
	// Output:
	// انضموا الي داعش و لداعش
	// انضموا "انضموا" base=""
	// الي "الى" base=""
	// داعش "د ا ع ش" base=""
	// و "و" base=""
	// لداعش "لداااعش" base="داعش"
}

func ExampleFold() {
	fmt.Println(arabic.Fold("مر\u200bحبا pаypаl salaaaam ١٢٣"))
	// Output: مرحبا paypal salam 123
}

func ExampleNormalizeWith() {
	fmt.Println(arabic.Normalize("أَحْمَدُ في المدرسة"))
	fmt.Println(arabic.NormalizeWith("أَحْمَدُ في المدرسة", arabic.NormalizeOptions{KeepTehMarbuta: true}))
	// Output:
	// احمد في المدرسه
	// احمد في المدرسة
}

func ExampleTranslitCandidates() {
	fmt.Println(arabic.Translit("salam 3likom"))
	fmt.Println(arabic.TranslitCandidates("kalb", 3))
	// Output:
	// سالام عليكوم
	// [كالب كلب قالب]
}

func ExampleDetectLang() {
	fmt.Println(arabic.DetectLang("واش كاين شي جديد على هاد الموضوع؟"))
	fmt.Println(arabic.DetectLang("wach kayn chi jdid 3la had lmawdou3"))
	// Output:
	// ary
	// ary-Latn
}
