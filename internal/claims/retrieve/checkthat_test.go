package retrieve

import (
	"context"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/refdata"
)

// evalBenchmark trains on the training split and returns the dev metrics
// of the first stage alone, the untrained fallback and the trained model.
func evalBenchmark(t *testing.T, b *eval.Benchmark) (first, fallback, trained eval.Metrics, recall float64) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	ix := NewIndex(b.Collection, Options{})
	t.Logf("%s: index of %d claims in %s", b.Name, ix.Len(), time.Since(start).Round(time.Millisecond))
	recall = FirstStageRecall(ix, b.Dev)
	byFirst := &LinearModel{Format: linearFormat, Features: FeatureNames, Mean: make([]float64, nFeatures), Std: ones(), Weights: make([]float64, nFeatures), PlattA: 1}
	byFirst.Weights[xFirst] = 1
	run := func(rr Reranker) eval.Metrics {
		r, err := RunSplit(ctx, NewMatcher(ix, rr), b.Dev)
		if err != nil {
			t.Fatal(err)
		}
		return eval.Evaluate(b.Dev.Qrels, r)
	}
	first = run(byFirst)
	fallback = run(DefaultModel())
	start = time.Now()
	m := Train(Examples(ix, b.Train), TrainOptions{})
	t.Logf("%s: trained in %s", b.Name, time.Since(start).Round(time.Millisecond))
	trained = run(m)
	for i, w := range m.Weights {
		t.Logf("  %-18s %+.3f", FeatureNames[i], w)
	}
	return
}

func ones() []float64 {
	s := make([]float64, nFeatures)
	for i := range s {
		s[i] = 1
	}
	return s
}

func TestCheckThatDev(t *testing.T) {
	for _, tc := range []struct {
		name   string
		load   func(string) (*eval.Benchmark, error)
		dir    string
		floor5 float64
	}{
		{"arabic-2021", eval.LoadArabic2021, "claims/ar-ct2021-2a", 0},
		{"english-2022", eval.LoadEnglish2022, "claims/en-ct2022-2a", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.load(refdata.Path(t, tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			first, fallback, trained, recall := evalBenchmark(t, b)
			t.Logf("first-stage recall@%d %.3f", 50, recall)
			t.Logf("first stage: %v", first)
			t.Logf("fallback:    %v", fallback)
			t.Logf("trained:     %v", trained)
			if trained.MAP[5] < tc.floor5 {
				t.Errorf("MAP@5 %.4f below the floor %.2f", trained.MAP[5], tc.floor5)
			}
		})
	}
}
