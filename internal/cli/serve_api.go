package cli

import (
	"context"
	"fmt"

	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/rules"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/hma"
)

func init() { RegisterServeExtension(serveAPIDeps) }

// serveAPIDeps gives the API the workspace's hash banks ($BASIRA_HOME/banks,
// also behind the HMA-compatible routes), image hashing for /h/hash, and
// the workspace fact-check store, unless another extension set them first.
// Changes made through the API are saved in those files at once. The
// banks detector on the same folder shares the API's banks and sees bank
// changes at once (serve_banks.go); other detectors built from the files
// (--banks elsewhere, --claims store) reload within seconds (reload.go).
func serveAPIDeps(ctx context.Context, env *Env, sc *ServeContext, deps *server.Deps) (func(), error) {
	if deps.Banks == nil {
		dir, err := Home(env, true, "banks")
		if err != nil {
			return nil, err
		}
		// With the banks detector on this folder, the API and the
		// detector share the banks (serve_banks.go); otherwise the API
		// loads its own.
		sb, err := shareBanks(sc.Detectors, dir)
		if err != nil {
			return nil, err
		}
		if sb != nil {
			deps.Banks = sb.api
		} else {
			st := &hashmatch.DirStore{Dir: dir}
			banks, err := hashmatch.LoadAll(ctx, st)
			if err != nil {
				return nil, fmt.Errorf("loading the banks in %s: %w", dir, err)
			}
			deps.Banks = hashmatch.NewRegistry(st, banks, nil)
		}
	}
	if deps.Hasher == nil {
		h := hma.NewHasher()
		if sc.HMAFullResolution {
			h = hma.NewFullResolutionHasher()
		}
		if err := h.VideoErr(); err != nil {
			// Checked once at start: photos and video_md5 still work.
			fmt.Fprintf(env.Stderr, "basira serve: HMA video hashing gives video_md5 only, no vpdq: %v\n", err)
		}
		deps.Hasher = h
	}
	if deps.Rules == nil {
		// GET /v1/rules lists the rules in force; POST /v1/rules/reload
		// recompiles the files at once instead of waiting for the watcher.
		for _, d := range sc.Detectors.Detectors() {
			if r, ok := d.(*reloadable); ok && r.name == "rules" {
				rf := &server.RuleFiles{Paths: r.paths, Apply: func(set *rules.Set) {
					if rd, ok := r.cur.Load().d.(*rules.Detector); ok {
						rd.Replace(set)
					}
				}}
				// The detector's own builder: the default pack, entity
				// files and rule files, as the flags say.
				rf.Load = func(ctx context.Context) (*rules.Set, error) {
					d, err := r.build(ctx, r.env)
					if err != nil {
						return nil, err
					}
					rd, ok := d.(*rules.Detector)
					if !ok {
						return nil, fmt.Errorf("the rules detector is off")
					}
					return rd.Set(), nil
				}
				_, err := rf.Reload(ctx)
				if err != nil {
					return nil, err
				}
				deps.Rules = rf
			}
			if rd, ok := d.(*rules.Detector); ok {
				// The built-in pack alone (no rule files): listed, and a
				// reload rebuilds the same set.
				rf := &server.RuleFiles{Load: func(context.Context) (*rules.Set, error) { return rd.Set(), nil }}
				if _, err := rf.Reload(ctx); err != nil {
					return nil, err
				}
				deps.Rules = rf
			}
		}
	}
	if deps.FactChecks == nil {
		fc, err := claimsStore(env, true)
		if err != nil {
			return nil, err
		}
		deps.FactChecks = &server.FactChecks{Store: fc}
	}
	return nil, nil
}
