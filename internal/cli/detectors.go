package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"

	"github.com/basira-org/basira/internal/detect"
)

// DetectorOption plugs a detector family into every command that runs the
// pipeline (scan, serve, worker). Each feature registers one from an init
// function in its own file, e.g. scan_rules.go.
type DetectorOption struct {
	// Name orders detectors in the pipeline and names them in errors.
	Name string
	// Flags defines the option's flags on fs and returns a builder that
	// runs after parsing. The builder returns nil, nil when the user did
	// not turn the detector on.
	Flags func(fs *flag.FlagSet) func(ctx context.Context, env *Env) (detect.Detector, error)
}

var detectorOptions = map[string]DetectorOption{}

// RegisterDetector adds a detector option; it panics on a duplicate name.
func RegisterDetector(o DetectorOption) {
	if _, dup := detectorOptions[o.Name]; dup {
		panic("cli: detector registered twice: " + o.Name)
	}
	detectorOptions[o.Name] = o
}

// detectorFlags defines the flags of every registered detector on fs and
// returns a function that builds the pipeline once fs is parsed.
func detectorFlags(fs *flag.FlagSet) func(ctx context.Context, env *Env) (*detect.Pipeline, error) {
	names := make([]string, 0, len(detectorOptions))
	for name := range detectorOptions {
		names = append(names, name)
	}
	sort.Strings(names)
	builders := make([]func(context.Context, *Env) (detect.Detector, error), len(names))
	for i, name := range names {
		builders[i] = detectorOptions[name].Flags(fs)
	}
	return func(ctx context.Context, env *Env) (*detect.Pipeline, error) {
		var ds []detect.Detector
		for i, build := range builders {
			d, err := build(ctx, env)
			if err != nil {
				detect.NewPipeline(ds...).Close()
				return nil, fmt.Errorf("%s: %w", names[i], err)
			}
			if d != nil {
				ds = append(ds, d)
			}
		}
		return detect.NewPipeline(ds...), nil
	}
}
