package retrieve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/detect"
)

// Module is the claims detector's configuration (detect.Module): the
// fact-checks to match posts to (a file, or "store" for the workspace
// store), the re-ranker, and when a match becomes a signal.
type Module struct {
	Path      string
	Model     string
	Threshold float64
	Top       int
}

// NewModule returns the default configuration (off).
func NewModule() *Module { return &Module{Threshold: DefaultThreshold, Top: 1} }

// Name implements detect.Module.
func (m *Module) Name() string { return "claims" }

// Flags implements detect.Module.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.StringVar(&m.Path, "claims", "", `match posts to fact-checked claims: a fact-check file (ClaimReview, JSONL, CSV, TSV) or "store" for the workspace store`)
	fs.StringVar(&m.Model, "claims-model", "", "claim re-ranker model (default: the workspace model from 'basira claims train')")
	fs.Float64Var(&m.Threshold, "claims-threshold", m.Threshold, "least match probability that makes a claim signal")
	fs.IntVar(&m.Top, "claims-top", m.Top, "most claim signals per post")
}

// Validate implements detect.Module.
func (m *Module) Validate() error {
	if m.Path == "" {
		return nil
	}
	if m.Threshold < 0 || m.Threshold > 1 {
		return detect.Configf("--claims-threshold must be between 0 and 1, not %g", m.Threshold)
	}
	if m.Top < 1 {
		return detect.Configf("--claims-top must be at least 1")
	}
	return nil
}

// Provision implements detect.Module: nil without --claims.
func (m *Module) Provision(ctx context.Context, h detect.Host) (detect.Detector, error) {
	if m.Path == "" {
		return nil, nil
	}
	file := m.Path
	if file == "store" {
		file = ""
	}
	mt, err := LoadMatcher(ctx, h, file, m.Model)
	if err != nil {
		return nil, fmt.Errorf("--claims: %w", err)
	}
	d := NewDetector(mt)
	d.Threshold, d.Top = m.Threshold, m.Top
	return d, nil
}

// Files implements detect.Module: "store" is the workspace fact-check
// folder, which the API and 'basira claims import' write to while serve
// runs.
func (m *Module) Files(h detect.Host) []string {
	if m.Path == "store" {
		dir, err := h.Home(false, "claims")
		if err != nil {
			return nil
		}
		return []string{dir}
	}
	if m.Path == "" {
		return nil
	}
	return []string{m.Path, m.Model}
}

// LoadMatcher is a matcher over the claims of path ("" means the
// workspace store) ranked by the re-ranker of modelPath ("" means the
// workspace model, else the untrained fallback).
func LoadMatcher(ctx context.Context, h detect.Host, path, modelPath string) (*Matcher, error) {
	cs, err := LoadClaims(ctx, h, path)
	if err != nil {
		return nil, err
	}
	rr, err := LoadReranker(h, modelPath)
	if err != nil {
		return nil, err
	}
	return NewMatcher(NewIndex(cs, Options{}), rr), nil
}

// LoadClaims reads the claims of path ("" means the workspace store);
// bad items of a file go to h.Warn.
func LoadClaims(ctx context.Context, h detect.Host, path string) ([]claims.Claim, error) {
	if path != "" {
		cs, _, err := claims.ReadFile(path, "", func(e error) { h.Warn(e.Error()) })
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, fmt.Errorf("%s holds no fact-check", path)
		}
		return cs, nil
	}
	dir, err := h.Home(false, "claims")
	if err != nil {
		return nil, err
	}
	st := claims.WorkspaceStore(dir)
	cs, err := st.All(ctx)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("the fact-check store %s is empty: add fact-checks with 'basira claims import FILE', or name a file with --claims", st.Path())
	}
	return cs, nil
}

// LoadReranker reads path, else the workspace model, else returns the
// untrained fallback with a note to h.Warn.
func LoadReranker(h detect.Host, path string) (Reranker, error) {
	if path != "" {
		return LoadModel(path)
	}
	dir, err := h.Home(false, "claims")
	if err != nil {
		return nil, err
	}
	m, err := LoadModel(filepath.Join(dir, "reranker.json"))
	if errors.Is(err, fs.ErrNotExist) {
		h.Warn("note: no trained claim re-ranker in the workspace; ranking with the untrained fallback (run 'basira claims train')")
		return DefaultModel(), nil
	}
	if errors.Is(err, ErrModelFormat) {
		// An older version's model: its probabilities are not calibrated
		// the way this version's thresholds expect.
		h.Warn(fmt.Sprintf("note: %v; ranking with the untrained fallback until then", err))
		return DefaultModel(), nil
	}
	return m, err
}
