package retrieve

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/refdata"
)

// crossValidate returns the mean metrics of k-fold cross-validation on a
// training split: design choices are made on this, never on dev.
func crossValidate(t *testing.T, ix *Index, s eval.Split, folds int, extra []Example) eval.Metrics {
	exs := Examples(ix, s)
	var sum eval.Metrics
	sum.MAP = map[int]float64{}
	for f := range folds {
		train := append([]Example(nil), extra...)
		test := eval.Split{Qrels: eval.Qrels{}}
		for i, q := range s.Queries {
			if i%folds == f {
				test.Queries = append(test.Queries, q)
				test.Qrels[q.ID] = s.Qrels[q.ID]
			} else {
				// Examples gives two examples per query (with and
				// without its relevant claims).
				train = append(train, exs[2*i], exs[2*i+1])
			}
		}
		m := Train(train, TrainOptions{})
		run, err := RunSplit(context.Background(), NewMatcher(ix, m), test)
		if err != nil {
			t.Fatal(err)
		}
		r := eval.Evaluate(test.Qrels, run)
		for k, v := range r.MAP {
			sum.MAP[k] += v / float64(folds)
		}
		sum.P1 += r.P1 / float64(folds)
		sum.MRR += r.MRR / float64(folds)
		sum.Queries += r.Queries
	}
	return sum
}

// TestExperimentCV reports cross-validated figures on the training splits.
// It is for development (BASIRA_CLAIMS_EXPERIMENT=1), not CI.
func TestExperimentCV(t *testing.T) {
	if os.Getenv("BASIRA_CLAIMS_EXPERIMENT") == "" {
		t.Skip("set BASIRA_CLAIMS_EXPERIMENT=1 to run the cross-validation experiment")
	}
	ar, err := eval.LoadArabic2021(refdata.Path(t, "claims/ar-ct2021-2a"))
	if err != nil {
		t.Fatal(err)
	}
	en, err := eval.LoadEnglish2022(refdata.Path(t, "claims/en-ct2022-2a"))
	if err != nil {
		t.Fatal(err)
	}
	gs, _ := strconv.Atoi(os.Getenv("GRAM"))
	nc, _ := strconv.Atoi(os.Getenv("CANDS"))
	ixAr := NewIndex(ar.Collection, Options{GramSize: gs, Candidates: nc})
	ixEn := NewIndex(en.Collection, Options{GramSize: gs, Candidates: nc})
	exAr, exEn := Examples(ixAr, ar.Train), Examples(ixEn, en.Train)
	t.Logf("ar CV: %v", crossValidate(t, ixAr, ar.Train, 5, nil))
	t.Logf("en CV: %v", crossValidate(t, ixEn, en.Train, 5, nil))
	t.Logf("ar+en CV: %v", crossValidate(t, ixAr, ar.Train, 5, exEn))
	t.Logf("en+ar CV: %v", crossValidate(t, ixEn, en.Train, 5, exAr))
}
