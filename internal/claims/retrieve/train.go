package retrieve

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// Example is one training query: its candidates (with features) and which
// of them are relevant.
type Example struct {
	Cands    []Candidate
	Relevant []bool
	// Arabic is the script of the query (Text.Arabic): it picks which
	// half of a Model the example trains.
	Arabic bool
}

// TrainModel trains a Model: the Arabic-script examples train its Arabic
// half and the others its Latin half. A half without examples stays the
// untrained fallback.
func TrainModel(exs []Example, opts TrainOptions, trained string) *Model {
	var ar, la []Example
	for _, e := range exs {
		if e.Arabic {
			ar = append(ar, e)
		} else {
			la = append(la, e)
		}
	}
	var am, lm *LinearModel
	if len(ar) > 0 {
		am = Train(ar, opts)
	}
	if len(la) > 0 {
		lm = Train(la, opts)
	}
	return NewModel(am, lm, trained)
}

// TrainOptions tune Train. Zero values mean the defaults.
type TrainOptions struct {
	Epochs int     // default 12
	Rate   float64 // default 0.05
	L2     float64 // default 1e-4
	Seed   uint64
}

// Train fits a LinearModel pairwise: for every relevant candidate and every
// other candidate of the same query, it lowers the logistic loss of
// ranking the relevant one higher (RankNet with a linear scorer). It then
// fits the pointwise probability model on all candidates, including those
// of examples with no relevant candidate (which teach ranking nothing).
func Train(exs []Example, opts TrainOptions) *LinearModel {
	if opts.Epochs <= 0 {
		opts.Epochs = 12
	}
	if opts.Rate <= 0 {
		opts.Rate = 0.05
	}
	if opts.L2 <= 0 {
		opts.L2 = 1e-4
	}
	m := DefaultModel()
	m.Trained = ""
	m.Bias = 0
	clear(m.Weights)
	// Standardize on all candidates.
	var cnt float64
	for _, e := range exs {
		for _, c := range e.Cands {
			cnt++
			for j, v := range c.Features {
				m.Mean[j] += v
			}
		}
	}
	if cnt == 0 {
		return DefaultModel()
	}
	for j := range m.Mean {
		m.Mean[j] /= cnt
	}
	for _, e := range exs {
		for _, c := range e.Cands {
			for j, v := range c.Features {
				d := v - m.Mean[j]
				m.Std[j] += d * d
			}
		}
	}
	for j := range m.Std {
		m.Std[j] = math.Sqrt(m.Std[j]/cnt) + 1e-6
	}
	// Pairs of standardized differences.
	var pairs [][]float64
	std := func(c *Candidate) []float64 {
		x := make([]float64, nFeatures)
		for j, v := range c.Features {
			x[j] = (v - m.Mean[j]) / m.Std[j]
		}
		return x
	}
	for _, e := range exs {
		xs := make([][]float64, len(e.Cands))
		for i := range e.Cands {
			xs[i] = std(&e.Cands[i])
		}
		for i := range e.Cands {
			if !e.Relevant[i] {
				continue
			}
			for k := range e.Cands {
				if e.Relevant[k] {
					continue
				}
				d := make([]float64, nFeatures)
				for j := range d {
					d[j] = xs[i][j] - xs[k][j]
				}
				pairs = append(pairs, d)
			}
		}
	}
	if len(pairs) == 0 {
		return DefaultModel()
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5ca1ab1e))
	w := m.Weights
	// Adagrad: robust to features of very different usefulness.
	g2 := make([]float64, nFeatures)
	order := make([]int, len(pairs))
	for i := range order {
		order[i] = i
	}
	for range opts.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, pi := range order {
			d := pairs[pi]
			var s float64
			for j, v := range d {
				s += w[j] * v
			}
			// d/dw of log(1+exp(-s)) = -sigmoid(-s) * d
			g := -sigmoid(-s)
			for j, v := range d {
				grad := g*v + opts.L2*w[j]
				g2[j] += grad * grad
				w[j] -= opts.Rate * grad / (math.Sqrt(g2[j]) + 1e-8)
			}
		}
	}
	m.ProbWeights, m.ProbBias = trainPointwise(exs, m, opts)
	calibrateAbsent(exs, m, opts)
	return m
}

