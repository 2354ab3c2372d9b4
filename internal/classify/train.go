package classify

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/arabic"
)

// TrainParams are the hyper-parameters of training, stored in the model.
type TrainParams struct {
	Solver string `json:"solver"`
	// C is the inverse regularisation strength.
	C float64 `json:"c"`
	// ClassWeight is "balanced" (each class weighs as much as the others
	// in total) or "none".
	ClassWeight string `json:"class_weight"`
	// Folds is the number of cross-validation folds whose held-out scores
	// fit the calibration and choose the thresholds.
	Folds int `json:"folds"`
	// TargetPrecision is the precision the flag thresholds aim for.
	TargetPrecision float64 `json:"target_precision"`
	// MinFlagged is the fewest held-out positives a flag threshold must
	// keep, so that a precision measured on 3 posts does not set it.
	MinFlagged int `json:"min_flagged"`
	// GroupFolds keeps each group (Example.Group, e.g. a topic) in one
	// cross-validation fold.
	GroupFolds bool `json:"group_folds,omitempty"`
	// NB scales each feature by its naive-Bayes log-count ratio before
	// the SVM (NBSVM, Wang and Manning 2012); the ratio is folded into the
	// stored weights, so prediction costs the same.
	NB bool `json:"nb"`
	// NBAlpha is the additive smoothing of the naive-Bayes counts: larger
	// values shrink the ratios of rare features.
	NBAlpha float64 `json:"nb_alpha"`
	Eps     float64 `json:"eps"`
	MaxIter int     `json:"max_iter"`
	Seed    uint64  `json:"seed"`
}

// DefaultParams returns the hyper-parameters the shipped models use.
func DefaultParams() TrainParams {
	return TrainParams{Solver: "l2svm-dual-cd", C: 0.5, ClassWeight: "balanced", Folds: 5,
		TargetPrecision: 0.9, MinFlagged: 10, Eps: 0.1, MaxIter: 200, Seed: 1, NB: true, NBAlpha: 1}
}

// TrainOptions describe a training run.
type TrainOptions struct {
	Name        string
	Description string
	Version     string
	DataLicense string
	// Features and Params default (zero values) to DefaultFeatures and
	// DefaultParams.
	Features FeatureConfig
	Params   TrainParams
	// Negative names the label that means "nothing to report"; "" guesses
	// it (NOT_…, normal, none, 0, …). A binary model needs one.
	Negative string
	// MultiLabel trains one independent yes/no model per label.
	MultiLabel bool
	// Display maps data labels to the names analysts see.
	Display     map[string]string
	Data        []DataFile
	TextColumn  string
	LabelColumn string
	// Progress, when set, receives a line per stage.
	Progress func(msg string)
}

// negativeNames are label spellings taken as "nothing to report".
var negativeNames = []string{"normal", "none", "clean", "benign", "neutral", "no", "false", "0", "not", "ok", "other"}

func guessNegative(labels []string) string {
	for _, l := range labels {
		low := strings.ToLower(l)
		if strings.HasPrefix(low, "not_") || strings.HasPrefix(low, "not-") || strings.HasPrefix(low, "non_") {
			return l
		}
	}
	for _, n := range negativeNames {
		for _, l := range labels {
			if strings.ToLower(l) == n {
				return l
			}
		}
	}
	return ""
}

