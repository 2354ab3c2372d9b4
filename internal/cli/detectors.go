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
	// WatchPaths, when set, names the files and folders the detector is
	// built from, for reloading in serve; by default they are the existing
	// paths named by the option's own flags.
	WatchPaths func(env *Env, fs *flag.FlagSet) []string
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
	ownFlags := make([][]string, len(names)) // the flags each option defined
	for i, name := range names {
		before := map[string]bool{}
		fs.VisitAll(func(f *flag.Flag) { before[f.Name] = true })
		builders[i] = detectorOptions[name].Flags(fs)
		fs.VisitAll(func(f *flag.Flag) {
			if !before[f.Name] {
				ownFlags[i] = append(ownFlags[i], f.Name)
			}
		})
	}
	return func(ctx context.Context, env *Env) (*detect.Pipeline, error) {
		var ds []detect.Detector
		for i, build := range builders {
			d, err := build(ctx, env)
			if err != nil {
				detect.NewPipeline(ds...).Close()
				return nil, fmt.Errorf("%s: %w", names[i], err)
			}
			if d == nil {
				continue
			}
			// A detector built from files can be reloaded when they change.
			paths := flagPaths(fs, ownFlags[i])
			if watch := detectorOptions[names[i]].WatchPaths; watch != nil {
				paths = watch(env, fs)
			}
			if len(paths) > 0 {
				r := &reloadable{name: names[i], env: env, build: build, paths: paths, stamp: filesStamp(paths)}
				r.cur.Store(&detectorBox{d})
				d = r
			}
			ds = append(ds, d)
		}
		return detect.NewPipeline(ds...), nil
	}
}
