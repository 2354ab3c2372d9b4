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
	Epochs int     // default 40
	Rate   float64 // default 0.05
	L2     float64 // default 1e-4
	Seed   uint64
}

// Train fits a LinearModel pairwise: for every relevant candidate and every
// other candidate of the same query, it lowers the logistic loss of
// ranking the relevant one higher (RankNet with a linear scorer). It then
// fits Platt scaling so that Prob estimates relevance pointwise. Queries
// with no relevant candidate teach nothing and are skipped.
func Train(exs []Example, opts TrainOptions) *LinearModel {
	if opts.Epochs <= 0 {
		opts.Epochs = 40
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
	type pair struct{ diff []float64 }
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
	m.PlattA, m.PlattB = fitPlatt(m, exs)
	return m
}

// fitPlatt fits P(relevant) = sigmoid(a*score+b) on all candidates by
// Newton's method on the logistic loss.
func fitPlatt(m *LinearModel, exs []Example) (a, b float64) {
	var xs, ys []float64
	for _, e := range exs {
		for i, c := range e.Cands {
			xs = append(xs, m.score(c.Features))
			if e.Relevant[i] {
				ys = append(ys, 1)
			} else {
				ys = append(ys, 0)
			}
		}
	}
	a, b = 1, 0
	for range 50 {
		var ga, gb, haa, hab, hbb float64
		for i, x := range xs {
			p := sigmoid(a*x + b)
			r := p - ys[i]
			ga += r * x
			gb += r
			h := p * (1 - p)
			haa += h * x * x
			hab += h * x
			hbb += h
		}
		haa += 1e-6
		hbb += 1e-6
		det := haa*hbb - hab*hab
		if det == 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a -= da
		b -= db
		if math.Abs(da)+math.Abs(db) < 1e-9 {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return 1, 0
	}
	return a, b
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
