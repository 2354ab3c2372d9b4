package classify

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/basira-org/basira/arabic"
)

// Classifier is what Basira needs from any text model: scan, serve and the
// rumour desk use only this. The linear Model implements it; a model in
// another runtime (an ONNX transformer an operator supplies, say) plugs in
// by implementing it too — see docs/models.md.
type Classifier interface {
	// Info describes the model: name, labels, provenance.
	Info() *Meta
	// Predict scores one analysed text. It must be safe for concurrent use.
	Predict(doc *arabic.Doc) Prediction
}

// Explainer is implemented by classifiers that can name the features that
// drove a score.
type Explainer interface {
	Explain(doc *arabic.Doc, label string, k int) []Contribution
}

// Prediction is a model's verdict on one text.
type Prediction struct {
	// Probs holds the calibrated probability of each label, in the order
	// of Meta.Labels.
	Probs []float64
	// Label is the decided label (the most probable one for single-label
	// models; for multi-label models the most probable of those decided).
	Label string
	// Flagged lists the indices of labels whose probability reached their
	// flag threshold (never the negative label): what scan reports.
	Flagged []int
}

// Contribution is one feature's share of a label's score.
type Contribution struct {
	// Kind is word, stem, phrase, chars or emoji.
	Kind string `json:"kind"`
	// Text is the feature as folded text; chars n-grams show a word
	// boundary as "_".
	Text string `json:"text"`
	// Weight is the feature's contribution to the decision value.
	Weight float64 `json:"weight"`
}

// Modes of a model.
const (
	Binary     = "binary"
	MultiClass = "multiclass"
	MultiLabel = "multilabel"
)

// Meta is a model's description and provenance, stored in its file.
type Meta struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Version is the model's own version, set by whoever trains it.
	Version string    `json:"version"`
	Created time.Time `json:"created"`
	Mode    string    `json:"mode"`
	// Labels are the labels the model scores (in Prediction.Probs order).
	Labels []LabelInfo `json:"labels"`
	// Negative is the label meaning "nothing to report" (e.g. NOT_OFF,
	// normal); it is never flagged. For a binary model it has no weights.
	Negative string `json:"negative,omitempty"`
	// Data lists the files the model was trained and measured on.
	Data []DataFile `json:"data"`
	// DataLicense is the licence of the training data, as the trainer
	// stated it.
	DataLicense string `json:"data_license,omitempty"`
	TextColumn  string `json:"text_column,omitempty"`
	LabelColumn string `json:"label_column,omitempty"`
	// LabelCounts counts training examples per label.
	LabelCounts map[string]int `json:"label_counts"`
	Params      TrainParams    `json:"params"`
	Features    FeatureConfig  `json:"features"`
	// TextEngine fingerprints the arabic package the model was trained
	// with (see TextEngineFingerprint).
	TextEngine string `json:"text_engine"`
	// CV holds cross-validated figures on the training data; Dev the
	// figures on a held-out file, when one was given.
	CV  *Figures `json:"cv,omitempty"`
	Dev *Figures `json:"dev,omitempty"`
	// MinTokens, when set, keeps the model from flagging posts of fewer
	// words: a bare name ("the caliphate", "dabiq") is not propaganda, and
	// the per-post feature scaling gives its one or two words the weight
	// of a whole post.
	MinTokens int `json:"min_tokens,omitempty"`
}

// LabelInfo is one scored label with its calibration and thresholds.
type LabelInfo struct {
	Name string `json:"name"`
	// Display is the name analysts see in signals (default Name).
	Display string `json:"display,omitempty"`
	// PlattA and PlattB map the decision value f to 1/(1+exp(A f + B)).
	PlattA float64 `json:"platt_a"`
	PlattB float64 `json:"platt_b"`
	// Decision is the probability at or above which the label is decided
	// in binary and multi-label models (chosen for F1 on held-out folds).
	Decision float64 `json:"decision"`
	// Flag is the probability at or above which scan reports the label,
	// chosen on held-out folds to reach FlagPrecision; > 1 means never.
	Flag          float64 `json:"flag"`
	FlagPrecision float64 `json:"flag_precision"`
	FlagRecall    float64 `json:"flag_recall"`
	// FlagSource says where the flag threshold was measured: "held-out
	// folds" (training) or the data file it was re-set on.
	FlagSource string `json:"flag_source,omitempty"`
}

