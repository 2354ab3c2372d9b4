package hashmatch

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/vpdq"
)

// Module is the banks detector's configuration (detect.Module): a folder
// of hash banks matched against post media and text.
type Module struct {
	Dir      string
	Dihedral bool
	// Shared, when set, is the bank registry the API serves; a detector
	// on the same folder matches against its banks and follows its
	// changes at once (see Shared).
	Shared *Shared
}

// Name implements detect.Module.
func (m *Module) Name() string { return "banks" }

// Flags implements detect.Module.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.StringVar(&m.Dir, "banks", "", "match post media and text against the hash banks in `DIR` (see 'basira bank')")
	fs.BoolVar(&m.Dihedral, "banks-dihedral", false, "with --banks, also match images rotated and mirrored")
}

// Validate implements detect.Module.
func (m *Module) Validate() error {
	if m.Dir == "" {
		return nil
	}
	if st, err := os.Stat(m.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("--banks %s: not a folder of banks (create banks with 'basira bank create --dir %s')", m.Dir, m.Dir)
	}
	return nil
}

// Provision implements detect.Module: nil without --banks.
func (m *Module) Provision(ctx context.Context, h detect.Host) (detect.Detector, error) {
	if m.Dir == "" {
		return nil, nil
	}
	// Warnings come one line at a time from any worker.
	var mu sync.Mutex
	setup := func(d *Detector) {
		d.Dihedral = m.Dihedral
		d.Warn = func(msg string) {
			mu.Lock()
			defer mu.Unlock()
			h.Warn("warning: " + msg)
		}
		if d.Matcher().Has(VPDQ) {
			// Local videos are hashed with vPDQ through ffmpeg.
			if err := video.Check(); err != nil {
				h.Warn(fmt.Sprintf("warning: local videos are matched by MD5 and SHA-256 only: %v", err))
			} else {
				d.Video = func(ctx context.Context, path string) ([]vpdq.Feature, error) {
					r, err := video.HashFile(ctx, path, video.Options{})
					if err != nil {
						return nil, err
					}
					return r.Features, nil
				}
			}
		}
	}
	if m.Shared.Serves(m.Dir) {
		if len(m.Shared.Registry().All()) == 0 {
			return nil, fmt.Errorf("--banks %s: no banks in the folder", m.Dir)
		}
		return m.Shared.detector(setup), nil
	}
	banks, err := LoadAll(ctx, &DirStore{Dir: m.Dir})
	if err != nil {
		return nil, err
	}
	if len(banks) == 0 {
		return nil, fmt.Errorf("--banks %s: no banks in the folder", m.Dir)
	}
	d := NewDetector(NewMatcher(banks...), "")
	setup(d)
	return d, nil
}

// Files implements detect.Module: the bank folder, unless the shared
// registry keeps the detector in step with it.
func (m *Module) Files(detect.Host) []string {
	if m.Dir == "" || m.Shared.Serves(m.Dir) {
		return nil
	}
	return []string{m.Dir}
}