// Train fits a model to labelled examples: features, one class-weighted
// linear SVM per label, k-fold held-out scores for Platt calibration and
// thresholds, and a final fit on all examples.
func Train(exs []Example, opt TrainOptions) (*Model, error) {
	p := opt.Params
	if p.Solver == "" {
		p = DefaultParams()
	}
	if opt.Features == (FeatureConfig{}) {
		opt.Features = DefaultFeatures()
	}
	if err := opt.Features.Validate(); err != nil {
		return nil, err
	}
	switch {
	case p.C <= 0:
		return nil, errors.New("the SVM penalty C must be positive")
	case p.Folds < 2 || p.Folds > 20:
		return nil, fmt.Errorf("folds %d out of range 2..20", p.Folds)
	case p.TargetPrecision <= 0 || p.TargetPrecision > 1:
		return nil, fmt.Errorf("target precision %g out of range (0, 1]", p.TargetPrecision)
	case p.ClassWeight != "balanced" && p.ClassWeight != "none":
		return nil, fmt.Errorf("class weight %q: want balanced or none", p.ClassWeight)
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string) {}
	}
	counts := map[string]int{}
	multi := false
	for _, ex := range exs {
		if len(ex.Labels) > 1 {
			multi = true
		}
		for _, l := range ex.Labels {
			counts[l]++
		}
	}
	if multi && !opt.MultiLabel {
		return nil, errors.New("some examples carry several labels: train a multi-label model (--multi-label)")
	}
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	if len(labels) < 2 && !opt.MultiLabel {
		return nil, fmt.Errorf("the data has %d label(s) (%s): a classifier needs at least two", len(labels), strings.Join(labels, ", "))
	}
	if len(labels) > 64 {
		return nil, fmt.Errorf("%d labels: more than 64 is not supported (is the label column right?)", len(labels))
	}
	neg := opt.Negative
	if neg == "" {
		neg = guessNegative(labels)
	} else if counts[neg] == 0 && !opt.MultiLabel {
		return nil, fmt.Errorf("negative label %q does not occur in the data (labels: %s)", neg, strings.Join(labels, ", "))
	}
	mode := MultiClass
	switch {
	case opt.MultiLabel:
		mode = MultiLabel
	case len(labels) == 2:
		mode = Binary
		if neg == "" {
			return nil, fmt.Errorf("binary data (%s): say which label means nothing to report (--negative)", strings.Join(labels, ", "))
		}
	}
	heads := labels
	if mode == Binary {
		heads = []string{labels[0]}
		if labels[0] == neg {
			heads[0] = labels[1]
		}
	}
	for _, h := range heads {
		if counts[h] < p.Folds {
			return nil, fmt.Errorf("label %q has %d examples, fewer than the %d cross-validation folds: add examples or merge labels", h, counts[h], p.Folds)
		}
	}

	start := time.Now()
	xs := featurizeAll(exs, opt.Features)
	dim := 1 << uint(opt.Features.Bits)
	progress(fmt.Sprintf("features of %d examples in %s", len(exs), time.Since(start).Round(time.Millisecond)))

	// Stratified folds: shuffle, then deal each label's examples round robin.
	rng := rand.New(rand.NewPCG(p.Seed, 0xf01d))
	order := rng.Perm(len(exs))
	fold := make([]int, len(exs))
	next := map[string]int{}
	for _, i := range order {
		l := exs[i].Labels[0]
		fold[i] = next[l] % p.Folds
		next[l]++
	}
	if p.GroupFolds {
		// Whole groups (topics) go to one fold, so held-out scores, the
		// calibration and the thresholds are measured on unseen topics.
		var groups []string
		gi := map[string]int{}
		for _, ex := range exs {
			if _, ok := gi[ex.Group]; !ok {
				gi[ex.Group] = len(groups)
				groups = append(groups, ex.Group)
			}
		}
		if len(groups) < p.Folds {
			return nil, fmt.Errorf("group folds: %d groups, fewer than the %d folds (is the group column right?)", len(groups), p.Folds)
		}
		perm := rng.Perm(len(groups))
		for i, ex := range exs {
			fold[i] = perm[gi[ex.Group]] % p.Folds
		}
	}

	K := len(heads)
	pos := make([][]bool, K)
	for k, h := range heads {
		pos[k] = make([]bool, len(exs))
		for i, ex := range exs {
			for _, l := range ex.Labels {
				if l == h {
					pos[k][i] = true
				}
			}
		}
	}
	oof := make([][]float64, K)
	for k := range oof {
		oof[k] = make([]float64, len(exs))
	}
	full := make([][]float64, K)
	type job struct{ k, f int } // f == Folds means the final fit
	jobs := make(chan job)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), K*(p.Folds+1))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var txs []sparse
				var tpos []bool
				for i := range xs {
					if fold[i] != j.f {
						txs = append(txs, xs[i])
						tpos = append(tpos, pos[j.k][i])
					}
				}
				var r []float64
				if p.NB {
					r = nbRatios(txs, tpos, dim, p.NBAlpha)
					txs = scaleAll(txs, r)
				}
				w := trainSVM(txs, tpos, dim, solver(p, tpos, uint64(j.k*100+j.f)))
				if r != nil {
					for i := range w {
						w[i] *= r[i]
					}
				}
				if j.f == p.Folds {
					full[j.k] = w
					continue
				}
				for i := range xs {
					if fold[i] == j.f {
						oof[j.k][i] = dotSparse(w, xs[i])
					}
				}
			}
		}()
	}
	for k := range K {
		for f := 0; f <= p.Folds; f++ {
			jobs <- job{k, f}
		}
	}
	close(jobs)
	wg.Wait()
	progress(fmt.Sprintf("trained %d label model(s) x %d folds + final in %s", K, p.Folds, time.Since(start).Round(time.Millisecond)))

	m := &Model{dim: dim}
	m.meta = Meta{
		Name: opt.Name, Description: opt.Description, Version: opt.Version,
		Created: time.Now().UTC().Truncate(time.Second), Mode: mode, Negative: neg,
		Data: opt.Data, DataLicense: opt.DataLicense, TextColumn: opt.TextColumn, LabelColumn: opt.LabelColumn,
		LabelCounts: counts, Params: p, Features: opt.Features, TextEngine: TextEngineFingerprint(),
	}
	probs := make([][]float64, K)
	for k, h := range heads {
		a, b := fitPlatt(oof[k], pos[k])
		probs[k] = make([]float64, len(exs))
		for i, d := range oof[k] {
			probs[k][i] = sigmoidPlatt(a, b, d)
		}
		li := LabelInfo{Name: h, PlattA: a, PlattB: b, Display: opt.Display[h]}
		if mode == Binary {
			li.Decision = bestMacroF1Threshold(probs[k], pos[k])
		} else {
			li.Decision = bestF1Threshold(probs[k], pos[k])
		}
		li.Flag, li.FlagPrecision, li.FlagRecall = thresholdForPrecision(probs[k], pos[k], p.TargetPrecision, p.MinFlagged)
		li.FlagSource = "held-out folds"
		if h == neg {
			li.Flag = 2
		}
		m.meta.Labels = append(m.meta.Labels, li)
	}
	m.q, m.step = quantize(interleave(full, dim), K)

	preds := make([]Prediction, len(exs))
	for i := range exs {
		pr := make([]float64, K)
		for k := range K {
			pr[k] = probs[k][i]
		}
		preds[i] = m.decide(pr)
	}
	// Cross-validated figures on the data set itself: background
	// examples are easy negatives that would flatter them.
	var cvEx []Example
	var cvPred []Prediction
	for i, ex := range exs {
		if !ex.Background {
			cvEx = append(cvEx, ex)
			cvPred = append(cvPred, preds[i])
		}
	}
	rep := EvaluatePredictions(&m.meta, cvEx, cvPred, 0)
	m.meta.CV = rep.Figures()
	return m, nil
}

