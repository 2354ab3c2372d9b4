package app

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
	"github.com/basira-org/basira/internal/claims/retrieve"
	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/finance/detector"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/rules"
)

// Modules are the detector families, each configured by its own typed
// module (detect.Module) in its own package. All lists them in the
// order their detectors run: a new family is a field here and a line in
// All.
type Modules struct {
	Banks    *hashmatch.Module
	Claims   *retrieve.Module
	Classify *classify.Module
	Finance  *detector.Module
	Rules    *rules.Module
}

// NewModules returns every family with its default configuration.
func NewModules() *Modules {
	return &Modules{
		Banks:    &hashmatch.Module{},
		Claims:   retrieve.NewModule(),
		Classify: classify.NewModule(),
		Finance:  detector.NewModule(),
		Rules:    rules.NewModule(),
	}
}

// All lists the modules in pipeline order.
func (m *Modules) All() []detect.Module {
	return []detect.Module{m.Banks, m.Claims, m.Classify, m.Finance, m.Rules}
}

// Flags defines every module's flags on fs.
func (m *Modules) Flags(fs *flag.FlagSet) {
	for _, mod := range m.All() {
		mod.Flags(fs)
	}
}

// Build provisions one generation of detectors into a new pipeline.
func (m *Modules) Build(ctx context.Context, h detect.Host) (*detect.Pipeline, error) {
	ds, err := detect.Provision(ctx, h, m.All())
	if err != nil {
		return nil, err
	}
	return detect.NewPipeline(ds...), nil
}

// files are the existing files and folders the modules are built from.
func (m *Modules) files(h detect.Host) []string {
	var out []string
	for _, mod := range m.All() {
		for _, p := range mod.Files(h) {
			if _, err := os.Stat(p); p != "" && err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// Reloader keeps the pipeline in step with the files its detectors are
// built from: when any of them changes it builds a whole new generation
// and swaps it in (detect.Pipeline.Swap); the old generation closes once
// its posts are through. A file that no longer builds leaves the
// generation in force untouched. With a shared bank registry, bank
// changes made by another process are read into it (and so into the
// banks detector) on the same schedule.
type Reloader struct {
	Modules *Modules
	Host    detect.Host
	Pipe    *detect.Pipeline
	Banks   *hashmatch.Shared // nil unless serve shares the workspace banks
	Log     *slog.Logger
	Audit   interface {
		AppendAudit(context.Context, audit.Entry) (audit.Entry, error)
	}

	mu    sync.Mutex
	stamp string
	files []string
	rules atomic.Pointer[rules.Set] // the rule set in force, nil when off
}

// NewReloader watches the files of the generation in force in pipe, which
// mods built.
func NewReloader(mods *Modules, h detect.Host, pipe *detect.Pipeline) *Reloader {
	r := &Reloader{Modules: mods, Host: h, Pipe: pipe}
	r.files = mods.files(h)
	r.stamp = filesStamp(r.files)
	r.rules.Store(mods.Rules.Provisioned())
	return r
}

// Rules returns the rules in force (none when the rules detector is off).
func (r *Reloader) Rules() []*rules.Rule {
	if s := r.rules.Load(); s != nil {
		return s.Rules()
	}
	return nil
}

// Check reads the shared banks again if another process changed them,
// rebuilds the generation if its files changed (or always, with force),
// and reports whether the detectors in force changed.
func (r *Reloader) Check(ctx context.Context, force bool) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	banks := false
	if r.Banks != nil {
		var err error
		if banks, err = r.Banks.Reread(ctx); err != nil {
			// The banks in force stay; the other files are still checked.
			r.logger().Error("bank reload failed: the banks in force are kept", "err", err)
		}
	}
	files := r.Modules.files(r.Host)
	stamp := filesStamp(files)
	if stamp == r.stamp && !force {
		// Banks read again reach the detector in force through the
		// registry: no new generation.
		return banks, nil
	}
	ds, err := detect.Provision(ctx, r.Host, r.Modules.All())
	if err != nil {
		r.stamp = stamp // report a broken file once, not every tick
		return false, err
	}
	r.rules.Store(r.Modules.Rules.Provisioned())
	r.Pipe.Swap(ds, func(err error) {
		if err != nil {
			r.logger().Error("closing the previous detector generation", "err", err)
		}
	})
	r.stamp, r.files = stamp, files
	return true, nil
}

// Run checks every interval until ctx is done, logging each reload and
// writing it to the audit log.
func (r *Reloader) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed, err := r.Check(ctx, false)
		switch {
		case err != nil:
			r.logger().Error("reload failed: the detectors in force are kept", "err", err)
		case changed:
			r.logReload(ctx)
		}
	}
}

// Reload rebuilds the generation now (POST /v1/rules/reload, a
// fact-check import).
func (r *Reloader) Reload(ctx context.Context) error {
	if _, err := r.Check(ctx, true); err != nil {
		return err
	}
	r.logReload(ctx)
	return nil
}

func (r *Reloader) logReload(ctx context.Context) {
	r.mu.Lock()
	files := r.files
	r.mu.Unlock()
	r.logger().Info("detectors reloaded", "files", files)
	if r.Audit == nil {
		return
	}
	if _, err := r.Audit.AppendAudit(ctx, audit.New("system", audit.ActionConfig, "detectors",
		map[string]any{"op": "detector.reload", "files": files})); err != nil {
		r.logger().Error("writing the audit log", "err", err)
	}
}

func (r *Reloader) logger() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
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
	fmt.Fprint(h, strings.Join(paths, "\x00"))
	return hex.EncodeToString(h.Sum(nil))
}
