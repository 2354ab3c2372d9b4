package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"slices"

	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/models"
)

func init() {
	RegisterDetector(DetectorOption{
		Name: "classify",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env) (detect.Detector, error) {
			var dirs, files strList
			fs.Var(&dirs, "models", "folder of *.model classifiers to run (repeatable); \"builtin\" for the models shipped with Basira (docs/models.md)")
			fs.Var(&files, "model", "one classifier `file` to run (repeatable)")
			explain := fs.Int("model-explain", 5, "features named in each model signal")
			builtin := fs.Bool("default-models", true, "also run the shipped extremism model (models/extremism.model, docs/models.md) when --models does not already load it")
			return func(_ context.Context, env *Env) (detect.Detector, error) {
				var cs []classify.Classifier
				if *builtin && !slices.Contains(dirs, "builtin") {
					m, err := defaultModel()
					if err != nil {
						return nil, err
					}
					if m != nil {
						cs = append(cs, m)
					}
				}
				if len(dirs) == 0 && len(files) == 0 && len(cs) == 0 {
					return nil, nil
				}
				add := func(ms []*classify.Model, from string) {
					for _, m := range ms {
						if m.EngineMismatch() {
							fmt.Fprintf(env.Stderr, "warning: model %s (%s) was trained with another version of the text engine: retrain it for scores that match its figures\n", m.Name(), from)
						}
						cs = append(cs, m)
					}
				}
				for _, d := range dirs {
					var ms []*classify.Model
					var err error
					if d == "builtin" {
						ms, err = classify.LoadFS(models.FS)
					} else {
						ms, err = classify.LoadDir(d)
					}
					if err != nil {
						return nil, err
					}
					add(ms, d)
				}
				for _, f := range files {
					m, err := classify.Load(f)
					if err != nil {
						return nil, err
					}
					add([]*classify.Model{m}, f)
				}
				return classify.NewDetector(cs, *explain), nil
			}
		},
	})
}

// defaultModelFile is the shipped model `scan` and `serve` run by default.
const defaultModelFile = "extremism.model"

// defaultModel loads the shipped extremism model, or returns nil when this
// build carries none.
func defaultModel() (*classify.Model, error) {
	data, err := fs.ReadFile(models.FS, defaultModelFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := classify.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("builtin %s: %w", defaultModelFile, err)
	}
	return m, nil
}
