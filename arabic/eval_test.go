package arabic

import (
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

func refdataPath(t *testing.T, rel string) string { return refdata.Path(t, rel) }

// Thresholds sit a little below the figures measured when the model was
// trained (see docs/text-engine.md); a drop below them is a regression.
func TestLangIDAccuracy(t *testing.T) {
	dir := refdata.Path(t, "langid")
	rows, err := EvalLangID(dir[:len(dir)-len("/langid")])
	if err != nil {
		t.Fatal(err)
	}
	min := map[string]float64{
		"lingua sentences ar (held-out)":           0.85,
		"lingua sentences fr (held-out)":           0.97,
		"lingua sentences en (held-out)":           0.97,
		"lingua sentences fa (held-out)":           0.95,
		"lingua sentences ur (held-out)":           0.93,
		"lingua word-pairs fr (held-out)":          0.88,
		"lingua word-pairs en (held-out)":          0.70,
		"DODa MIT Arabizi sentences (held-out)":    0.98,
		"DODa v2 sentences, Arabizi side":          0.97,
		"DODa v2 sentences, Arabic-script side":    0.62,
		"HaifaCLG sentences, only Arabizi":         0.83,
		"HaifaCLG sentences, only English":         0.80,
		"HaifaCLG sentences, only Arabic script":   0.80,
		"ElecMorocco2016 comments (Arabic script)": 0.84,
		"ElecMorocco hand-labelled dev, MSA":       0.86,
		"ElecMorocco hand-labelled dev, Darija":    0.55,
		"ElecMorocco hand-labelled test, MSA":      0.85,
		"ElecMorocco hand-labelled test, Darija":   0.55,
	}
	for _, r := range rows {
		t.Logf("%-42s %-8s n=%-5d acc=%.3f  %s", r.Set, r.Expect, r.N, r.Accuracy(), SortedCounts(r.Got))
		if m, ok := min[r.Set]; ok {
			if r.Accuracy() < m {
				t.Errorf("%s: accuracy %.3f below %.2f", r.Set, r.Accuracy(), m)
			}
			delete(min, r.Set)
		}
	}
	for s := range min {
		t.Errorf("evaluation set %q not reported", s)
	}
}

func TestTranslitCER(t *testing.T) {
	dir := refdata.Path(t, "arabic")
	rows, err := EvalTranslit(dir[:len(dir)-len("/arabic")])
	if err != nil {
		t.Fatal(err)
	}
	maxCER := map[string]float64{
		"DODa MIT word pairs (single words)": 0.24,
		"DODa v2 word pairs":                 0.08,
		"DODa v2 sentence pairs":             0.02,
	}
	for _, r := range rows {
		t.Logf("%-36s n=%-6d CER=%.3f top1=%.3f top5=%.3f skeleton=%.3f", r.Set, r.N, r.CER, r.Top1, r.Top5, r.Skeleton)
		if m, ok := maxCER[r.Set]; ok && r.CER > m {
			t.Errorf("%s: CER %.3f above %.2f", r.Set, r.CER, m)
		}
		if r.Top5 > 0 && (r.Top5 < 0.75 || r.Skeleton < 0.82) {
			t.Errorf("%s: top-5 %.3f (want >= 0.75), skeleton %.3f (want >= 0.82)", r.Set, r.Top5, r.Skeleton)
		}
	}
}
