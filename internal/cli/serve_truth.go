package cli

import (
	"context"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/server"
)

func init() { RegisterServeExtension(serveDebunks) }

// serveDebunks gives the API the store's debunks and closes the loop of
// publication: a debunk published (or fact-checks imported) through the
// API reloads the claim matcher at once, instead of at the watcher's next
// tick, so the next post repeating the claim is matched. app.Serve serves
// the public site (/truth/) from the same store.
func serveDebunks(ctx context.Context, env *Env, sc *ServeContext, deps *server.Deps) (func(), error) {
	if ds, ok := sc.Store.(debunk.Store); ok && deps.Debunks == nil {
		deps.Debunks = ds
	}
	if deps.FactChecks == nil {
		fc, err := claimsStore(env, true)
		if err != nil {
			return nil, err
		}
		deps.FactChecks = &server.FactChecks{Store: fc}
	}
	if deps.FactChecks.Changed == nil && sc.Detectors != nil {
		if r := claimsDetector(sc.Detectors); r != nil {
			deps.FactChecks.Changed = func(ctx context.Context) error {
				if err := r.reloadNow(ctx); err != nil {
					return err
				}
				if sc.Store != nil {
					_, err := sc.Store.AppendAudit(ctx, audit.New("system", audit.ActionConfig, "detector:"+r.name,
						map[string]any{"op": "detector.reload", "files": r.paths, "why": "fact-checks changed through the API"}))
					return err
				}
				return nil
			}
		}
	}
	return nil, nil
}

// claimsDetector returns the claim matcher of the pipeline, if it runs.
func claimsDetector(p *detect.Pipeline) *reloadable {
	for _, d := range p.Detectors() {
		if r, ok := d.(*reloadable); ok && r.name == "claims" {
			return r
		}
	}
	return nil
}

// reloadNow rebuilds the detector from its files whether or not their
// stamp changed (a file rewritten within the clock's resolution keeps
// its stamp) and swaps it in.
func (r *reloadable) reloadNow(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.own != nil {
		_, err := r.own(ctx)
		return err
	}
	stamp := filesStamp(r.paths)
	d, err := r.build(ctx, r.env)
	if err != nil || d == nil {
		return err
	}
	old := r.cur.Swap(&detectorBox{d})
	r.stamp = stamp
	if c, ok := old.d.(detect.Closer); ok {
		time.AfterFunc(30*time.Second, func() { c.Close() })
	}
	return nil
}
