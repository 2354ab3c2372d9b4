package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/referral"
	"github.com/basira-org/basira/internal/server"
)

func init() { RegisterServeExtension(serveReferrals) }

// referralInterval is how often serve looks for decided cases to refer and
// referrals due for delivery.
var referralInterval = 2 * time.Second

// serveReferrals gives the API the referrals of the store (GET
// /v1/referrals, the platforms' answers) and, with --platforms, runs the
// loop that creates referrals for cases decided 'refer' and delivers them
// (internal/referral). Several processes may run it: the store leases
// due referrals to one dispatcher at a time (sqlstore.DeliveryLease).
func serveReferrals(ctx context.Context, env *Env, sc *ServeContext, deps *server.Deps) (func(), error) {
	var st referral.Store = sc.Store // every store keeps referrals
	if deps.Referrals == nil {
		deps.Referrals = sc.Store
	}
	if sc.Platforms == "" {
		return nil, nil
	}
	cfg, err := referral.LoadConfig(sc.Platforms)
	if err != nil {
		return nil, err
	}
	if cfg.CallbackURL == "" {
		sc.Logger.Warn("referrals: the platforms file sets no callback_url: payloads will not tell platforms where to answer")
	}
	svc := referral.New(st, cfg, referral.Options{Logger: sc.Logger})
	names := make([]string, 0, len(cfg.Platforms))
	for n := range cfg.Platforms {
		names = append(names, n)
	}
	sc.Logger.Info("referrals: delivering", "platforms", names, "file", sc.Platforms)
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := svc.Run(runCtx, referralInterval); err != nil && !errors.Is(err, context.Canceled) {
			sc.Logger.Error("referrals stopped", "err", fmt.Sprint(err))
		}
	}()
	return func() { stop(); wg.Wait() }, nil
}