func solver(p TrainParams, pos []bool, seed uint64) solverParams {
	np := 0
	for _, b := range pos {
		if b {
			np++
		}
	}
	cp, cn := p.C, p.C
	if p.ClassWeight == "balanced" && np > 0 && np < len(pos) {
		n := float64(len(pos))
		cp = p.C * n / (2 * float64(np))
		cn = p.C * n / (2 * float64(len(pos)-np))
	}
	return solverParams{cPos: cp, cNeg: cn, eps: p.Eps, maxIter: p.MaxIter, seed: p.Seed + seed}
}

// featurizeAll analyses and vectorizes examples on all cores.
func featurizeAll(exs []Example, cfg FeatureConfig) []sparse {
	xs := make([]sparse, len(exs))
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := newExtractor(cfg)
			for i := w; i < len(exs); i += n {
				xs[i] = vectorize(e.extract(arabic.Analyze(exs[i].Text)), uint32(1)<<uint(cfg.Bits))
			}
		}()
	}
	wg.Wait()
	return xs
}

// interleave lays K weight vectors of dim+1 out as w[i*K+k].
func interleave(ws [][]float64, dim int) []float32 {
	K := len(ws)
	out := make([]float32, (dim+1)*K)
	for k, w := range ws {
		for i, v := range w {
			out[i*K+k] = float32(v)
		}
	}
	return out
}

