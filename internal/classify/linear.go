package classify

import (
	"math"
	"math/rand/v2"
)

// solverParams tune the dual coordinate descent solver.
type solverParams struct {
	// cPos and cNeg are the penalties of positive and negative examples:
	// C times the class weight.
	cPos, cNeg float64
	eps        float64
	maxIter    int
	seed       uint64
}

// trainSVM fits an L2-regularised squared-hinge linear SVM by dual
// coordinate descent with shrinking (Hsieh et al., ICML 2008, the
// algorithm of LIBLINEAR's solver 1). xs carry the bias as their last
// feature at index dim; the result has dim+1 weights.
func trainSVM(xs []sparse, pos []bool, dim int, p solverParams) []float64 {
	n := len(xs)
	w := make([]float64, dim+1)
	if n == 0 {
		return w
	}
	alpha := make([]float64, n)
	diag := make([]float64, n)
	qd := make([]float64, n)
	y := make([]float64, n)
	index := make([]int, n)
	for i, x := range xs {
		c := p.cNeg
		y[i] = -1
		if pos[i] {
			c, y[i] = p.cPos, 1
		}
		diag[i] = 0.5 / c
		qd[i] = diag[i]
		for _, v := range x.val {
			qd[i] += float64(v) * float64(v)
		}
		index[i] = i
	}
	rng := rand.New(rand.NewPCG(p.seed, 0x5eed))
	pgMaxOld := math.Inf(1)
	active := n
	iterDone := 0
	for iter := 0; iter < p.maxIter; iter++ {
		iterDone = iter + 1
		pgMaxNew, pgMinNew := math.Inf(-1), math.Inf(1)
		for i := 0; i < active; i++ {
			j := i + rng.IntN(active-i)
			index[i], index[j] = index[j], index[i]
		}
		for s := 0; s < active; s++ {
			i := index[s]
			x := xs[i]
			var dot float64
			for k, f := range x.idx {
				dot += w[f] * float64(x.val[k])
			}
			g := y[i]*dot - 1 + alpha[i]*diag[i]
			pg := g
			if alpha[i] == 0 {
				if g > pgMaxOld {
					active--
					index[s], index[active] = index[active], index[s]
					s--
					continue
				}
				if g > 0 {
					pg = 0
				}
			}
			pgMaxNew = max(pgMaxNew, pg)
			pgMinNew = min(pgMinNew, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(old-g/qd[i], 0)
				d := (alpha[i] - old) * y[i]
				for k, f := range x.idx {
					w[f] += d * float64(x.val[k])
				}
			}
		}
		if pgMaxNew-pgMinNew <= p.eps {
			if active == n {
				break
			}
			active = n
			pgMaxOld = math.Inf(1)
			continue
		}
		// Only the upper bound shrinks: with the squared hinge, alpha
		// has no upper limit.
		pgMaxOld = pgMaxNew
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
	}
	if debugIters != nil {
		debugIters(iterDone)
	}
	return w
}

// debugIters, when set by a test, receives the iterations each fit took.
var debugIters func(int)

func dotSparse(w []float64, x sparse) float64 {
	var s float64
	for k, f := range x.idx {
		s += w[f] * float64(x.val[k])
	}
	return s
}

// fitPlatt fits P(y=1|f) = 1/(1+exp(A f + B)) to decision values by
// Newton's method with backtracking, using Platt's smoothed targets
// (Lin, Lin and Weng, "A note on Platt's probabilistic outputs", 2007).
func fitPlatt(dec []float64, pos []bool) (a, b float64) {
	var prior1, prior0 float64
	for _, p := range pos {
		if p {
			prior1++
		} else {
			prior0++
		}
	}
	hi := (prior1 + 1) / (prior1 + 2)
	lo := 1 / (prior0 + 2)
	t := make([]float64, len(dec))
	for i, p := range pos {
		t[i] = lo
		if p {
			t[i] = hi
		}
	}
	a, b = 0, math.Log((prior0+1)/(prior1+1))
	obj := func(a, b float64) float64 {
		var f float64
		for i, d := range dec {
			z := d*a + b
			if z >= 0 {
				f += t[i]*z + math.Log1p(math.Exp(-z))
			} else {
				f += (t[i]-1)*z + math.Log1p(math.Exp(z))
			}
		}
		return f
	}
	fval := obj(a, b)
	const sigma = 1e-12
	for it := 0; it < 100; it++ {
		h11, h22, h21, g1, g2 := sigma, sigma, 0.0, 0.0, 0.0
		for i, d := range dec {
			z := d*a + b
			var p, q float64
			if z >= 0 {
				e := math.Exp(-z)
				p, q = e/(1+e), 1/(1+e)
			} else {
				e := math.Exp(z)
				p, q = 1/(1+e), e/(1+e)
			}
			d2 := p * q
			h11 += d * d * d2
			h22 += d2
			h21 += d * d2
			d1 := t[i] - p
			g1 += d * d1
			g2 += d1
		}
		if math.Abs(g1) < 1e-5 && math.Abs(g2) < 1e-5 {
			break
		}
		det := h11*h22 - h21*h21
		da := -(h22*g1 - h21*g2) / det
		db := -(-h21*g1 + h11*g2) / det
		gd := g1*da + g2*db
		step := 1.0
		for step >= 1e-10 {
			na, nb := a+step*da, b+step*db
			if nf := obj(na, nb); nf < fval+1e-4*step*gd {
				a, b, fval = na, nb, nf
				break
			}
			step /= 2
		}
		if step < 1e-10 {
			break
		}
	}
	return a, b
}

// sigmoidPlatt maps a decision value to a calibrated probability.
func sigmoidPlatt(a, b, d float64) float64 {
	z := a*d + b
	if z >= 0 {
		e := math.Exp(-z)
		return e / (1 + e)
	}
	return 1 / (1 + math.Exp(z))
}
