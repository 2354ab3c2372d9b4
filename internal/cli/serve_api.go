package cli

import (
	"context"
	"fmt"

	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/hma"
)

func init() { RegisterServeExtension(serveAPIDeps) }

// serveAPIDeps gives the API the workspace's hash banks ($BASIRA_HOME/banks,
// also behind the HMA-compatible routes), image hashing for /h/hash, and
// the workspace fact-check store, unless another extension set them first.
// Changes made through the API are saved in those files at once; the
// detectors (--banks, --claims) read the files when serve starts, so they
// match on API changes after a restart.
func serveAPIDeps(ctx context.Context, env *Env, sc *ServeContext, deps *server.Deps) (func(), error) {
	if deps.Banks == nil {
		dir, err := Home(env, true, "banks")
		if err != nil {
			return nil, err
		}
		st := &hashmatch.DirStore{Dir: dir}
		banks, err := hashmatch.LoadAll(ctx, st)
		if err != nil {
			return nil, fmt.Errorf("loading the banks in %s: %w", dir, err)
		}
		deps.Banks = hma.NewBanks(st, banks, nil)
	}
	if deps.Hasher == nil {
		deps.Hasher = hma.NewHasher()
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
