package retrieve

import (
	"context"
	"time"

	"github.com/basira-org/basira/internal/claims"
)

// Matcher matches posts to fact-checked claims: first stage, features,
// re-ranker. It is safe for concurrent use.
type Matcher struct {
	ix *Index
	rr Reranker
}

// NewMatcher returns a matcher over ix; a nil rr means DefaultModel (the
// untrained fallback).
func NewMatcher(ix *Index, rr Reranker) *Matcher {
	if rr == nil {
		rr = DefaultModel()
	}
	return &Matcher{ix: ix, rr: rr}
}

// Index returns the matcher's index.
func (m *Matcher) Index() *Index { return m.ix }

// Hit is one matched claim.
type Hit struct {
	Claim *claims.Claim
	// Score is the re-ranker's ranking score; Prob its estimate that the
	// post repeats the claim (thresholds apply to Prob).
	Score, Prob float64
}

// Match returns the k best claims for text, best first. date (may be nil)
// is when the post was made.
func (m *Matcher) Match(ctx context.Context, text string, date *time.Time, k int) ([]Hit, error) {
	return m.MatchText(ctx, text, Analyze(text, date), k)
}

// MatchText is Match for text already analysed into t.
func (m *Matcher) MatchText(ctx context.Context, text string, t *Text, k int) ([]Hit, error) {
	cands := m.ix.Candidates(t)
	if len(cands) == 0 {
		return nil, nil
	}
	if err := m.rr.Rerank(ctx, text, t, cands); err != nil {
		return nil, err
	}
	sortByScore(cands)
	if k > 0 && len(cands) > k {
		cands = cands[:k]
	}
	hits := make([]Hit, len(cands))
	for i, c := range cands {
		hits[i] = Hit{Claim: c.Claim, Score: c.Score, Prob: c.Prob}
	}
	return hits, nil
}
