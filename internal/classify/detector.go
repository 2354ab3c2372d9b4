package classify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/detect"
)

// Detector runs classifiers over posts in the detection pipeline. A label
// is reported when its calibrated probability reaches the model's flag
// threshold, which training set on measured precision.
type Detector struct {
	models  []Classifier
	explain int
}

var _ detect.Detector = (*Detector)(nil)

// NewDetector returns a detector over models; explain is how many
// features each signal names (0 for none).
func NewDetector(models []Classifier, explain int) *Detector {
	return &Detector{models: models, explain: explain}
}

// Name implements detect.Detector.
func (d *Detector) Name() string { return "classify" }

// Models returns the detector's models.
func (d *Detector) Models() []Classifier { return d.models }

// Detect implements detect.Detector.
func (d *Detector) Detect(_ context.Context, in *detect.Input) ([]detect.Signal, error) {
	var out []detect.Signal
	for _, c := range d.models {
		p := c.Predict(in.Doc)
		meta := c.Info()
		for _, j := range p.Flagged {
			l := meta.Labels[j]
			s := detect.Signal{
				Detector: "classify",
				Kind:     detect.KindModel,
				Label:    l.Display,
				Score:    p.Probs[j],
				Details: map[string]any{
					"model":     meta.Name,
					"version":   meta.Version,
					"label":     l.Name,
					"threshold": l.Flag,
				},
			}
			if s.Label == "" {
				s.Label = l.Name
			}
			if ex, ok := c.(Explainer); ok && d.explain > 0 {
				feats := ex.Explain(in.Doc, l.Name, d.explain)
				s.Details["features"] = feats
				s.Spans = featureSpans(in.Doc, feats)
				if len(s.Spans) > 0 {
					sp := s.Spans[0]
					s.Evidence = in.Doc.Original[sp.Start:sp.End]
				}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// featureSpans points the explaining features back at the words of the
// original text they came from, so the evidence is what was posted.
func featureSpans(doc *arabic.Doc, feats []Contribution) []detect.Span {
	var spans []detect.Span
	seen := map[int]bool{}
	for _, f := range feats {
		if f.Kind == "lexicon" {
			for _, r := range lexiconSpans(doc.Tokens, f.Text) {
				if !seen[r[0]] {
					seen[r[0]] = true
					spans = append(spans, detect.Span{Start: doc.Tokens[r[0]].Start, End: doc.Tokens[r[1]-1].End})
				}
			}
			continue
		}
		for i := range doc.Tokens {
			t := &doc.Tokens[i]
			w := tokenText(t)
			hit := false
			switch f.Kind {
			case "word":
				hit = w == f.Text
			case "stem":
				hit = t.Base == f.Text
			case "phrase":
				first, _, _ := strings.Cut(f.Text, " ")
				hit = w == first
			case "chars":
				// Short n-grams (a boundary and a letter) occur in most
				// words; they explain a score but point at nothing.
				hit = utf8.RuneCountInString(strings.Trim(f.Text, "_")) >= 3 && strings.Contains("_"+w+"_", f.Text)
			}
			if hit && !seen[i] {
				seen[i] = true
				end := t.End
				if f.Kind == "phrase" && i+1 < len(doc.Tokens) {
					end = doc.Tokens[i+1].End
				}
				spans = append(spans, detect.Span{Start: t.Start, End: end})
			}
		}
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].Start < spans[b].Start })
	return spans
}

// LoadDir loads every *.model file of a folder, in name order. Any other
// model-like file (*.onnx) is refused with a message rather than skipped,
// so an operator does not believe a model is running when it is not.
func LoadDir(dir string) ([]*Model, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ms []*Model
	var errs []error
	for _, e := range ents {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.IsDir() || (ext != ".model" && ext != ".onnx") {
			continue
		}
		m, err := Load(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ms = append(ms, m)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("%s: no *.model file (train one with `basira train`)", dir)
	}
	return ms, nil
}

// LoadFS loads every *.model file at the top of fsys (the shipped models).
func LoadFS(fsys fs.FS) ([]*Model, error) {
	names, err := fs.Glob(fsys, "*.model")
	if err != nil {
		return nil, err
	}
	var ms []*Model
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		m, err := Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(n), err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}