// Figures are measured results stored with a model.
type Figures struct {
	N       int     `json:"n"`
	MacroF1 float64 `json:"macro_f1"`
	// WeightedF1 and Accuracy are kept for comparison with papers that
	// report them.
	WeightedF1 float64            `json:"weighted_f1,omitempty"`
	Accuracy   float64            `json:"accuracy,omitempty"`
	F1         map[string]float64 `json:"f1"`
	AP         map[string]float64 `json:"ap,omitempty"`
	ECE        float64            `json:"ece"`
}

// Model is a trained linear classifier: one weight vector per scored
// label over the hashed feature space, plus a bias.
type Model struct {
	meta Meta
	dim  int
	// q holds the weights as int16 multiples of a per-label step (the form
	// the file stores): the weight of feature i for label k is
	// q[i*K+k]*step[k]. Interleaving touches one cache line per feature
	// occurrence for all labels; int16 halves the memory (512 KiB per
	// label at 2^18 features) and lets Predict add integers.
	q    []int16
	step []float32
	pool sync.Pool
}

var _ Classifier = (*Model)(nil)
var _ Explainer = (*Model)(nil)

// Info returns the model's description and provenance.
func (m *Model) Info() *Meta { return &m.meta }

// Name returns the model's name.
func (m *Model) Name() string { return m.meta.Name }

func (m *Model) extractor() *extractor {
	if e, ok := m.pool.Get().(*extractor); ok {
		return e
	}
	return newExtractor(m.meta.Features)
}

// weight returns the weight of feature i for label k.
func (m *Model) weight(i, k int) float32 {
	return float32(m.q[i*len(m.step)+k]) * m.step[k]
}

// decision returns the raw decision values, one per label. Weights are
// summed as integers per feature group, then scaled once: the same value
// as summing the dequantized weights, with fewer float operations.
func (m *Model) decision(doc *arabic.Doc, out []float64) []float64 {
	e := m.extractor()
	fs := e.extract(doc)
	scale := groupScales(fs)
	k := len(m.step)
	var bufW, bufC, bufL [16]int64
	var accW, accC, accL []int64
	if k <= len(bufW) {
		accW, accC, accL = bufW[:k], bufC[:k], bufL[:k]
	} else {
		accW, accC, accL = make([]int64, k), make([]int64, k), make([]int64, k)
	}
	for _, f := range fs {
		row := m.q[int(f.idx)*k : int(f.idx)*k+k]
		acc := accW
		switch f.group {
		case groupChar:
			acc = accC
		case groupDarija:
			// Scaled apart, as in training (vectorize).
			acc = accL
		}
		for j, wv := range row {
			acc[j] += int64(wv)
		}
	}
	m.pool.Put(e)
	sw, sc, sl := float64(scale[groupWord]), float64(scale[groupChar]), float64(scale[groupDarija])
	out = out[:0]
	for j := range k {
		st := float64(m.step[j])
		out = append(out, st*(sw*float64(accW[j])+sc*float64(accC[j])+sl*float64(accL[j])+float64(m.q[m.dim*k+j])))
	}
	return out
}

// Predict scores one analysed text.
func (m *Model) Predict(doc *arabic.Doc) Prediction {
	probs := m.decision(doc, make([]float64, 0, len(m.meta.Labels)))
	for j, l := range m.meta.Labels {
		probs[j] = sigmoidPlatt(l.PlattA, l.PlattB, probs[j])
	}
	p := m.decide(probs)
	if len(doc.Tokens) < m.meta.MinTokens {
		p.Flagged = nil
	}
	return p
}

