// Package detect defines what every detector produces (a Signal), the
// Detector interface, and the Pipeline that runs detectors over a post. The
// same pipeline runs in `basira scan` and in the service's workers.
package detect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

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
// must not modify in, nor keep in, in.Doc or in.Doc.Tokens after it
// returns (Pipeline.Run reuses them for the next post; the strings in them
// may be kept); it returns nil when it finds nothing.
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

// Pipeline runs a generation of detectors over posts. A generation is
// fixed: a reload builds a whole new one and Swap puts it in force
// atomically, so a post is always run by one whole generation, the old
// or the new, and the old generation is closed once the posts it is
// running have finished.
type Pipeline struct {
	cur atomic.Pointer[generation]
	mu  sync.Mutex // serialises Swap and Close
}

// generation is one set of detectors and the posts running through it:
// Run holds its read lock, so retiring it (the write lock) waits for them.
type generation struct {
	detectors []Detector
	mu        sync.RWMutex
	retired   bool
}

// NewPipeline returns a pipeline over detectors, run in the given order.
func NewPipeline(detectors ...Detector) *Pipeline {
	p := &Pipeline{}
	p.cur.Store(&generation{detectors: detectors})
	return p
}

// Detectors returns the detectors of the generation in force.
func (p *Pipeline) Detectors() []Detector { return p.cur.Load().detectors }

// Swap puts a new generation of detectors in force. The old one is closed
// (Closer) once the posts it is running have finished; done, when not
// nil, receives the error of closing it.
func (p *Pipeline) Swap(detectors []Detector, done func(error)) {
	p.mu.Lock()
	old := p.cur.Swap(&generation{detectors: detectors})
	p.mu.Unlock()
	go func() {
		err := old.retire()
		if done != nil {
			done(err)
		}
	}()
}

// acquire returns the generation in force, held until release.
func (p *Pipeline) acquire() *generation {
	for {
		g := p.cur.Load()
		g.mu.RLock()
		if !g.retired {
			return g
		}
		if p.cur.Load() == g {
			// The pipeline is closed: run as before on what it holds.
			return g
		}
		// Swapped and retired between the load and the lock: the next
		// load sees the new generation.
		g.mu.RUnlock()
	}
}

// retire waits for the posts running through g, then closes its
// detectors.
func (g *generation) retire() error {
	g.mu.Lock()
	if g.retired {
		g.mu.Unlock()
		return nil
	}
	g.retired = true
	g.mu.Unlock()
	return closeAll(g.detectors)
}

// Analyze computes the shared text analysis of a post. A language given in
// the input is kept; otherwise the detected one is used.
func Analyze(pp *post.Post) *Input {
	doc := arabic.Analyze(pp.Text)
	if pp.Lang != "" {
		doc.Lang = pp.Lang
	}
	return &Input{Post: pp, Doc: doc}
}

// Run analyses the post and runs every detector of the generation in
// force.
//
// Error policy (the same for scan and the service): a detector that fails
// on a post does not stop the others or the stream. Run returns the
// result with every signal the other detectors found, and an error naming
// each failed detector and the post; the caller reports it (scan on
// stderr and in its exit status, the service in its log and metrics) and
// goes on with the next post.
// It also runs them on the text read inside the post's attachments
// (post.Media.OCR).
func (p *Pipeline) Run(ctx context.Context, pp *post.Post) (*Result, error) {
	g := p.acquire()
	defer g.mu.RUnlock()
	in := inputs.Get().(*Input)
	in.Post = pp
	in.Doc = arabic.AnalyzeInto(in.Doc, pp.Text)
	if pp.Lang != "" {
		in.Doc.Lang = pp.Lang
	}
	defer func() {
		// Detectors use in only while Detect runs (the Detector contract):
		// the Doc and its token slice go to the next post.
		if cap(in.Doc.Tokens) > 1<<12 {
			return // a huge post: let its tokens go
		}
		clear(in.Doc.Tokens)
		*in = Input{Doc: in.Doc}
		inputs.Put(in)
	}()
	res := &Result{ID: pp.ID, Lang: in.Doc.Lang, Signals: []Signal{}}
	var errs []error
	for _, d := range g.detectors {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		sigs, err := d.Detect(ctx, in)
		if err != nil {
			errs = append(errs, fmt.Errorf("detector %s on post %q: %w", d.Name(), pp.ID, err))
			continue
		}
		res.Signals = append(res.Signals, sigs...)
	}
	sigs, err := runMediaText(ctx, g.detectors, pp)
	res.Signals = append(res.Signals, sigs...)
	SortSignals(res.Signals)
	return res, errors.Join(append(errs, err)...)
}

// SortSignals orders signals by severity then score, strongest first, so
// the first signal is what an analyst should read first.
// inputs pools the Input and Doc of Run, with the Doc's token slice.
var inputs = sync.Pool{New: func() any { return &Input{Doc: &arabic.Doc{}} }}

func SortSignals(s []Signal) {
	if len(s) < 2 {
		return // nothing to order, and sort.SliceStable allocates
	}
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

// Close closes the generation in force once the posts it is running
// have finished: every detector that holds resources (Closer).
func (p *Pipeline) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur.Load().retire()
}

func closeAll(ds []Detector) error {
	var first error
	for _, d := range ds {
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
