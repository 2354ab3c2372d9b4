package classify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/refdata"
)

func shippedOffensive(t *testing.T) *classify.Model {
	t.Helper()
	for _, m := range shipped(t) {
		if m.Name() == "offensive" {
			return m
		}
	}
	t.Fatal("no shipped offensive model")
	return nil
}

// TestOffensiveReadsDarija: Moroccan insults written for this test (none
// of them in the training data), in Arabic script and Arabizi, are
// offensive for the shipped model and most are flagged; supplications and
// everyday Darija, also written for this test, are not flagged.
func TestOffensiveReadsDarija(t *testing.T) {
	m := shippedOffensive(t)
	flag, decision := m.Info().Labels[0].Flag, m.Info().Labels[0].Decision
	flagged := 0
	insults := []string{
		"واش نتا حمار ولا كتدير راسك ما فاهمش",
		"هاد الزامل ماعندو لا حشمة لا حيا",
		"ولاد القحبة كيشفرو فلوس الشعب",
		"tfou 3lik a l7mar",
		"sir t9ewed a zamel dyal zmer",
		"شوف هاد القحبة فين وصلات",
	}
	for _, text := range insults {
		s := m.Score(arabic.Analyze(text))
		if s < decision {
			t.Errorf("%q: score %.3f below the decision threshold %.3f", text, s, decision)
		}
		if s >= flag {
			flagged++
		}
	}
	// The flag threshold is set for precision 0.95 on tweets: not every
	// insult reaches it (docs/models.md).
	if flagged < len(insults)/2 {
		t.Errorf("%d of %d insults flagged (threshold %.3f), want half", flagged, len(insults), flag)
	}
	for _, text := range []string{
		"حسبنا الله ونعم الوكيل يا رب",
		"حسبي الله ونعم الوكيل على هاد الحال",
		"لا حول ولا قوة الا بالله الله يرحم الضحايا",
		"الله يهدي الشباب ديالنا",
		"الكلب ديال الجيران كينبح الليل كامل",
		"المدرب قال الفريق لعب مزيان وخاصنا نزيدو",
		"bghit nmchi l sou9 m3a khouya",
	} {
		if s := m.Score(arabic.Analyze(text)); s >= flag {
			t.Errorf("%q: score %.3f at or above the flag threshold %.3f", text, s, flag)
		}
	}
}

// TestOffensiveOnOMCD measures the shipped offensive model on the OMCD
// Moroccan YouTube comments (evaluation only: the model never saw them)
// and keeps the figures of docs/models.md from regressing.
func TestOffensiveOnOMCD(t *testing.T) {
	path := refdata.Path(t, filepath.Join("darija", "omcd", "train.jsonl"))
	m := shippedOffensive(t)
	exs, _, _, err := classify.ReadFile(path, classify.ReadOptions{Format: "jsonl", TextCol: "text", LabelCol: "label"})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := classify.Evaluate(m, exs, 0)
	var off classify.ClassFigures
	for _, c := range r.Classes {
		if c.Label == "OFF" {
			off = c
		}
	}
	if off.AtFlag == nil {
		t.Fatal("no figures at the flag threshold")
	}
	t.Logf("OMCD: macro-F1 %.4f, OFF precision %.3f recall %.3f; at the flag threshold precision %.3f recall %.3f",
		r.MacroF1, off.Precision, off.Recall, off.AtFlag.Precision, off.AtFlag.Recall)
	if r.MacroF1 < 0.635 || off.AtFlag.Precision < 0.90 || off.AtFlag.Recall < 0.27 {
		t.Errorf("OMCD: macro-F1 %.4f (want 0.635), precision at flag %.3f (want 0.90), recall at flag %.3f (want 0.27)",
			r.MacroF1, off.AtFlag.Precision, off.AtFlag.Recall)
	}
}

