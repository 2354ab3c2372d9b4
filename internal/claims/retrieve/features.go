package retrieve

import (
	"math"
	"slices"

	"github.com/basira-org/basira/internal/claims"
)

// Candidate is one claim the first stage found for a post, with the
// features the re-ranker reads and the scores it gives.
type Candidate struct {
	Doc   int
	Claim *claims.Claim
	// First is the first-stage score (BM25 words + BM25 stems).
	First float64
	// Features are in the order of FeatureNames.
	Features []float64
	// Score orders candidates (higher first); Prob is the re-ranker's
	// estimate that the post repeats the claim, for thresholds.
	Score, Prob float64
}

// FeatureNames names the lexical features of a (post, claim) pair, in the
// order of Candidate.Features. A model file lists the names it was trained
// on, so a model and an index of different versions cannot be mixed.
var FeatureNames = []string{
	"first", "first_rel", "first_inv_rank",
	"bm25_claim_w", "bm25_title_w", "bm25_claim_s", "bm25_title_s", "bm25_claim_s_rel",
	"bm25_gram", "bm25_gram_rel",
	"cov_claim_s", "cov_title_s", "cov_query_s",
	"cov_claim_gram", "cov_query_gram", "cov_claim_bigram",
	"num_shared", "num_missing", "caps_cov",
	"len_ratio", "date_known", "date_gap", "date_after",
	"gram_inv_rank", "cov_claim_s_inv_rank", "cov_claim_rare",
}

const (
	xFirst = iota
	xFirstRel
	xFirstInvRank
	xBM25ClaimW
	xBM25TitleW
	xBM25ClaimS
	xBM25TitleS
	xBM25ClaimSRel
	xBM25Gram
	xBM25GramRel
	xCovClaimS
	xCovTitleS
	xCovQueryS
	xCovClaimGram
	xCovQueryGram
	xCovClaimBigram
	xNumShared
	xNumMissing
	xCapsCov
	xLenRatio
	xDateKnown
	xDateGap
	xDateAfter
	xGramInvRank
	xCovClaimSInvRank
	xCovClaimRare
	nFeatures
)

// Candidates runs the first stage for t and computes the features of each
// candidate, in first-stage order.
func (ix *Index) Candidates(t *Text) []Candidate {
	return ix.candidates(ix.newQuery(t), ix.opts.Candidates, nil)
}

// CandidatesExcluding is Candidates as if the claims with the given ids
// were not in the index: a post whose claim was never checked. Training
// uses it to learn what a non-match looks like.
func (ix *Index) CandidatesExcluding(t *Text, ids map[string]bool) []Candidate {
	return ix.candidates(ix.newQuery(t), ix.opts.Candidates, ids)
}

func (ix *Index) candidates(q *query, k int, exclude map[string]bool) []Candidate {
	cs := ix.firstStage(q, k, exclude)
	if len(cs) == 0 {
		return nil
	}
	feats := make([]float64, len(cs)*nFeatures)
	var maxFirst, maxGram, maxClaimS float64
	var gbuf []uint32
	for i := range cs {
		c := &cs[i]
		c.Claim = &ix.claims[c.Doc]
		c.Features = feats[i*nFeatures : (i+1)*nFeatures : (i+1)*nFeatures]
		gbuf = ix.features(q, c, i, gbuf)
		maxFirst = max(maxFirst, c.First)
		maxGram = max(maxGram, c.Features[xBM25Gram])
		maxClaimS = max(maxClaimS, c.Features[xBM25ClaimS])
	}
	for i := range cs {
		f := cs[i].Features
		f[xFirstRel] = ratio(f[xFirst], maxFirst)
		f[xBM25GramRel] = ratio(f[xBM25Gram], maxGram)
		f[xBM25ClaimSRel] = ratio(f[xBM25ClaimS], maxClaimS)
	}
	rankFeature(cs, xBM25Gram, xGramInvRank)
	rankFeature(cs, xCovClaimS, xCovClaimSInvRank)
	return cs
}