// decide turns calibrated probabilities into a prediction.
func (m *Model) decide(probs []float64) Prediction {
	p := Prediction{Probs: probs}
	labels := m.meta.Labels
	switch m.meta.Mode {
	case Binary:
		p.Label = m.meta.Negative
		if probs[0] >= labels[0].Decision {
			p.Label = labels[0].Name
		}
	case MultiClass:
		// The label whose probability most exceeds its own F1-optimal
		// threshold: a plain argmax starves rare labels (measured on
		// held-out folds: L-HSAB 3-class macro-F1 0.68 -> 0.70).
		best := 0
		for j := range probs {
			if probs[j]/labels[j].Decision > probs[best]/labels[best].Decision {
				best = j
			}
		}
		p.Label = labels[best].Name
	default:
		best := -1
		for j := range probs {
			if probs[j] >= labels[j].Decision && (best < 0 || probs[j] > probs[best]) {
				best = j
			}
		}
		if best >= 0 {
			p.Label = labels[best].Name
		} else {
			p.Label = m.meta.Negative
		}
	}
	for j, l := range labels {
		if l.Name != m.meta.Negative && probs[j] >= l.Flag {
			p.Flagged = append(p.Flagged, j)
		}
	}
	return p
}

// Score returns the calibrated probability that text carries the model's
// positive label: for a binary model the positive label, otherwise the
// highest probability of any label but the negative one. It satisfies a
// `Score(doc) float64` interface such as the rumour desk's
// check-worthiness scorer.
func (m *Model) Score(doc *arabic.Doc) float64 {
	p := m.Predict(doc)
	best := 0.0
	for j, l := range m.meta.Labels {
		if l.Name != m.meta.Negative {
			best = math.Max(best, p.Probs[j])
		}
	}
	return best
}

// LabelIndex returns the index of a scored label, or -1.
func (m *Model) LabelIndex(name string) int {
	for j, l := range m.meta.Labels {
		if l.Name == name {
			return j
		}
	}
	return -1
}

// Explain returns up to k features that pushed the label's score up the
// most, strongest first. Occurrences of the same feature are summed. The
// feature texts are spelled only for the winners, so explaining costs a
// few predictions, not a string per feature.
func (m *Model) Explain(doc *arabic.Doc, label string, k int) []Contribution {
	j := m.LabelIndex(label)
	if j < 0 || k <= 0 {
		return nil
	}
	e := newExtractor(m.meta.Features)
	fs := e.extract(doc)
	scale := groupScales(fs)
	// Contribution of each (slot, group), summed over occurrences.
	type slot = hashed
	sorted := make([]hashed, len(fs))
	copy(sorted, fs)
	slices.SortFunc(sorted, func(a, b hashed) int {
		if a.idx != b.idx {
			return cmp.Compare(a.idx, b.idx)
		}
		return cmp.Compare(a.group, b.group)
	})
	type scored struct {
		s slot
		c float64
	}
	var all []scored
	for _, f := range sorted {
		c := float64(m.weight(int(f.idx), j)) * float64(scale[f.group])
		if n := len(all); n > 0 && all[n-1].s == f {
			all[n-1].c += c
			continue
		}
		all = append(all, scored{f, c})
	}
	slices.SortFunc(all, func(a, b scored) int {
		if a.c != b.c {
			return cmp.Compare(b.c, a.c)
		}
		return cmp.Compare(a.s.idx, b.s.idx)
	})
	var top []slot
	contrib := map[slot]float64{}
	for _, x := range all {
		if x.c <= 0 || len(top) == k {
			break
		}
		top = append(top, x.s)
		contrib[x.s] = x.c
	}
	want := map[slot]int{}
	for i, s := range top {
		want[s] = i
	}
	out := make([]Contribution, len(top))
	e.wanted = func(h hashed) bool {
		_, ok := want[h]
		return ok
	}
	e.explain = func(h hashed, kind, text string) {
		i, ok := want[h]
		if !ok || out[i].Kind != "" {
			return
		}
		if kind == "chars" {
			text = boundaryMarks(text)
		}
		out[i] = Contribution{Kind: kind, Text: text, Weight: contrib[top[i]]}
	}
	e.extract(doc)
	return out
}

func boundaryMarks(s string) string {
	b := []rune(s)
	for i, r := range b {
		if r == ' ' {
			b[i] = '_'
		}
	}
	return string(b)
}
