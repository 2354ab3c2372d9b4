package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/basira-org/basira/arabic"
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
		Help: `Runs the extremism model (default: the shipped one) over the reference
data's extremism sets and Basira's benign families, and prints the share
flagged at the model's own threshold: recall on the Alfifi et al. Arabic
ISIS-account tweets (all, and those whose support is plain from the text,
llm_isis_votes = 8) and on the hand-labelled Fifth Tribe propaganda
tweets; false flags on the Alfifi random tweets, on the other tweets of
the same Fifth Tribe accounts and on each benign family. --by-lang adds a
row per language; --show prints missed (positive sets) or flagged
(benign sets) texts for a person to read. --detection measures what
'basira scan' runs with no flags instead (the built-in jihadist pack,
the shipped model and the finance detector): a post counts as flagged
when any of them raises a signal.

Examples:
  basira models extremism
  basira models extremism --detection --show 10
  basira models extremism --model ~/basira-models/extremism-alfifi.model --by-lang --show 5`,
		Run: runModelsExtremism,
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
	fs := flag.NewFlagSet("detection", flag.ContinueOnError)
	build := detectorFlags(fs)
	if err := fs.Parse(nil); err != nil {
		return nil, err
	}
	pipe, err := build(ctx, &Env{Stdout: env.Stdout, Stderr: env.Stderr, Getenv: env.Getenv})
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