// rankFeature sets feature to 1/rank of the candidate when the list is
// ordered by feature from: how each signal alone would rank it.
func rankFeature(cs []Candidate, from, to int) {
	for i := range cs {
		r := 1
		for j := range cs {
			if cs[j].Features[from] > cs[i].Features[from] {
				r++
			}
		}
		cs[i].Features[to] = 1 / float64(r)
	}
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// features fills c.Features except the list-relative ones.
func (ix *Index) features(q *query, c *Candidate, rank int, gbuf []uint32) []uint32 {
	f := c.Features
	d := c.Doc
	n := float64(len(ix.claims))
	f[xFirst] = c.First
	f[xFirstInvRank] = 1 / float64(rank+1)
	f[xBM25ClaimW] = ix.bm25Field(q.words, ix.field(d, fClaimW), fClaimW, ix.idfW)
	f[xBM25TitleW] = ix.bm25Field(q.words, ix.field(d, fTitleW), fTitleW, ix.idfW)
	f[xBM25ClaimS] = ix.bm25Field(q.stems, ix.field(d, fClaimS), fClaimS, ix.idfS)
	f[xBM25TitleS] = ix.bm25Field(q.stems, ix.field(d, fTitleS), fTitleS, ix.idfS)
	f[xCovClaimS] = ix.coverage(q.stems, ix.field(d, fClaimS), ix.idfS)
	f[xCovTitleS] = ix.coverage(q.stems, ix.field(d, fTitleS), ix.idfS)
	f[xCovClaimRare] = ix.rareCoverage(q.stems, ix.field(d, fClaimS))

	// Query coverage: how much of the post (idf-weighted) the claim holds.
	var qTotal, qHit float64
	cs, ts := ix.field(d, fClaimS), ix.field(d, fTitleS)
	for _, t := range q.stemList {
		w := ix.idfS[t]
		qTotal += w
		if slices.Contains(cs, t) || slices.Contains(ts, t) {
			qHit += w
		}
	}
	f[xCovQueryS] = ratio(qHit, qTotal)

	// Bigrams of claim stems found in the post.
	var bi, biHit float64
	for i := 1; i < len(cs); i++ {
		bi++
		if q.bigram[uint64(cs[i-1])<<32|uint64(cs[i])] {
			biHit++
		}
	}
	f[xCovClaimBigram] = ratio(biHit, bi)

	// Character n-grams of claim and title words.
	gbuf = gbuf[:0]
	for _, fl := range []int{fClaimW, fTitleW} {
		for _, t := range ix.field(d, fl) {
			gbuf = append(gbuf, ix.grams[t]...)
		}
	}
	dl := float64(len(gbuf))
	slices.Sort(gbuf)
	norm := bm25K1 * (1 - bm25B + bm25B*dl/ix.avgGram)
	var gScore, distinct, hit float64
	for i := 0; i < len(gbuf); {
		j := i
		for j < len(gbuf) && gbuf[j] == gbuf[i] {
			j++
		}
		g := gbuf[i]
		distinct++
		if q.grams[g] > 0 {
			hit++
			tf := float64(j - i)
			gScore += idf(n, float64(ix.gramDF[g])) * tf * (bm25K1 + 1) / (tf + norm)
		}
		i = j
	}
	f[xBM25Gram] = gScore
	f[xCovClaimGram] = ratio(hit, distinct)
	f[xCovQueryGram] = ratio(hit, float64(len(q.grams)))

	nums := ix.field(d, fNum)
	if len(nums) > 0 {
		var shared float64
		for _, t := range nums {
			if q.nums[t] {
				shared++
			}
		}
		f[xNumShared] = shared
		f[xNumMissing] = 1 - shared/float64(len(nums))
	}
	if caps := ix.field(d, fCaps); len(caps) > 0 {
		var hitC float64
		for _, t := range caps {
			if q.caps[t] {
				hitC++
			}
		}
		f[xCapsCov] = hitC / float64(len(caps))
	}
	f[xLenRatio] = math.Log(float64(1+len(q.text.Words)) / float64(1+len(ix.field(d, fClaimW))))
	if q.text.Date != nil && c.Claim.Published != nil {
		days := c.Claim.Published.Sub(*q.text.Date).Hours() / 24
		f[xDateKnown] = 1
		f[xDateGap] = math.Log1p(math.Abs(days))
		if days >= -1 {
			f[xDateAfter] = 1
		}
	}
	return gbuf
}

// bm25Field scores one forward field of a doc against query terms.
func (ix *Index) bm25Field(qt map[uint32]int, terms []uint32, field int, idfs []float64) float64 {
	if len(terms) == 0 || len(qt) == 0 {
		return 0
	}
	norm := bm25K1 * (1 - bm25B + bm25B*float64(len(terms))/ix.avgLen[field])
	var s float64
	for i, t := range terms {
		if qt[t] == 0 || slices.Contains(terms[:i], t) {
			continue
		}
		tf := 0.0
		for _, u := range terms[i:] {
			if u == t {
				tf++
			}
		}
		s += idfs[t] * tf * (bm25K1 + 1) / (tf + norm)
	}
	return s
}

// rareCoverage is the share of the claim's three rarest stems (highest
// idf: names, places, objects) that the query holds: a claim about Pogba
// is not one about Kanté even when the rest of the words agree.
func (ix *Index) rareCoverage(qt map[uint32]int, terms []uint32) float64 {
	var top [3]uint32
	var w [3]float64
	n := 0
	for i, t := range terms {
		if slices.Contains(terms[:i], t) {
			continue
		}
		v := ix.idfS[t]
		k := min(n, 3)
		for k > 0 && w[k-1] < v {
			if k < 3 {
				top[k], w[k] = top[k-1], w[k-1]
			}
			k--
		}
		if k < 3 {
			top[k], w[k] = t, v
		}
		n++
	}
	n = min(n, 3)
	if n == 0 {
		return 0
	}
	hit := 0
	for _, t := range top[:n] {
		if qt[t] > 0 {
			hit++
		}
	}
	return float64(hit) / float64(n)
}

// coverage is the idf-weighted share of a field's distinct terms that the
// query holds.
func (ix *Index) coverage(qt map[uint32]int, terms []uint32, idfs []float64) float64 {
	var total, hit float64
	for i, t := range terms {
		if slices.Contains(terms[:i], t) {
			continue
		}
		w := idfs[t]
		total += w
		if qt[t] > 0 {
			hit += w
		}
	}
	return ratio(hit, total)
}
