package retrieve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// Reranker orders the candidates of one post: it sets Score (higher is a
// better match) and Prob (the estimated chance that the post repeats the
// claim) of every candidate. LinearModel is the built-in one.
//
// The interface is open for a neural cross-encoder that an operator
// supplies (for instance an ONNX model run through ONNX Runtime): such a
// Reranker reads the post text and each Candidate.Claim's Text and Title,
// may mix in the lexical Features, and sets the same two fields. Basira
// ships no such model and downloads none; see docs/claims.md.
type Reranker interface {
	// Rerank scores cands for the post whose text is post and whose
	// analysis is t.
	Rerank(ctx context.Context, post string, t *Text, cands []Candidate) error
}

// LinearModel scores a candidate as w·standardize(features) + bias (trained
// pairwise, RankNet with a linear scorer) and estimates the probability of
// a match with a second, pointwise, logistic regression.
type LinearModel struct {
	Format   string    `json:"format"` // "basira-claims-linear/2"
	Features []string  `json:"features"`
	Mean     []float64 `json:"mean"`
	Std      []float64 `json:"std"`
	Weights  []float64 `json:"weights"`
	Bias     float64   `json:"bias"`
	// Prob = 1/(1+exp(-(ProbWeights·standardize(features)+ProbBias))): a
	// pointwise logistic regression, trained apart from the ranking
	// weights so that it is calibrated across posts, not only within one.
	ProbWeights []float64 `json:"prob_weights"`
	ProbBias    float64   `json:"prob_bias"`
	// Trained describes the training data and figures, for people.
	Trained string `json:"trained,omitempty"`
}

const linearFormat = "basira-claims-linear/2"

var _ Reranker = (*LinearModel)(nil)

// DefaultModel is the untrained fallback used when no model was trained:
// hand-set weights on claim coverage and first-stage score. It ranks well
// below a trained model (see docs/claims.md); train one with
// `basira claims train`.
func DefaultModel() *LinearModel {
	m := &LinearModel{
		Format:   linearFormat,
		Features: slices.Clone(FeatureNames),
		Mean:     make([]float64, nFeatures),
		Std:      make([]float64, nFeatures),
		Weights:  make([]float64, nFeatures),
		Trained:  "untrained fallback: hand-set weights",
	}
	for i := range m.Std {
		m.Std[i] = 1
	}
	m.Weights[xFirstRel] = 4
	m.Weights[xCovClaimS] = 2
	m.Weights[xCovClaimGram] = 2
	m.Bias = -6
	// Prob: most of the claim's stems and n-grams are in the post.
	m.ProbWeights = make([]float64, nFeatures)
	m.ProbWeights[xCovClaimS] = 6
	m.ProbWeights[xCovClaimGram] = 4
	m.ProbWeights[xFirstRel] = 1
	m.ProbBias = -8
	return m
}

// FirstStageOnly ranks by the first-stage BM25 score alone: the baseline
// that evaluations print beside the re-ranker.
func FirstStageOnly() *LinearModel {
	m := DefaultModel()
	clear(m.Weights)
	m.Bias = 0
	m.Weights[xFirst] = 1
	m.Trained = "first stage only"
	return m
}

// Rerank implements Reranker.
func (m *LinearModel) Rerank(_ context.Context, _ string, _ *Text, cands []Candidate) error {
	for i := range cands {
		cands[i].Score = m.score(cands[i].Features)
		cands[i].Prob = sigmoid(m.prob(cands[i].Features))
	}
	return nil
}

func (m *LinearModel) score(x []float64) float64 {
	s := m.Bias
	for j, v := range x {
		s += m.Weights[j] * (v - m.Mean[j]) / m.Std[j]
	}
	return s
}

func (m *LinearModel) prob(x []float64) float64 {
	s := m.ProbBias
	for j, v := range x {
		s += m.ProbWeights[j] * (v - m.Mean[j]) / m.Std[j]
	}
	return s
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Validate checks that the model fits this version's features.
func (m *LinearModel) Validate() error {
	if m.Format != linearFormat {
		return fmt.Errorf("model format %q is not %q", m.Format, linearFormat)
	}
	if !slices.Equal(m.Features, FeatureNames) {
		return errors.New("the model was trained on other features than this version computes: retrain it with 'basira claims train'")
	}
	if len(m.Mean) != nFeatures || len(m.Std) != nFeatures || len(m.Weights) != nFeatures || len(m.ProbWeights) != nFeatures {
		return errors.New("the model's vectors do not have one value per feature")
	}
	for _, s := range m.Std {
		if !(s > 0) {
			return errors.New("the model has a non-positive feature scale")
		}
	}
	return nil
}

// Model is the re-ranker Basira trains and stores: one linear model for
// posts mostly in Arabic script (Arabizi included) and one for posts in
// Latin script. Features behave differently across scripts (stems,
// n-grams, names), and cross-validation on the training splits ranked
// per-script models above one joint model.
type Model struct {
	Format string       `json:"format"` // "basira-claims-reranker/2"
	Arabic *LinearModel `json:"arabic"`
	Latin  *LinearModel `json:"latin"`
	// Trained describes the training data and figures, for people.
	Trained string `json:"trained,omitempty"`
}

// modelFormat/2: the probability reads only collection-size-free features
// and is calibrated on never-checked rumours; /1 models put small
// collections' matches far too low, so they are refused (retrain).
const modelFormat = "basira-claims-reranker/2"

var _ Reranker = (*Model)(nil)

// NewModel returns a Model of two linear models; nil ones fall back to
// DefaultModel.
func NewModel(arabic, latin *LinearModel, trained string) *Model {
	if arabic == nil {
		arabic = DefaultModel()
	}
	if latin == nil {
		latin = DefaultModel()
	}
	return &Model{Format: modelFormat, Arabic: arabic, Latin: latin, Trained: trained}
}

// Rerank implements Reranker with the model of the post's script.
func (m *Model) Rerank(ctx context.Context, post string, t *Text, cands []Candidate) error {
	if t != nil && t.Arabic {
		return m.Arabic.Rerank(ctx, post, t, cands)
	}
	return m.Latin.Rerank(ctx, post, t, cands)
}

// ErrModelFormat is wrapped by ReadModel's error for a model written by
// another version of Basira.
var ErrModelFormat = errors.New("a model of another format")

// ReadModel reads a model written by WriteModel.
func ReadModel(r io.Reader) (*Model, error) {
	var m Model
	dec := json.NewDecoder(io.LimitReader(r, 4<<20))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a claims re-ranker model: %w", err)
	}
	if m.Format != modelFormat {
		return nil, fmt.Errorf("model format %q is not %q (%w): retrain it with 'basira claims train'", m.Format, modelFormat, ErrModelFormat)
	}
	if m.Arabic == nil || m.Latin == nil {
		return nil, errors.New("the model lacks its arabic or latin part: retrain it with 'basira claims train'")
	}
	for _, lm := range []*LinearModel{m.Arabic, m.Latin} {
		if err := lm.Validate(); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// WriteModel writes m as indented JSON.
func (m *Model) WriteModel(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// LoadModel reads a model file.
func LoadModel(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
