package arabic

import (
	"strings"
	"testing"
)

// TestHashtagsAndGluedWordsSplit: the words of a hashtag, of a CamelCase
// Latin hashtag, and words glued after a word-final letter (ة, ى) are
// tokens of their own, each with its span in the original text.
func TestHashtagsAndGluedWordsSplit(t *testing.T) {
	cases := []struct{ in, folded string }{
		{"#نطالب_بحرق_الطيار", "نطالب بحرق الطيار"},
		{"#RemainingAndExpanding", "remaining and expanding"},
		{"#WilayatHims x", "wilayat hims x"},
		{"#ISISNews", "isis news"},
		{"#ISIS #khilafah", "isis khilafah"},
		{"iPhoneX", "iphonex"}, // not a hashtag: one word
		{"الدولةالإسلامية", "الدوله الاسلاميه"},
		{"علىالارض", "علي الارض"},
		{"الدولةَالإسلامية", "الدوله الاسلاميه"}, // a diacritic stays with ة
		{"مدرسة عيسى", "مدرسه عيسي"},             // final letters at the end: nothing to split
		{"كتابة", "كتابه"},
	}
	for _, c := range cases {
		d := Analyze(c.in)
		if d.Folded != c.folded {
			t.Errorf("%q: folded %q, want %q", c.in, d.Folded, c.folded)
		}
		var words []string
		for _, tok := range d.Tokens {
			if tok.Start < 0 || tok.End > len(c.in) || tok.Start >= tok.End {
				t.Fatalf("%q: bad span %d:%d", c.in, tok.Start, tok.End)
			}
			words = append(words, tok.Text)
		}
		if got := strings.Join(words, " "); got != c.folded {
			t.Errorf("%q: tokens %q, want %q", c.in, got, c.folded)
		}
	}
	d := Analyze("#WilayatHims")
	if len(d.Tokens) != 2 || d.Original[d.Tokens[1].Start:d.Tokens[1].End] != "Hims" {
		t.Errorf("span of the second part: %+v", d.Tokens)
	}
	d = Analyze("الدولةالإسلامية")
	if len(d.Tokens) != 2 || d.Original[d.Tokens[1].Start:d.Tokens[1].End] != "الإسلامية" {
		t.Errorf("span of the glued word: %+v", d.Tokens)
	}
}
