package entities

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/refdata"
)

// readJSONL returns the text of every line of a JSONL file of the
// reference data whose label is label ("" for any).
func readJSONL(tb testing.TB, rel, label string) []string {
	tb.Helper()
	f, err := os.Open(refdata.Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r struct{ Text, Label string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatal(err)
		}
		if label == "" || r.Label == label {
			out = append(out, r.Text)
		}
	}
	return out
}

// readColumn returns column col of a TSV of the reference data, without
// its header.
func readColumn(tb testing.TB, rel string, col int) []string {
	tb.Helper()
	f, err := os.Open(refdata.Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Scan()
	for sc.Scan() {
		if c := strings.Split(sc.Text(), "\t"); len(c) > col {
			out = append(out, c[col])
		}
	}
	return out
}

// plainRate is the share of posts with at least one plain (not shared)
// name.
func plainRate(s *Set, posts []string) float64 {
	n := 0
	for _, p := range posts {
		for _, h := range s.Find(arabic.Analyze(p)) {
			if !h.Shared {
				n++
				break
			}
		}
	}
	return float64(n) / float64(len(posts))
}

// TestRealData: on real tweets, names are common in pro-ISIS posts and
// rare elsewhere. The figures are evidence rates, not detection: news
// names these groups too (the few Darija and check-worthiness posts with a
// name mostly talk about داعش), which is why a name is never a verdict.
func TestRealData(t *testing.T) {
	s := builtinSet(t)
	isis := plainRate(s, readJSONL(t, "extremism/alfifi-train.jsonl", "isis"))
	none := plainRate(s, readJSONL(t, "extremism/alfifi-train.jsonl", "none"))
	english := plainRate(s, readJSONL(t, "extremism/fifthtribe-dev.jsonl", ""))
	darija := plainRate(s, readColumn(t, "darija/ElecMorocco2016.tsv", 1))
	news := plainRate(s, readColumn(t, "checkworthy/CT21-AR-Train-T1-Labels.tsv", 3))
	t.Logf("posts naming an entity: alfifi isis %.3f, alfifi none %.3f, fifthtribe %.3f, ElecMorocco %.4f, CT21 check-worthiness %.4f", isis, none, english, darija, news)
	if isis < 0.45 || none > 0.01 || english < 0.15 || darija > 0.005 || news > 0.005 {
		t.Errorf("rates moved: isis %.3f (want >= 0.45), none %.3f (<= 0.01), fifthtribe %.3f (>= 0.15), ElecMorocco %.4f (<= 0.005), CT21 %.4f (<= 0.005)", isis, none, english, darija, news)
	}
}
