package cli

import (
	"context"
	"fmt"

	"github.com/basira-org/basira/internal/demo"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server/hma"
)

func init() { DemoSeeder = seedDemo }

// seedDemo writes the demo workspace before serve builds its detectors:
// the example rule pack, the demo bank in $BASIRA_HOME/banks and the demo
// fact-checks in the workspace store, and turns the matching detectors on
// (--rules, --banks, --claims store) unless the user set those flags; the
// sample posts are fed through the pipeline once it runs.
func seedDemo(ctx context.Context, env *Env, home string) (map[string]string, func(context.Context, ingest.Sink) error, error) {
	rulesPath, err := demo.WriteRules(home)
	if err != nil {
		return nil, nil, err
	}
	bankDir, err := Home(env, true, "banks")
	if err != nil {
		return nil, nil, err
	}
	st := &hashmatch.DirStore{Dir: bankDir}
	loaded, err := hashmatch.LoadAll(ctx, st)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the banks in %s: %w", bankDir, err)
	}
	fc, err := claimsStore(env, true)
	if err != nil {
		return nil, nil, err
	}
	sum, err := demo.SeedReference(ctx, demo.Targets{Banks: hma.NewBanks(st, loaded, nil), FactChecks: fc})
	if err != nil {
		return nil, nil, err
	}
	key, err := pseudonymKey(env)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(env.Stderr, "demo: rules %s, bank %s (%d new hashes), %d fact-checks; sample posts follow once the service runs\n",
		rulesPath, demo.BankName, sum.BankHashes, sum.FactChecks)
	feed := func(ctx context.Context, sink ingest.Sink) error {
		_, err := demo.SeedPosts(ctx, sink, post.NewPseudonymizer(key))
		return err
	}
	// The detectors read what was just written: the rule pack, the bank
	// folder and the workspace fact-check store.
	return map[string]string{"rules": rulesPath, "banks": bankDir, "claims": "store"}, feed, nil
}
