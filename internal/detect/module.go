package detect

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// Module is a detector family's typed configuration and lifecycle, kept
// in the family's own package (rules.Module, hashmatch.Module, …):
//
//   - Flags binds the configuration to command-line flags;
//   - Validate reports a configuration that cannot run (ErrConfig);
//   - Provision builds the detector, or nil when the configuration leaves
//     the family off; a detector that holds resources implements Closer,
//     and is closed when its generation is retired (Pipeline.Swap);
//   - Files names what the detector was built from, so that a change to
//     any of them rebuilds the whole generation.
//
// The assembly (internal/app.Modules) lists the modules in an explicit
// order, which is the order the detectors run in.
type Module interface {
	Name() string
	Flags(fs *flag.FlagSet)
	Validate() error
	Provision(ctx context.Context, h Host) (Detector, error)
	Files(h Host) []string
}

// Host is what a module may use of the process that runs it.
type Host struct {
	// Home returns a folder of the workspace (Home(false, "banks")),
	// creating it when create is set.
	Home func(create bool, elem ...string) (string, error)
	// Warn reports a problem that does not stop the detector (a model
	// trained with another text engine, an unreadable image).
	Warn func(msg string)
}

// ErrConfig marks a module configuration that cannot run: commands report
// it as a usage error.
var ErrConfig = errors.New("usage error")

// Configf returns an error wrapping ErrConfig.
func Configf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
}

// Provision validates and provisions every module, in order, into one
// generation of detectors; a module that is off adds none. An error names
// the module, and closes what was built before it.
func Provision(ctx context.Context, h Host, mods []Module) ([]Detector, error) {
	var ds []Detector
	for _, m := range mods {
		err := m.Validate()
		var d Detector
		if err == nil {
			d, err = m.Provision(ctx, h)
		}
		if err != nil {
			closeAll(ds)
			return nil, fmt.Errorf("%s: %w", m.Name(), err)
		}
		if d != nil {
			ds = append(ds, d)
		}
	}
	return ds, nil
}
