package retrieve

import (
	"context"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/refdata"
)

// TestCheckThatDev trains on the training splits of both CheckThat! sets
// and checks the dev figures stay above floors set a little below the
// measured ones (docs/claims.md has the figures).
func TestCheckThatDev(t *testing.T) {
	ctx := context.Background()
	ar, err := eval.LoadArabic2021(refdata.Path(t, "claims/ar-ct2021-2a"))
	if err != nil {
		t.Fatal(err)
	}
	en, err := eval.LoadEnglish2022(refdata.Path(t, "claims/en-ct2022-2a"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ixAr := NewIndex(ar.Collection, Options{})
	ixEn := NewIndex(en.Collection, Options{})
	t.Logf("indexes built in %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	exs := append(Examples(ixAr, ar.Train), Examples(ixEn, en.Train)...)
	model := TrainModel(exs, TrainOptions{}, "test")
	t.Logf("trained in %s", time.Since(start).Round(time.Millisecond))

	for _, tc := range []struct {
		name           string
		ix             *Index
		split          eval.Split
		floor5, floor1 float64
	}{
		{"ar-2021-dev", ixAr, ar.Dev, 0.82, 0.80},
		{"en-2022-dev", ixEn, en.Dev, 0.92, 0.90},
		{"en-2022-dev-test", ixEn, *en.DevTest, 0.91, 0.88},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(rr Reranker) eval.Metrics {
				r, err := RunSplit(ctx, NewMatcher(tc.ix, rr), tc.split)
				if err != nil {
					t.Fatal(err)
				}
				return eval.Evaluate(tc.split.Qrels, r)
			}
			trained := run(model)
			t.Logf("first-stage recall@%d %.3f", tc.ix.opts.Candidates, FirstStageRecall(tc.ix, tc.split))
			t.Logf("first stage: %v", run(FirstStageOnly()))
			t.Logf("trained:     %v", trained)
			found, wrong, falseMatch, err := MatchRates(ctx, NewMatcher(tc.ix, model), tc.split, DefaultThreshold)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("at Prob ≥ %.1f: right claim signalled %.3f, wrong claim %.3f; with the claim left out, false match %.3f", DefaultThreshold, found, wrong, falseMatch)
			if trained.MAP[5] < tc.floor5 || trained.P1 < tc.floor1 {
				t.Errorf("MAP@5 %.4f / P@1 %.4f below the floors %.2f / %.2f", trained.MAP[5], trained.P1, tc.floor5, tc.floor1)
			}
		})
	}
}
