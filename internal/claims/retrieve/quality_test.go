package retrieve

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/demo"
	"github.com/basira-org/basira/internal/refdata"
)

// The benchmarks and the model 'basira claims train' makes by default
// (every training split of the reference data), built once for the tests
// of this file.
var (
	qualityOnce sync.Once
	qualityB    []*eval.Benchmark
	qualityIx   []*Index
	qualityM    *Model
	qualityErr  error
)

func qualityModel(t *testing.T) ([]*eval.Benchmark, []*Index, *Model) {
	t.Helper()
	dirs := []string{refdata.Path(t, "claims/ar-ct2021-2a"), refdata.Path(t, "claims/en-ct2022-2a"), refdata.Path(t, "claims/ar-ans")}
	qualityOnce.Do(func() {
		loaders := []func(string) (*eval.Benchmark, error){eval.LoadArabic2021, eval.LoadEnglish2022, eval.LoadANS}
		var exs []Example
		for i, load := range loaders {
			b, err := load(dirs[i])
			if err != nil {
				qualityErr = err
				return
			}
			ix := NewIndex(b.Collection, Options{})
			qualityB = append(qualityB, b)
			qualityIx = append(qualityIx, ix)
			exs = append(exs, Examples(ix, b.Train)...)
		}
		qualityM = TrainModel(exs, TrainOptions{}, "test")
	})
	if qualityErr != nil {
		t.Fatal(qualityErr)
	}
	return qualityB, qualityIx, qualityM
}

// demoRumours are the demo's rumour posts (internal/demo/extra.jsonl,
// d07-d09) and Darija and Arabizi rewordings of them written for this
// test, with the demo fact-check each repeats.
func demoRumours(t *testing.T) []struct{ text, claim string } {
	f, err := os.Open(filepath.Join("..", "..", "demo", "extra.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{"d07": "demo-fc-1", "d08": "demo-fc-1", "d09": "demo-fc-2"}
	var out []struct{ text, claim string }
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p struct{ ID, Text string }
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if c, ok := want[p.ID]; ok {
			out = append(out, struct{ text, claim string }{p.Text, c})
		}
	}
	if len(out) != 3 {
		t.Fatalf("demo rumours: %d of 3 found", len(out))
	}
	for _, r := range [][2]string{
		{"الحكومة غادي تقطع لانترنيت على المغاربة سيمانة كاملة", "demo-fc-1"},
		{"ghadi y9t3o l'internet 3la lmaghrib kaml simana", "demo-fc-1"},
		{"شوفو الطيارات ديال الحرب فوق الرباط اليوم", "demo-fc-3"},
		{"tsawer dyal tayarat 7arbiya fo9 rbat lyoum", "demo-fc-3"},
	} {
		out = append(out, struct{ text, claim string }{r[0], r[1]})
	}
	return out
}

// TestTrainedNotBelowFallback: the model 'basira claims train' makes must
// not do worse than the untrained fallback: not on the demo's rumours and
// their Darija and Arabizi rewordings (match probability), and not on any
// dev split (MAP@5); the demo's MSA and French rumours stay over the signal
// threshold. It also holds the calibration target: a post whose
// claim was never checked gets a signal at most 5% of the time on the ANS
// paraphrase dev split.
func TestTrainedNotBelowFallback(t *testing.T) {
	bs, ixs, model := qualityModel(t)
	ctx := context.Background()

	fcs, err := demo.FactChecks()
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(fcs, Options{})
	trained, fallback := NewMatcher(ix, model), NewMatcher(ix, nil)
	prob := func(m *Matcher, text, id string) float64 {
		hits, err := m.Match(ctx, text, nil, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Claim.ID == id {
				return h.Prob
			}
		}
		return 0
	}
	for i, r := range demoRumours(t) {
		pt, pf := prob(trained, r.text, r.claim), prob(fallback, r.text, r.claim)
		t.Logf("%-60.60s trained %.3f fallback %.3f", r.text, pt, pf)
		if pt < pf-0.02 {
			t.Errorf("%q: trained %.3f below the fallback's %.3f", r.text, pt, pf)
		}
		if (i == 0 || i == 2) && pt < DefaultThreshold {
			// The demo's MSA and French rumours (the Darija one, d08, and
			// the rewordings are held to the fallback only).
			t.Errorf("demo rumour %q: %.3f, below the signal threshold", r.text, pt)
		}
	}

	for i, b := range bs {
		splits := map[string]eval.Split{"dev": b.Dev}
		if b.DevTest != nil {
			splits["dev-test"] = *b.DevTest
		}
		for name, s := range splits {
			mt := evalRun(t, ixs[i], model, s)
			mf := evalRun(t, ixs[i], DefaultModel(), s)
			rates, err := MatchRates(ctx, NewMatcher(ixs[i], model), s, DefaultThreshold)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s: MAP@5 trained %.4f fallback %.4f; at 0.5 right %.3f wrong %.3f absent→signal %.3f",
				b.Name, name, mt.MAP[5], mf.MAP[5], rates[0].Found, rates[0].Wrong, rates[0].FalseMatch)
			if mt.MAP[5] < mf.MAP[5] {
				t.Errorf("%s %s: trained MAP@5 %.4f below the fallback's %.4f", b.Name, name, mt.MAP[5], mf.MAP[5])
			}
			if b.Name == "ar-ans" && rates[0].FalseMatch > 0.05 {
				t.Errorf("ANS dev: %.3f of never-checked claims signalled, target 0.05", rates[0].FalseMatch)
			}
		}
	}
}

func evalRun(t *testing.T, ix *Index, rr Reranker, s eval.Split) eval.Metrics {
	t.Helper()
	run, err := RunSplit(context.Background(), NewMatcher(ix, rr), s)
	if err != nil {
		t.Fatal(err)
	}
	return eval.Evaluate(s.Qrels, run)
}
