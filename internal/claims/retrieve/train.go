package retrieve

import (
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
	return m
}

// trainPointwise fits P(relevant | features) by logistic regression on
// every candidate of every example (Adagrad, L2).
func trainPointwise(exs []Example, m *LinearModel, opts TrainOptions) ([]float64, float64) {
	var xs [][]float64
	var ys []float64
	for _, e := range exs {
		for i := range e.Cands {
			x := make([]float64, nFeatures)
			for j, v := range e.Cands[i].Features {
				x[j] = (v - m.Mean[j]) / m.Std[j]
			}
			xs = append(xs, x)
			if e.Relevant[i] {
				ys = append(ys, 1)
			} else {
				ys = append(ys, 0)
			}
		}
	}
	w := make([]float64, nFeatures+1) // last: bias
	g2 := make([]float64, nFeatures+1)
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x0b5e55ed))
	for range max(opts.Epochs/3, 2) {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := xs[i]
			s := w[nFeatures]
			for j, v := range x {
				s += w[j] * v
			}
			r := sigmoid(s) - ys[i]
			for j := range w {
				v := 1.0
				if j < nFeatures {
					v = x[j]
				}
				grad := r * v
				if j < nFeatures {
					grad += opts.L2 * w[j]
				}
				g2[j] += grad * grad
				w[j] -= opts.Rate * grad / (math.Sqrt(g2[j]) + 1e-8)
			}
		}
	}
	return w[:nFeatures], w[nFeatures]
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
