package rules

import (
	"context"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/rules/evalset"
)

// EvalResult is what a rule set flags in one evaluation set
// (internal/rules/evalset): on benign text every hit is a false positive.
type EvalResult struct {
	// PerSource counts, per evalset source, the texts and those flagged.
	PerSource map[string][2]int
	// PerRule counts the texts each rule fired on.
	PerRule map[string]int
	// Hits are the flagged texts, in order, each with its first match.
	Hits []EvalHit
}

// EvalHit is one flagged text and the first rule that matched it.
type EvalHit struct {
	Text  evalset.Text
	Match Match
}

// Evaluate runs the set over texts (as a scan would: the text analysed,
// then matched) and counts what it flags. It stops when ctx is done.
func (s *Set) Evaluate(ctx context.Context, texts []evalset.Text) (*EvalResult, error) {
	r := &EvalResult{PerSource: map[string][2]int{}, PerRule: map[string]int{}}
	for i, t := range texts {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c := r.PerSource[t.Source]
		c[0]++
		ms := s.Match(arabic.Analyze(t.Text))
		if len(ms) > 0 {
			c[1]++
			r.Hits = append(r.Hits, EvalHit{t, ms[0]})
			for _, m := range ms {
				r.PerRule[m.Rule.ID]++
			}
		}
		r.PerSource[t.Source] = c
	}
	return r, nil
}
