package classify

import (
	"bytes"
	"slices"
	"testing"

	"github.com/basira-org/basira/arabic"
)

func darijaLexCats(t *testing.T, text string) []string {
	t.Helper()
	return namedLexCats(t, "darija-abuse-1", text)
}

func namedLexCats(t *testing.T, lexicon, text string) []string {
	t.Helper()
	e := newExtractor(FeatureConfig{Version: FeatureVersionLexicon, Bits: 18, Lexicon: lexicon})
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

// TestLexiconV2: version 2 finds vulgar words behind a possessive ending
// and Moroccan curses, and no longer reads everyday words that version 1
// took for abuse (khra "other", ختك "your sister", تندم "regret"); an
// insult noun with an ending (كلبي "my dog") stays unread.
func TestLexiconV2(t *testing.T) {
	for _, c := range []struct {
		text        string
		want, want1 []string
	}{
		{"ترمتك", []string{"vulgar"}, nil},
		{"الله يمسخك", []string{"curse", "curse"}, []string{"curse"}}, // the pair and the verb
		{"سيري الله امسخك", []string{"curse", "curse"}, nil},
		{"mn jiha khra", nil, []string{"vulgar"}},
		{"واش ماعندك شي ختك لزواج", nil, []string{"vulgar"}},
		{"غادي تندم من بعد", nil, []string{"threat"}},
		{"كلبي مريض", nil, nil},
		{"يا حمار", []string{"insult"}, []string{"insult"}},
	} {
		if got := namedLexCats(t, "darija-abuse-2", c.text); !slices.Equal(got, c.want) {
			t.Errorf("v2 %q: lexicon features %v, want %v", c.text, got, c.want)
		}
		if got := darijaLexCats(t, c.text); !slices.Equal(got, c.want1) {
			t.Errorf("v1 %q: lexicon features %v, want %v", c.text, got, c.want1)
		}
	}
	for w, want := range map[string]string{"ترمتك": "ترمه", "زبك": "", "حمارهم": "حمار", "abc": ""} {
		got, _ := stripEnding(arabic.Fold(w))
		if got != want {
			t.Errorf("stripEnding(%s) = %q, want %q", w, got, want)
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
