package retrieve

import (
	"context"

	"github.com/basira-org/basira/internal/claims/eval"
)

// QueryText analyses an evaluation query; the date is read from the end of
// a quoted tweet when there is one.
func QueryText(q eval.Query) *Text { return Analyze(q.Text, TrailingDate(q.Text)) }

// Examples builds training examples from a split: the candidates of each
// query with their relevance, and the candidates of the query with its
// relevant claims left out of the index (all irrelevant).
func Examples(ix *Index, s eval.Split) []Example {
	exs := make([]Example, 0, len(s.Queries))
	for _, q := range s.Queries {
		t := QueryText(q)
		cands := ix.Candidates(t)
		rel := make([]bool, len(cands))
		for i, c := range cands {
			rel[i] = s.Qrels[q.ID][c.Claim.ID]
		}
		exs = append(exs, Example{Cands: cands, Relevant: rel, Arabic: t.Arabic})
		// The same post as if its claim had never been checked: every
		// candidate is wrong, which teaches Prob to stay low.
		out := ix.CandidatesExcluding(t, s.Qrels[q.ID])
		exs = append(exs, Example{Cands: out, Relevant: make([]bool, len(out)), Arabic: t.Arabic})
	}
	return exs
}

// RunSplit ranks the claims for every query of a split.
func RunSplit(ctx context.Context, m *Matcher, s eval.Split) (eval.Run, error) {
	run := eval.Run{}
	for _, q := range s.Queries {
		hits, err := m.MatchText(ctx, q.Text, QueryText(q), 0)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.Claim.ID
		}
		run[q.ID] = ids
	}
	return run, nil
}

// FirstStageRecall is the share of relevant (query, claim) pairs that the
// first stage hands to the re-ranker: the ceiling of any re-ranker.
func FirstStageRecall(ix *Index, s eval.Split) float64 {
	var found, total float64
	for _, q := range s.Queries {
		cands := ix.Candidates(QueryText(q))
		for id := range s.Qrels[q.ID] {
			total++
			for _, c := range cands {
				if c.Claim.ID == id {
					found++
					break
				}
			}
		}
	}
	if total == 0 {
		return 0
	}
	return found / total
}

// Rates is the detector's operating point at one threshold: Found is the
// share of queries whose top claim is relevant with Prob ≥ Threshold;
// Wrong the share whose top claim is irrelevant yet over it; FalseMatch
// the share over it when the query's relevant claims are left out of the
// index (a rumour that was never checked).
type Rates struct {
	Threshold, Found, Wrong, FalseMatch float64
}

// MatchRates measures Rates on a split at each threshold.
func MatchRates(ctx context.Context, m *Matcher, s eval.Split, thresholds ...float64) ([]Rates, error) {
	rs := make([]Rates, len(thresholds))
	for i, t := range thresholds {
		rs[i].Threshold = t
	}
	n := float64(len(s.Queries))
	for _, q := range s.Queries {
		t := QueryText(q)
		cands := m.ix.Candidates(t)
		if err := m.rr.Rerank(ctx, q.Text, t, cands); err != nil {
			return nil, err
		}
		sortByScore(cands)
		out := m.ix.CandidatesExcluding(t, s.Qrels[q.ID])
		if err := m.rr.Rerank(ctx, q.Text, t, out); err != nil {
			return nil, err
		}
		sortByScore(out)
		for i := range rs {
			r := &rs[i]
			if len(cands) > 0 && cands[0].Prob >= r.Threshold {
				if s.Qrels[q.ID][cands[0].Claim.ID] {
					r.Found += 1 / n
				} else {
					r.Wrong += 1 / n
				}
			}
			if len(out) > 0 && out[0].Prob >= r.Threshold {
				r.FalseMatch += 1 / n
			}
		}
	}
	return rs, nil
}
