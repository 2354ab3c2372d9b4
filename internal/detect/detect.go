// Package detect defines what every detector produces (a Signal), the
// Detector interface, and the Pipeline that runs detectors over a post. The
// same pipeline runs in `basira scan` and in the service's workers.
package detect

import (
	"context"
	"fmt"
	"sort"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/post"
)

// Severity levels, as analysts write them in rules.
const (
	Low    = "low"
	Medium = "medium"
	High   = "high"
)

// Signal kinds: which family of detector produced a signal.
const (
	KindRule    = "rule"
	KindHash    = "hash"
	KindModel   = "model"
	KindFinance = "finance"
	KindClaim   = "claim"
)

// Span is a byte range [Start, End) of the post's original text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Signal is one finding about a post. Evidence is always taken from the
// original text (or names the bank entry, wallet, or claim), never from a
// folded form, so an analyst sees what was posted.
type Signal struct {
	Detector string  `json:"detector"`
	Kind     string  `json:"kind,omitempty"`
	Rule     string  `json:"rule,omitempty"`
	Label    string  `json:"label"`
	Severity string  `json:"severity,omitempty"`
	Score    float64 `json:"score"`
	Evidence string  `json:"evidence,omitempty"`
	Spans    []Span  `json:"spans,omitempty"`
	// Details carries detector-specific evidence: bank and entry and
	// distance for a hash match, the claim and its correction for a claim
	// match, the list and entry for a sanctions hit, the features that drove
	// a model's score.
	Details map[string]any `json:"details,omitempty"`
}

// Input is a post together with its text analysis, computed once and
// shared by all detectors.
type Input struct {
	Post *post.Post
	Doc  *arabic.Doc
}

// Detector inspects one post. Detect must be safe for concurrent use and
// must not modify in; it returns nil when it finds nothing.
type Detector interface {
	Name() string
	Detect(ctx context.Context, in *Input) ([]Signal, error)
}

// Closer is implemented by detectors that hold resources.
type Closer interface {
	Close() error
}

// Result is the verdict on one post.
type Result struct {
	ID      string   `json:"id"`
	Lang    string   `json:"lang"`
	Signals []Signal `json:"signals"`
}

// Pipeline runs a fixed list of detectors.
type Pipeline struct {
	detectors []Detector
}

// NewPipeline returns a pipeline over detectors, run in the given order.
func NewPipeline(detectors ...Detector) *Pipeline {
	return &Pipeline{detectors: detectors}
}

// Detectors returns the detectors of the pipeline.
func (p *Pipeline) Detectors() []Detector { return p.detectors }

// Analyze computes the shared text analysis of a post. A language given in
// the input is kept; otherwise the detected one is used.
func Analyze(pp *post.Post) *Input {
	doc := arabic.Analyze(pp.Text)
	if pp.Lang != "" {
		doc.Lang = pp.Lang
	}
	return &Input{Post: pp, Doc: doc}
}

// Run analyses the post and runs every detector, on its text and on the
// text read inside its attachments (post.Media.OCR). A detector error is
// returned wrapped with the detector's name; signals found before it are
// kept in the result.
func (p *Pipeline) Run(ctx context.Context, pp *post.Post) (*Result, error) {
	in := Analyze(pp)
	res := &Result{ID: pp.ID, Lang: in.Doc.Lang, Signals: []Signal{}}
	for _, d := range p.detectors {
		sigs, err := d.Detect(ctx, in)
		if err != nil {
			return res, fmt.Errorf("detector %s on post %q: %w", d.Name(), pp.ID, err)
		}
		res.Signals = append(res.Signals, sigs...)
	}
	sigs, err := p.runMediaText(ctx, pp)
	res.Signals = append(res.Signals, sigs...)
	SortSignals(res.Signals)
	return res, err
}

// SortSignals orders signals by severity then score, strongest first, so
// the first signal is what an analyst should read first.
func SortSignals(s []Signal) {
	sort.SliceStable(s, func(i, j int) bool {
		ri, rj := severityRank(s[i].Severity), severityRank(s[j].Severity)
		if ri != rj {
			return ri > rj
		}
		return s[i].Score > s[j].Score
	})
}

func severityRank(s string) int {
	switch s {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// Close closes every detector that holds resources.
func (p *Pipeline) Close() error {
	var first error
	for _, d := range p.detectors {
		if c, ok := d.(Closer); ok {
			if err := c.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// Describer is implemented by detectors that can say in a few words what
// they run (how many rules, from where; which models), for the line
// `scan` and `serve` print at start.
type Describer interface {
	Describe() string
}

// Describe is the detector's name and, when it has one, its description.
func Describe(d Detector) string {
	if x, ok := d.(Describer); ok {
		if s := x.Describe(); s != "" {
			return d.Name() + " (" + s + ")"
		}
	}
	return d.Name()
}
