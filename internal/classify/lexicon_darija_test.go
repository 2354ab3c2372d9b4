package classify

import (
	"bytes"
	"slices"
	"testing"

	"github.com/basira-org/basira/arabic"
)

func darijaLexCats(t *testing.T, text string) []string {
	t.Helper()
	e := newExtractor(FeatureConfig{Version: FeatureVersionLexicon, Bits: 18, Lexicon: "darija-abuse-1"})
	var got []string
	e.explain = func(h hashed, kind, txt string) {
		if kind == "lexicon" {
			got = append(got, txt)
		}
	}
	e.extract(arabic.Analyze(text))
	return got
}

// TestLexiconFeatures: words of the Darija abuse lexicon give their
// category, as written, behind clitics, in Arabizi and as two-word
// entries; an Arabizi entry is matched as written, never through a
// transliteration that is an MSA word (t9ewed → تقود, "leads").
func TestLexiconFeatures(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"يا حمار", []string{"insult"}},
		{"والحمار", []string{"insult"}}, // behind a proclitic
		{"nta 7mar", []string{"insult"}},
		{"sir t9ewed", []string{"vulgar"}},
		{"الله ينعل بوك", []string{"curse"}},
		{"غانقتلك", []string{"threat"}},
		{"يا ولد الحرام", []string{"insult"}},
		{"الجزائرية حكيمة أول امرأة تقود طائرة", nil}, // MSA تقود
		{"ولد صغير مشى للمدرسة", nil},                 // ولد alone is no entry
		{"حسبنا الله ونعم الوكيل", nil},
	} {
		if got := darijaLexCats(t, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q: lexicon features %v, want %v", c.text, got, c.want)
		}
	}
}

// TestLexiconConfig: a model naming an unknown lexicon is refused, and
// DefaultFeatures (every model trained before lexicons) has none.
func TestLexiconConfig(t *testing.T) {
	c := DefaultFeatures()
	if c.Lexicon != "" {
		t.Fatalf("DefaultFeatures has lexicon %q", c.Lexicon)
	}
	c.Version = FeatureVersionLexicon
	c.Lexicon = "no-such-lexicon"
	if err := c.Validate(); err == nil {
		t.Error("unknown lexicon accepted")
	}
	c.Lexicon = "darija-abuse-1"
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	c.Version = FeatureVersion
	if err := c.Validate(); err == nil {
		t.Error("a lexicon accepted without FeatureVersionLexicon")
	}
}

// TestLexiconTemplates: the template posts are labelled OFF, keep an
// Arabizi entry in Latin letters, and are the same on every run.
func TestLexiconTemplates(t *testing.T) {
	ctx := []string{"lyoum mcha l sou9", "bghit nakol"}
	a, b := lexiconTemplates("darija-abuse-1", ctx), lexiconTemplates("darija-abuse-1", ctx)
	if string(a) != string(b) {
		t.Fatal("templates differ between runs")
	}
	exs, bad, err := ReadExamples(bytes.NewReader(a), ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "label"})
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	latin := false
	for _, ex := range exs {
		if ex.Labels[0] != "OFF" {
			t.Fatalf("%q labelled %v", ex.Text, ex.Labels)
		}
		latin = latin || ex.Text == "ya zamel"
	}
	if len(exs) < 300 || !latin {
		t.Errorf("%d templates (want 300+), Arabizi entry in Latin letters: %v", len(exs), latin)
	}
}
