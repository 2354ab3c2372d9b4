package textsig

import (
	"errors"
	"strings"
	"testing"
)

func TestNearDuplicates(t *testing.T) {
	orig := "الجيش يعلن السيطرة الكاملة على المدينة بعد معارك عنيفة استمرت ثلاثة أيام في الأحياء الشمالية"
	tests := []struct {
		name string
		text string
		dup  bool
	}{
		{"same", orig, true},
		{"emojis, hashtags, link", "🔥🔥 " + orig + " #عاجل #خبر https://t.co/abc123 👇", true},
		{"evasion spelling", "الجيــــش يعلن السيطرة الكااااملة على المدينة بعد معارك عنيفة استمرت ثلاثة ايام في الاحياء الشمالية", true},
		{"words moved", "يعلن الجيش السيطرة الكاملة على المدينة بعد معارك عنيفة استمرت ثلاثة أيام في الأحياء الشمالية", true},
		{"other text", "ارتفاع أسعار الخضر في الأسواق المغربية مع بداية شهر رمضان حسب تقرير المندوبية السامية للتخطيط", false},
	}
	a, err := Of(orig)
	if err != nil {
		t.Fatal(err)
	}
	x := NewIndex()
	x.Add(7, a)
	for _, tt := range tests {
		b, err := Of(tt.text)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		sim := Similarity(&a, &b)
		got := x.Query(&b, DefaultThreshold)
		if (len(got) == 1 && got[0].ID == 7) != tt.dup {
			t.Errorf("%s: similarity %.2f, matches %v, want duplicate %v", tt.name, sim, got, tt.dup)
		}
	}
	if !x.Remove(7) || x.Len() != 0 || len(x.Query(&a, 0)) != 0 {
		t.Error("Remove left the signature behind")
	}
}

func TestShortText(t *testing.T) {
	if _, err := Of("الله أكبر"); !errors.Is(err, ErrTooShort) {
		t.Errorf("two words: err = %v, want ErrTooShort", err)
	}
}

func TestSignatureText(t *testing.T) {
	sig, err := Of("نص تجريبي طويل بما يكفي لحساب التوقيع المميز لهذا المنشور")
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSignature(sig.String())
	if err != nil || back != sig {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "mh1:zz", "mh2:" + sig.String()[4:], sig.String()[:100]} {
		if _, err := ParseSignature(bad); err == nil {
			t.Errorf("ParseSignature(%.20q) accepted", bad)
		}
	}
}

func BenchmarkOf(b *testing.B) {
	text := "لن نتخلى عن فلسطين ولا عن شعب فلسطين ولا عن مقدسات الأمة في فلسطين #صفقة_القرن_لن_تمر https://t.co/fDS8C8JNjU"
	for b.Loop() {
		if _, err := Of(text); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzText feeds arbitrary text to the signature and to the signature
// parser (bank files hold both forms): no panic, and a parsed signature
// prints back to the same text.
func FuzzText(f *testing.F) {
	f.Add("انضموا إلى صفوف المجاهدين في الجبهة الآن #عاجل https://t.co/x @someone")
	f.Add("mh1:" + strings.Repeat("0f", 512))
	f.Add("\u200f\u0640\u0640 ١٢٣ 😡😡 ")
	f.Fuzz(func(t *testing.T, s string) {
		if sig, err := Of(s); err == nil && Similarity(&sig, &sig) != 1 {
			t.Fatal("a signature is not similar to itself")
		}
		if sig, err := ParseSignature(s); err == nil {
			if back, err := ParseSignature(sig.String()); err != nil || back != sig {
				t.Fatalf("round trip of %q failed", s)
			}
		}
	})
}