// TestOffensiveDarijaEveryday: everyday Darija is not flagged by the
// shipped offensive model — the DODa Arabizi sentences held out of its
// training (arabic.HeldOut) and the DODa v2 sentences in Arabic script
// (CC BY-NC, read in place, never trained on): at most 1% of each at the
// flag threshold (issue 11's bar for benign families).
func TestOffensiveDarijaEveryday(t *testing.T) {
	dir := filepath.Dir(refdata.Path(t, filepath.Join("arabic", "arabizi")))
	m := shippedOffensive(t)
	flag := m.Info().Labels[0].Flag
	mit, err := os.ReadFile(filepath.Join(dir, "arabizi", "doda_mit_sentences_arabizi_english.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var heldOut []string
	for i, l := range nonComment(string(mit)) {
		if arabic.HeldOut(i) {
			az, _, _ := strings.Cut(l, "\t")
			heldOut = append(heldOut, az)
		}
	}
	v2, err := os.ReadFile(filepath.Join(dir, "arabizi", "doda_v2_sentence_pairs_sample1000.CC-BY-NC-4.0.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var script []string
	for _, l := range nonComment(string(v2)) {
		if f := strings.Split(l, "\t"); len(f) >= 2 {
			script = append(script, f[1])
		}
	}
	for _, set := range []struct {
		name  string
		texts []string
	}{{"DODa Arabizi sentences (held out)", heldOut}, {"DODa v2 sentences, Arabic script", script}} {
		n := 0
		for _, x := range set.texts {
			if m.Score(arabic.Analyze(x)) >= flag {
				n++
			}
		}
		rate := float64(n) / float64(max(len(set.texts), 1))
		t.Logf("%s: %d of %d flagged (%.2f%%)", set.name, n, len(set.texts), 100*rate)
		if len(set.texts) < 500 || rate > 0.01 {
			t.Errorf("%s: %d of %d flagged; want at most 1%%", set.name, n, len(set.texts))
		}
	}
}

// nonComment returns the non-empty lines of s that are not # comments.
func nonComment(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// TestShippedModelsPerLanguage: every shipped model, on inoffensive text
// of each language Basira reads, none of it training data of any shipped
// model: MSA news headlines (ANS), Darija in Arabic script and in Arabizi
// (DODa v2, CC BY-NC, read in place), French and English (MLMA tweets
// labelled normal). At most 1% of each is flagged. Levantine and Egyptian
// tweets labelled normal (L-HSAB, Mubarak 2017) hold unlabelled insults
// and are out of the models' domain: at most 3%, as a regression guard
// (docs/models.md has the figures).
func TestShippedModelsPerLanguage(t *testing.T) {
	dir := filepath.Dir(refdata.Path(t, "abuse"))
	type set struct {
		name, file string
		read       classify.ReadOptions
		keep       string // the label kept, "" for all
		max        float64
	}
	doda := "arabic/arabizi/doda_v2_sentence_pairs_sample1000.CC-BY-NC-4.0.tsv"
	sets := []set{
		{"MSA: ANS news headlines", "claims/ar-ans/collection.tsv", classify.ReadOptions{Format: "tsv", TextCol: "vclaim", LabelCol: "vclaim_id"}, "", 0.01},
		{"Darija, Arabic script: DODa v2", doda, classify.ReadOptions{Format: "tsv", TextCol: "2", LabelCol: "3"}, "", 0.01},
		{"Arabizi: DODa v2", doda, classify.ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "3"}, "", 0.01},
		{"French: MLMA normal", "abuse/mlma/hate_speech_mlma/fr_dataset.csv", classify.ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment"}, "normal", 0.01},
		{"English: MLMA normal", "abuse/mlma/hate_speech_mlma/en_dataset.csv", classify.ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment"}, "normal", 0.01},
		{"Levantine: L-HSAB normal", "abuse/l-hsab/L-HSAB.tsv", classify.ReadOptions{Format: "tsv", TextCol: "Tweet", LabelCol: "Class"}, "normal", 0.03},
		{"Egyptian: Mubarak 2017 tweets, clean", "abuse/mubarak2017_aj_tweets/tweet-classification.tsv", classify.ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "dialect"}, "0", 0.03},
	}
	models := shipped(t)
	for _, s := range sets {
		exs, _, _, err := classify.ReadFile(filepath.Join(dir, s.file), s.read)
		if err != nil {
			t.Fatal(err)
		}
		var docs []*arabic.Doc
		for _, e := range exs {
			if strings.HasPrefix(e.Text, "#") || s.keep != "" && (len(e.Labels) == 0 || e.Labels[0] != s.keep) {
				continue
			}
			docs = append(docs, arabic.Analyze(e.Text))
		}
		if len(docs) < 400 {
			t.Fatalf("%s: %d texts", s.name, len(docs))
		}
		for _, m := range models {
			n := 0
			for _, d := range docs {
				if len(m.Predict(d).Flagged) > 0 {
					n++
				}
			}
			rate := float64(n) / float64(len(docs))
			t.Logf("%-10s %-38s %5d texts %4d flagged (%.2f%%)", m.Name(), s.name, len(docs), n, 100*rate)
			if rate > s.max {
				t.Errorf("%s on %s: %.2f%% flagged, want at most %.0f%%", m.Name(), s.name, 100*rate, 100*s.max)
			}
		}
	}
}