// probFeature says which features the probability model reads: those that
// mean the same in a collection of three claims and of a hundred thousand
// (shares, ranks, ratios, dates), and not the raw BM25 scores, whose scale
// grows with the collection's idf. With them, a model trained on the
// CheckThat! collections put the demo's own rumours, in a collection of
// three, at 0.2 (the untrained fallback: 0.9).
var probFeature = func() [nFeatures]bool {
	var ok [nFeatures]bool
	for i := range ok {
		ok[i] = true
	}
	for _, i := range []int{xFirst, xBM25ClaimW, xBM25TitleW, xBM25ClaimS, xBM25TitleS, xBM25Gram} {
		ok[i] = false
	}
	return ok
}()

// probTop is how many of a post's best-ranked candidates train the
// probability model: the detector only ever reads the top few, and the
// easy negatives further down would teach it little.
const probTop = 5

// AbsentTarget is the most the share of training posts whose claim was
// never checked (their relevant claims removed) may get a match signal at
// DefaultThreshold; calibrateAbsent lowers the probability bias until it
// holds on the training examples. The goal is 5% on unseen posts; the
// rate on posts the model was trained on is optimistic, hence the margin
// (0.04 left ANS dev at 0.053).
const AbsentTarget = 0.03

// calibrateAbsent lowers m.ProbBias until at most AbsentTarget of the
// training examples with no relevant candidate (rumours never checked)
// have a top probability at DefaultThreshold or more. It never raises it.
func calibrateAbsent(exs []Example, m *LinearModel, opts TrainOptions) {
	var tops []float64 // logit of each absent example's top candidate, less the bias
	for _, e := range exs {
		if len(e.Cands) == 0 || slices.Contains(e.Relevant, true) {
			continue
		}
		cands := make([]Candidate, len(e.Cands))
		copy(cands, e.Cands)
		if err := m.Rerank(context.Background(), "", nil, cands); err != nil {
			return
		}
		top := slices.MaxFunc(cands, func(a, b Candidate) int { return cmpDesc(b.Score, a.Score) })
		tops = append(tops, logit(top.Prob)-m.ProbBias)
	}
	if len(tops) < 20 {
		return
	}
	slices.Sort(tops)
	// The logit at DefaultThreshold is log(t/(1-t)); the bias that puts
	// the (1-target) quantile there.
	q := tops[int(float64(len(tops))*(1-AbsentTarget))]
	need := math.Log(DefaultThreshold/(1-DefaultThreshold)) - q
	if need < m.ProbBias {
		m.ProbBias = need
	}
}

// trainPointwise fits P(relevant | features) by logistic regression on
// every candidate of every example (Adagrad, L2).
func trainPointwise(exs []Example, m *LinearModel, opts TrainOptions) ([]float64, float64) {
	var xs [][]float64
	var ys []float64
	order := make([]int, 0, 64)
	scores := make([]float64, 0, 64)
	for _, e := range exs {
		// The probTop best by the ranking weights just learned.
		order = order[:0]
		scores = scores[:0]
		for i := range e.Cands {
			order = append(order, i)
			scores = append(scores, m.score(e.Cands[i].Features))
		}
		slices.SortStableFunc(order, func(a, b int) int {
			return cmpDesc(scores[a], scores[b])
		})
		if len(order) > probTop {
			order = order[:probTop]
		}
		for _, i := range order {
			x := make([]float64, nFeatures)
			for j, v := range e.Cands[i].Features {
				if probFeature[j] {
					x[j] = (v - m.Mean[j]) / m.Std[j]
				}
			}
			xs = append(xs, x)
			if e.Relevant[i] {
				ys = append(ys, 1)
			} else {
				ys = append(ys, 0)
			}
		}
	}
	const nx = nFeatures
	w := make([]float64, nx+1) // last: bias
	g2 := make([]float64, nx+1)
	order = make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x0b5e55ed))
	for range max(opts.Epochs/3, 2) {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := xs[i]
			s := w[nx]
			for j, v := range x {
				s += w[j] * v
			}
			r := sigmoid(s) - ys[i]
			for j := range w {
				v := 1.0
				if j < nx {
					v = x[j]
				}
				grad := r * v
				if j < nx {
					grad += opts.L2 * w[j]
				}
				g2[j] += grad * grad
				w[j] -= opts.Rate * grad / (math.Sqrt(g2[j]) + 1e-8)
			}
		}
	}
	return w[:nFeatures], w[nx]
}

func logit(p float64) float64 {
	p = min(max(p, 1e-12), 1-1e-12)
	return math.Log(p / (1 - p))
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// sortByScore orders candidates by Score, best first (stable on ties).
func sortByScore(cs []Candidate) {
	slices.SortStableFunc(cs, func(x, y Candidate) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
}
