package retrieve

import (
	"context"
	"os"
	"strings"
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
			rates, err := MatchRates(ctx, NewMatcher(tc.ix, model), tc.split, DefaultThreshold, 0.7, 0.9)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rates {
				t.Logf("at Prob ≥ %.1f: right claim signalled %.3f, wrong claim %.3f; with the claim left out, false match %.3f", r.Threshold, r.Found, r.Wrong, r.FalseMatch)
			}
			if trained.MAP[5] < tc.floor5 || trained.P1 < tc.floor1 {
				t.Errorf("MAP@5 %.4f / P@1 %.4f below the floors %.2f / %.2f", trained.MAP[5], trained.P1, tc.floor5, tc.floor1)
			}
		})
	}
}

// TestOrdinaryTweetsRarelySignalled runs the claims detector's matcher over
// the CheckThat! 2021 1A Arabic dev tweets that annotators found NOT
// check-worthy (ordinary talk, prayers, opinions, news without a claim to
// check) against the Arabic fact-check collection: a signal there is an
// over-enforcement candidate (an upper bound: a few may truly repeat a
// checked claim).
func TestOrdinaryTweetsRarelySignalled(t *testing.T) {
	ar, err := eval.LoadArabic2021(refdata.Path(t, "claims/ar-ct2021-2a"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.ReadFile(refdata.Path(t, "checkworthy/CT21-AR-Dev-T1-Labels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(ar.Collection, Options{})
	m := NewMatcher(ix, TrainModel(Examples(ix, ar.Train), TrainOptions{}, "test"))
	var n, hits int
	for _, line := range strings.Split(string(f), "\n")[1:] {
		cols := strings.Split(line, "\t")
		if len(cols) != 6 || cols[5] != "0" {
			continue
		}
		n++
		hs, err := m.Match(context.Background(), cols[3], nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) > 0 && hs[0].Prob >= DefaultThreshold {
			hits++
		}
	}
	rate := float64(hits) / float64(n)
	t.Logf("%d of %d not-check-worthy tweets signalled (%.3f)", hits, n, rate)
	if n < 300 || rate > 0.08 {
		t.Errorf("%d of %d ordinary tweets signalled", hits, n)
	}
}
