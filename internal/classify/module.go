package classify

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/models"
)

// Module is the model detector's configuration (detect.Module): model
// folders ("builtin" for the shipped models), model files, and the
// shipped extremism model that runs by default.
type Module struct {
	Dirs, ModelFiles []string
	Explain          int
	Default          bool
}

// NewModule returns the default configuration: the shipped model on.
func NewModule() *Module { return &Module{Explain: 5, Default: true} }

// Name implements detect.Module.
func (m *Module) Name() string { return "classify" }

// Flags implements detect.Module.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.Var((*listFlag)(&m.Dirs), "models", "folder of *.model classifiers to run (repeatable); \"builtin\" for the models shipped with Basira (docs/models.md)")
	fs.Var((*listFlag)(&m.ModelFiles), "model", "one classifier `file` to run (repeatable)")
	fs.IntVar(&m.Explain, "model-explain", m.Explain, "features named in each model signal")
	fs.BoolVar(&m.Default, "default-models", m.Default, "also run the shipped extremism model (models/extremism.model, docs/models.md) when --models does not already load it")
}

// Validate implements detect.Module.
func (m *Module) Validate() error { return nil }

// Provision implements detect.Module: nil when no model is named and the
// build ships none.
func (m *Module) Provision(_ context.Context, h detect.Host) (detect.Detector, error) {
	var cs []Classifier
	if m.Default && !slices.Contains(m.Dirs, "builtin") {
		d, err := DefaultModel()
		if err != nil {
			return nil, err
		}
		if d != nil {
			cs = append(cs, d)
		}
	}
	if len(m.Dirs) == 0 && len(m.ModelFiles) == 0 && len(cs) == 0 {
		return nil, nil
	}
	add := func(ms []*Model, from string) {
		for _, x := range ms {
			if x.EngineMismatch() {
				h.Warn(fmt.Sprintf("warning: model %s (%s) was trained with another version of the text engine: retrain it for scores that match its figures", x.Name(), from))
			}
			cs = append(cs, x)
		}
	}
	for _, d := range m.Dirs {
		ms, err := LoadDirOrBuiltin(d)
		if err != nil {
			return nil, err
		}
		add(ms, d)
	}
	for _, f := range m.ModelFiles {
		x, err := Load(f)
		if err != nil {
			return nil, err
		}
		add([]*Model{x}, f)
	}
	return NewDetector(cs, m.Explain), nil
}

// Files implements detect.Module: the model folders and files.
func (m *Module) Files(detect.Host) []string {
	return slices.DeleteFunc(append(append([]string(nil), m.Dirs...), m.ModelFiles...), func(p string) bool { return p == "builtin" })
}

// LoadDirOrBuiltin loads the *.model files of dir, or the shipped models
// for "builtin".
func LoadDirOrBuiltin(dir string) ([]*Model, error) {
	if dir == "builtin" {
		return LoadFS(models.FS)
	}
	return LoadDir(dir)
}

// DefaultModelFile is the shipped model `scan` and `serve` run by default.
const DefaultModelFile = "extremism.model"

// DefaultModel loads the shipped extremism model, or returns nil when this
// build carries none.
func DefaultModel() (*Model, error) {
	data, err := fs.ReadFile(models.FS, DefaultModelFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	x, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("builtin %s: %w", DefaultModelFile, err)
	}
	return x, nil
}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