// quantize turns interleaved float weights into the int16 multiples of a
// per-label step that the model holds and its file stores; figures
// measured right after training thus hold for the saved file.
func quantize(w []float32, K int) ([]int16, []float32) {
	q := make([]int16, len(w))
	step := make([]float32, K)
	for k := range K {
		var mx float32
		for i := k; i < len(w); i += K {
			mx = max(mx, float32(math.Abs(float64(w[i]))))
		}
		step[k] = 1
		if mx > 0 {
			step[k] = mx / 32767
		}
		for i := k; i < len(w); i += K {
			q[i] = int16(max(-32767, min(32767, math.Round(float64(w[i]/step[k])))))
		}
	}
	return q, step
}

// TextEngineFingerprint hashes what the arabic package makes of a few
// probe texts. A model trained under another fingerprint still loads, but
// its features may differ from those it was trained on: retrain it.
func TextEngineFingerprint() string {
	probes := []string{
		"وَالْكِتَابُ إلى الأَصدقاءِ", "ســـلام عليكم يا أخي", "3la slama kh0ya", "Bonjour à tous", "هههههه 😂",
		"بالمدرسة وللطلاب فالقتال", "ٱلرَّحْمَٰنِ ﷲ", "ي ى ئ ؤ ة ه گ ڤ پ چ", "١٢٣ ۴۵۶",
		"nta 7mar w wld l9a7ba", "ghadi n7der m3a sa7bi f dar", "قـ ـمـ ـار كتاب",
	}
	h := sha256.New()
	for _, p := range probes {
		d := arabic.Analyze(p)
		h.Write([]byte(d.Folded))
		h.Write([]byte(d.Lang))
		for _, t := range d.Tokens {
			h.Write([]byte{0})
			h.Write([]byte(t.Base))
			h.Write([]byte{0})
			h.Write([]byte(t.Translit))
		}
		h.Write([]byte{1})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// nbRatios returns the naive-Bayes log-count ratio of each feature
// (presence counts, additive smoothing alpha); the bias keeps ratio 1.
func nbRatios(xs []sparse, pos []bool, dim int, alpha float64) []float64 {
	if alpha <= 0 {
		alpha = 1
	}
	p := make([]float64, dim+1)
	q := make([]float64, dim+1)
	for i, x := range xs {
		c := q
		if pos[i] {
			c = p
		}
		for _, f := range x.idx {
			c[f]++
		}
	}
	var sp, sq float64
	for i := range dim {
		p[i] += alpha
		q[i] += alpha
		sp += p[i]
		sq += q[i]
	}
	r := make([]float64, dim+1)
	for i := range dim {
		r[i] = math.Log((p[i] / sp) / (q[i] / sq))
	}
	r[dim] = 1
	return r
}

// scaleAll returns copies of xs with each value multiplied by r.
func scaleAll(xs []sparse, r []float64) []sparse {
	out := make([]sparse, len(xs))
	for i, x := range xs {
		v := make([]float32, len(x.val))
		for k, f := range x.idx {
			v[k] = x.val[k] * float32(r[f])
		}
		out[i] = sparse{idx: x.idx, val: v}
	}
	return out
}
