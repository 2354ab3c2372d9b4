package detector

import (
	"context"
	"flag"
	"fmt"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/sanctions"
)

// Module is the finance detector's configuration (detect.Module): on by
// default, with the sanctions lists of a folder (default: the workspace's,
// when lists were imported).
type Module struct {
	On        bool
	Sanctions string
}

// NewModule returns the default configuration: on.
func NewModule() *Module { return &Module{On: true} }

// Name implements detect.Module.
func (m *Module) Name() string { return "finance" }

// Flags implements detect.Module.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.BoolVar(&m.On, "finance", m.On, "run the finance detector: donation appeals with wallets, IBANs, RIBs, phones or payment links (needs no data)")
	fs.StringVar(&m.Sanctions, "sanctions", "", "`folder` of imported sanctions lists to match wallets and names against (default: the workspace's, when lists were imported)")
}

// Validate implements detect.Module.
func (m *Module) Validate() error { return nil }

// Provision implements detect.Module: nil with --finance=false.
func (m *Module) Provision(_ context.Context, h detect.Host) (detect.Detector, error) {
	if !m.On {
		return nil, nil
	}
	x, err := LoadSanctions(h, m.Sanctions)
	if err != nil {
		return nil, fmt.Errorf("loading sanctions lists: %w", err)
	}
	if x == nil && m.Sanctions != "" {
		return nil, fmt.Errorf("no sanctions list in %s: import one with 'basira sanctions import'", m.Sanctions)
	}
	return &Detector{Index: x}, nil
}

// Files implements detect.Module: the sanctions folder when named.
func (m *Module) Files(detect.Host) []string {
	if m.Sanctions == "" {
		return nil
	}
	return []string{m.Sanctions}
}

// LoadSanctions loads every imported list from dir (or the workspace's
// sanctions folder when dir is ""); it returns nil when no list was
// imported.
func LoadSanctions(h detect.Host, dir string) (*sanctions.Index, error) {
	if dir == "" {
		var err error
		if dir, err = h.Home(false, "sanctions"); err != nil {
			return nil, err
		}
	}
	lists, err := (sanctions.Store{Dir: dir}).Load()
	if err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		return nil, nil
	}
	return sanctions.NewIndex(lists), nil
}
