package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/referral"
	"github.com/basira-org/basira/internal/rules"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/hma"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

// The API's dependencies on the workspace and the detectors: what serve
// adds to the store, the pipeline and the bus before it listens.

// ReferralInterval is how often serve looks for decided cases to refer and
// referrals due for delivery.
var ReferralInterval = 2 * time.Second

// Tokens returns the token store of the configuration: the database's
// when it keeps tokens there (--tokens store), else the workspace file.
// where names it for messages.
func Tokens(cfg *config.Config, db *sqlstore.DB) (ts auth.Store, where string, err error) {
	inStore, err := cfg.TokensInStore()
	if err != nil {
		return nil, "", err
	}
	if inStore {
		return db.Tokens(), "the store " + config.RedactStore(cfg.Store), nil
	}
	fst, err := auth.OpenFileStore(filepath.Join(cfg.Home, "tokens.json"))
	if err != nil {
		return nil, "", err
	}
	return fst, fst.Path(), nil
}

// APIDeps fills deps with what the API needs beside the store: tokens, the
// workspace banks (shared with a banks detector on the same folder), image
// hashing, the rules in force with their reload, the workspace fact-checks
// (an import rebuilds the detectors, so a --claims store detector sees it
// at once) and the referrals. It adds to tasks the detector reload
// watcher and, with --platforms, the referral dispatcher.
func (a *App) APIDeps(ctx context.Context, deps *server.Deps, tasks map[string]func(context.Context) error) error {
	ts, where, err := Tokens(a.Config, a.Store)
	if err != nil {
		a.Log.Warn("API tokens unavailable: every guarded route will answer unauthenticated", "err", err)
	} else {
		a.Log.Info("API tokens", "in", where)
		deps.Tokens = ts
	}
	if err := a.bankDeps(ctx, deps); err != nil {
		return err
	}
	h := hma.NewHasher()
	if a.Config.HMAFullResolution {
		h = hma.NewFullResolutionHasher()
	}
	if err := h.VideoErr(); err != nil {
		// Checked once at start: photos and video_md5 still work.
		a.Log.Warn("HMA video hashing gives video_md5 only, no vpdq", "err", err)
	}
	deps.Hasher = h
	if r := a.Reloader; r != nil {
		if r.Modules.Rules.Provisioned() != nil {
			deps.Rules = ruleAPI{r}
		}
		tasks["detector reload"] = func(ctx context.Context) error { r.Run(ctx, 2*time.Second); return nil }
	}
	dir := filepath.Join(a.Config.Home, "claims")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	deps.FactChecks = &server.FactChecks{Store: claims.WorkspaceStore(dir), Changed: a.factChecksChanged}
	// Publishing a debunk or importing fact-checks through the API
	// rebuilds the detectors at once (FactChecks.Changed), so the next
	// post repeating the claim is matched; app.Serve serves the public
	// site (/truth/) from the same store.
	deps.Debunks = a.Store
	return a.referralDeps(ctx, deps, tasks)
}

// bankDeps gives the API the workspace banks: the registry shared with
// the banks detector, or one of its own.
func (a *App) bankDeps(ctx context.Context, deps *server.Deps) error {
	if a.Banks != nil {
		deps.Banks = a.Banks.Registry()
		return nil
	}
	dir := filepath.Join(a.Config.Home, "banks")
	st := &hashmatch.DirStore{Dir: dir}
	banks, err := hashmatch.LoadAll(ctx, st)
	if err != nil {
		return fmt.Errorf("loading the banks in %s: %w", dir, err)
	}
	deps.Banks = hashmatch.NewRegistry(st, banks, nil)
	return nil
}

// factChecksChanged rebuilds the detectors after fact-checks change
// through the API (an import, a debunk published) when a claims detector
// runs: whether or not the files' stamp changed (a file rewritten within
// the clock's resolution keeps its stamp).
func (a *App) factChecksChanged(ctx context.Context) error {
	if a.Reloader == nil || a.Reloader.Modules.Claims.Path == "" {
		return nil
	}
	return a.Reloader.Reload(ctx)
}

// referralDeps gives the API the referrals of the store (GET
// /v1/referrals, the platforms' answers) and, with --platforms, runs the
// loop that creates referrals for cases decided 'refer' and delivers them
// (internal/referral). Several processes may run it: the store leases due
// referrals to one dispatcher at a time (sqlstore.DeliveryLease).
func (a *App) referralDeps(ctx context.Context, deps *server.Deps, tasks map[string]func(context.Context) error) error {
	deps.Referrals = a.Store
	platforms := a.Config.Platforms
	if platforms == "" {
		return nil
	}
	cfg, err := referral.LoadConfig(platforms)
	if err != nil {
		return err
	}
	if cfg.CallbackURL == "" {
		a.Log.Warn("referrals: the platforms file sets no callback_url: payloads will not tell platforms where to answer")
	}
	svc := referral.New(a.Store, cfg, referral.Options{Logger: a.Log})
	names := make([]string, 0, len(cfg.Platforms))
	for n := range cfg.Platforms {
		names = append(names, n)
	}
	a.Log.Info("referrals: delivering", "platforms", names, "file", platforms)
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := svc.Run(runCtx, ReferralInterval); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Error("referrals stopped", "err", fmt.Sprint(err))
		}
	}()
	// Delivery stops at shutdown, within its deadline.
	tasks["referrals"] = func(ctx context.Context) error {
		<-ctx.Done()
		stop()
		wg.Wait()
		return nil
	}
	return nil
}

// ruleAPI serves the rules in force and reloads the detectors on request
// (POST /v1/rules/reload): a file that does not compile leaves them as
// they are.
type ruleAPI struct{ r *Reloader }

func (x ruleAPI) Rules() []*rules.Rule { return x.r.Rules() }

func (x ruleAPI) Reload(ctx context.Context) (server.RuleReload, error) {
	if err := x.r.Reload(ctx); err != nil {
		return server.RuleReload{}, err
	}
	return server.RuleReload{Rules: len(x.r.Rules()), Files: x.r.Modules.Rules.Paths}, nil
}
