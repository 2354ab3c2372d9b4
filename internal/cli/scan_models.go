package cli

import (
	"context"
	"flag"
	"fmt"

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
			return func(_ context.Context, env *Env) (detect.Detector, error) {
				if len(dirs) == 0 && len(files) == 0 {
					return nil, nil
				}
				var cs []classify.Classifier
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
