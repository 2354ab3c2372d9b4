package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/classify/eval"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/models"
)

func init() {
	Register(&Command{
		Name:    "models extremism",
		Summary: "measure an extremism model: recall on real pro-ISIS tweets, false flags on hard negatives",
		Usage:   "[--model FILE | --detection] [--data DIR] [--show N] [--by-lang]",
		Run:     runModelsExtremism,
	})
}

func runModelsExtremism(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	file := fs.String("model", "", "model `file` (default: the shipped extremism model)")
	data := dataFlag(fs, "")
	show := fs.Int("show", 0, "print up to N missed or falsely flagged texts per set")
	byLang := fs.Bool("by-lang", false, "add a row per language")
	detection := fs.Bool("detection", false, "measure the default detection of scan (pack + model + finance), not a model alone")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if *detection && *file != "" {
		return Usagef("give --model or --detection, not both")
	}
	var m *classify.Model
	if *file != "" {
		var err error
		if m, err = classify.Load(*file); err != nil {
			return err
		}
	} else {
		ms, err := classify.LoadFS(models.FS)
		if err != nil {
			return err
		}
		for _, x := range ms {
			if x.Name() == "extremism" {
				m = x
			}
		}
		if m == nil {
			return fmt.Errorf("no shipped extremism model: give --model FILE")
		}
	}
	dir, _ := dataDir(env, *data, false)
	var rows []classify.EvalRow
	var err error
	if *detection {
		rows, err = evaluateDefaultDetection(ctx, env, dir)
	} else {
		rows, err = classify.EvaluateExtremism(m, dir)
	}
	if err != nil {
		return err
	}
	eval.ExtremismTable(env.Stdout, rows, *byLang, *show)
	return nil
}

// evaluateDefaultDetection runs the pipeline `scan` builds with no flags
// over the extremism sets.
func evaluateDefaultDetection(ctx context.Context, env *Env, dataDir string) ([]classify.EvalRow, error) {
	pipe, err := app.NewModules().Build(ctx, host(env))
	if err != nil {
		return nil, err
	}
	defer pipe.Close()
	var runErr error
	rows, err := classify.EvaluateExtremismWith(func(doc *arabic.Doc) bool {
		in := &detect.Input{Post: &post.Post{Text: doc.Original}, Doc: doc}
		for _, d := range pipe.Detectors() {
			sigs, err := d.Detect(ctx, in)
			if err != nil && runErr == nil {
				runErr = err
			}
			if len(sigs) > 0 {
				return true
			}
		}
		return false
	}, dataDir)
	if err == nil {
		err = runErr
	}
	return rows, err
}
