package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/detect"
)

// reloadable wraps a detector built from files (rule files, a bank
// folder, a fact-check file, a model folder). checkReload rebuilds it when
// any of those files changes, and swaps the new detector in atomically:
// a post is always matched by one whole detector, the old or the new. A
// file that no longer builds leaves the detector in force untouched.
//
// The files are those named by the detector option's own flags, so every
// detector family reloads the same way without code of its own.
type reloadable struct {
	name  string
	env   *Env
	build func(context.Context, *Env) (detect.Detector, error)
	paths []string

	cur   atomic.Pointer[detectorBox]
	stamp string

	mu sync.Mutex // held by checkReload and takeOver
	// own, when set, replaces the check of the files: another part of
	// serve keeps the detector in step with them itself (serve_banks.go).
	own func(context.Context) (bool, error)
}

// takeOver calls f with the detector in force while no reload runs; the
// check f returns, if not nil, replaces the check of the files from then on.
func (r *reloadable) takeOver(f func(detect.Detector) func(context.Context) (bool, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if own := f(r.cur.Load().d); own != nil {
		r.own = own
	}
}

type detectorBox struct{ d detect.Detector }

func (r *reloadable) Name() string { return r.cur.Load().d.Name() }

func (r *reloadable) Detect(ctx context.Context, in *detect.Input) ([]detect.Signal, error) {
	return r.cur.Load().d.Detect(ctx, in)
}

// Close closes the detector in force.
func (r *reloadable) Close() error {
	if c, ok := r.cur.Load().d.(detect.Closer); ok {
		return c.Close()
	}
	return nil
}

// checkReload rebuilds the detector if its files changed. It reports
// whether it swapped a new detector in.
func (r *reloadable) checkReload(ctx context.Context) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.own != nil {
		return r.own(ctx)
	}
	stamp := filesStamp(r.paths)
	if stamp == r.stamp {
		return false, nil
	}
	d, err := r.build(ctx, r.env)
	if err != nil {
		r.stamp = stamp // report a broken file once, not every tick
		return false, err
	}
	if d == nil {
		return false, nil
	}
	old := r.cur.Swap(&detectorBox{d})
	r.stamp = stamp
	if c, ok := old.d.(detect.Closer); ok {
		// Posts already inside the old detector finish first.
		time.AfterFunc(30*time.Second, func() { c.Close() })
	}
	return true, nil
}

// flagPaths returns the existing files and folders named by the values of
// the flags in names (comma-separated lists are split).
func flagPaths(fs *flag.FlagSet, names []string) []string {
	var values []string
	for _, name := range names {
		if f := fs.Lookup(name); f != nil {
			for _, v := range strings.Split(f.Value.String(), ",") {
				if v = strings.TrimSpace(v); v != "" {
					values = append(values, v)
				}
			}
		}
	}
	return existingPaths(values...)
}

// existingPaths returns those of paths that exist.
func existingPaths(paths ...string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// filesStamp fingerprints files and folders (names, sizes and modification
// times, up to 10,000 files a folder) so a change to any of them shows.
func filesStamp(paths []string) string {
	h := sha256.New()
	for _, p := range paths {
		n := 0
		filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(h, "%s:error\n", path)
				return nil
			}
			if n++; n > 10000 {
				return filepath.SkipAll
			}
			if info, err := d.Info(); err == nil && !d.IsDir() {
				fmt.Fprintf(h, "%s:%d:%d\n", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// auditAppender is the part of the store the watcher writes to.
type auditAppender interface {
	AppendAudit(context.Context, audit.Entry) (audit.Entry, error)
}

// watchReloads checks the pipeline's reloadable detectors every interval
// until ctx is done, logging each reload and writing it to the audit log.
func watchReloads(ctx context.Context, pipe *detect.Pipeline, interval time.Duration, log *slog.Logger, al auditAppender) {
	var rs []*reloadable
	for _, d := range pipe.Detectors() {
		if r, ok := d.(*reloadable); ok {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, r := range rs {
			changed, err := r.checkReload(ctx)
			switch {
			case err != nil:
				log.Error("reload failed: the detector in force is kept", "detector", r.name, "err", err)
			case changed:
				log.Info("detector reloaded", "detector", r.name, "files", r.paths)
				if al != nil {
					if _, err := al.AppendAudit(ctx, audit.New("system", audit.ActionConfig, "detector:"+r.name,
						map[string]any{"op": "detector.reload", "files": r.paths})); err != nil {
						log.Error("writing the audit log", "err", err)
					}
				}
			}
		}
	}
}

// Describe passes the description of the detector in force through.
func (r *reloadable) Describe() string {
	if x, ok := r.cur.Load().d.(detect.Describer); ok {
		return x.Describe()
	}
	return ""
}
