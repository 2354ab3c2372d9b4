package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/bus"
	"github.com/basira-org/basira/internal/claims/desk"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/ingest/sources"
	"github.com/basira-org/basira/internal/media"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/metrics"
	"github.com/basira-org/basira/internal/truth"
	"github.com/basira-org/basira/internal/web"
)

// ServeOptions are what serve adds to an open App.
type ServeOptions struct {
	// Deps are the API's dependencies the command's extensions set
	// (tokens, banks, rules, fact-checks, referrals); Serve fills in the
	// sink, posts, cases, audit, health, connectors and metrics.
	Deps server.Deps
	// Tasks run beside the workers until shutdown (the detector reload
	// watcher, referral delivery), each named for the shutdown log.
	Tasks map[string]func(context.Context) error
	// Feed, when set, ingests posts once the service runs (serve --demo).
	Feed func(context.Context, ingest.Sink) error
	// Listening is called once the API listens, with its address.
	Listening func(net.Addr)
}

// Serve runs the API, the connectors of the sources file, the workers and
// the tasks until ctx is done or the HTTP server fails. Shutdown stops
// them in that order (requests, connectors, workers and tasks), all
// within one deadline of Config.Grace: a stage still running then is
// named and left behind, so a hung detector cannot hang the process.
func (a *App) Serve(ctx context.Context, o ServeOptions) error {
	cfg := a.Config
	// The audit log's head is anchored in a file beside the data: an
	// emptied or cut log is refused here, and while serving, new entries
	// are verified and anchored as they come (audit.Keeper).
	keeper := &audit.Keeper{Path: audit.HeadPath(cfg.Home, config.RedactStore(cfg.Store)), Store: config.RedactStore(cfg.Store), Log: a.Store, Floor: &a.Store.AuditFloor}
	if err := keeper.Start(ctx); err != nil {
		return fmt.Errorf("the audit log does not hold what %s anchors: %w; restore the log (or, if this is knowingly a new log, move that file away)", keeper.Path, err)
	}
	host, _ := os.Hostname()
	if _, err := a.Store.AppendAudit(ctx, audit.New("system", audit.ActionServeStart, "process:"+host,
		map[string]any{"store": config.RedactStore(cfg.Store), "bus": bus.Redact(cfg.Bus), "detectors": a.DetectorNames(), "workers": cfg.Workers, "demo": cfg.Demo})); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	var srcs []ingest.Source
	if cfg.Sources != "" {
		var err error
		if srcs, err = sources.Load(cfg.Sources, post.NewPseudonymizer(cfg.PseudonymKey)); err != nil {
			return err
		}
		sources.SetMediaHasher(srcs, a.media.hasher())
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another basira running? choose another --addr)", cfg.Addr, err)
	}

	// Connectors go through a sink that counts their batches in /metrics
	// (the API counts its pushes itself).
	sup := ingest.NewSupervisor(countingSink{a.Pipeline, a.Metrics})
	deps := o.Deps
	deps.Sink, deps.Posts, deps.Cases, deps.Audit, deps.Health = a.Pipeline, a.Store, a.Store, a.Store, a.Store
	deps.Connectors, deps.Metrics, deps.ClaimDesk = sup, a.Metrics, a.Store
	// People sign in with accounts (session cookies); systems with tokens.
	if deps.Accounts == nil {
		deps.Accounts = account.New(a.Store, account.Config{Logger: a.Log})
	}
	if deps.Dashboard == nil {
		deps.Dashboard = a.Store
	}
	if deps.MediaDir == "" {
		deps.MediaDir = cfg.Media.KeepDir
	}
	apiCfg := server.Config{Logger: a.Log, PseudonymKey: cfg.PseudonymKey, PublicURL: cfg.PublicURL}
	if cfg.HMANoAuth {
		if err := checkLoopback(ln.Addr()); err != nil {
			ln.Close()
			return err
		}
		apiCfg.HMANoAuth = true
		a.Log.Warn("--hma-no-auth: the HMA routes answer loopback clients without a token")
	}
	if cfg.HMAFetchURLs {
		apiCfg.FetchClient = media.NewClient(media.ClientOptions{Timeout: cfg.Media.Timeout})
		apiCfg.FetchTimeout, apiCfg.FetchMaxBytes = cfg.Media.Timeout, cfg.Media.MaxBytes
	}
	if strings.HasPrefix(cfg.Bus, "nats") {
		// The in-process queue is bounded and slows Publish down by itself;
		// JetStream's is not, so the API watches the backlog: posts stored
		// and not yet processed (whatever the size of the messages carrying
		// them), counted up to four times the limit.
		upTo := max(4*cfg.MaxBacklog, 1_000_000)
		apiCfg.Backlog = func(ctx context.Context) (int64, error) { return a.Store.Backlog(ctx, upTo) }
		apiCfg.MaxBacklog = cfg.MaxBacklog
	}
	api := server.New(apiCfg, deps)

	auditBroken := make(chan error, 1)
	tasks := maps.Clone(o.Tasks)
	if tasks == nil {
		tasks = map[string]func(context.Context) error{}
	}
	tasks["session sweep"] = func(ctx context.Context) error {
		sweepSessions(ctx, deps.Accounts, a.Log)
		return nil
	}
	tasks["audit head"] = func(ctx context.Context) error {
		if err := keeper.Run(ctx, 2*time.Second, func(err error) { a.Log.Warn("audit head not advanced", "err", err) }); err != nil {
			auditBroken <- err
		}
		return nil
	}
	if cfg.DeskEvery > 0 {
		// The desk reads what the workers stored: one per API server is
		// enough, whether the workers run here or elsewhere.
		d := desk.New(a.Store, desk.Options{Every: cfg.DeskEvery, Logger: a.Log.With("component", "desk")})
		tasks["rumour desk"] = d.Run
	}
	work := a.startWork(ctx, cfg.Workers != 0, tasks)
	feed := newGroup(context.WithoutCancel(ctx))
	if len(srcs) > 0 {
		for _, s := range srcs {
			sup.Start(feed.ctx, s)
		}
		feed.Go("connectors", func(ctx context.Context) error { <-ctx.Done(); sup.Wait(); return nil })
		a.Log.Info("connectors started", "sources", len(srcs), "file", cfg.Sources)
	}
	if o.Feed != nil {
		feed.Go("demo feed", func(ctx context.Context) error {
			if err := o.Feed(ctx, a.Pipeline); err != nil && ctx.Err() == nil {
				a.Log.Error("demo: feeding sample posts", "err", err)
			}
			return nil
		})
	}

	root := http.NewServeMux()
	root.Handle("/ui/", web.Handler("/ui/")) // the review screen, a client of the API
	if src, ok := any(a.Store).(truth.Source); ok {
		// The public site of published debunks: read-only, no token.
		root.Handle(debunk.SitePath, truth.New(src, truth.Options{PublicURL: cfg.PublicURL, Logger: a.Log}))
	}
	root.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusFound))
	root.Handle("/", api)
	// Header, body and idle deadlines and a connection limit: slow
	// clients cannot hold the server (server.DefaultHTTPOptions).
	hs := server.NewHTTPServer(root, server.DefaultHTTPOptions)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(server.LimitListener(ln, server.DefaultHTTPOptions.MaxConns)) }()
	a.Log.Info("basira serve: listening", "addr", ln.Addr().String(), "store", config.RedactStore(cfg.Store), "bus", bus.Redact(cfg.Bus),
		"detectors", a.DetectorNames(), "workers", cfg.Workers != 0)
	a.Log.Debug("configuration", "config", *cfg)
	if o.Listening != nil {
		o.Listening(ln.Addr())
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	case err := <-auditBroken:
		// The log was cut or rewritten under the running server: stop
		// rather than chain new entries onto what is left.
		a.Log.Error("audit log broken while serving: stopping", "err", err)
		serveErr = fmt.Errorf("audit log: %w", err)
	}
	a.Log.Info("basira serve: shutting down")
	deadline := time.Now().Add(cfg.Grace)
	shutCtx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		a.Log.Warn("HTTP shutdown", "err", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	stopErr := a.stop(deadline, feed, work)
	s := a.Pipeline.Stats()
	a.Log.Info("basira serve: stopped", "accepted", s.Accepted, "duplicates", s.Duplicates, "processed", s.Processed, "cases_opened", s.CasesOpened)
	return errors.Join(serveErr, stopErr)
}

// startWork starts the workers (when withWorkers), the media retention
// sweep and the tasks in one group.
func (a *App) startWork(ctx context.Context, withWorkers bool, tasks map[string]func(context.Context) error) *group {
	g := newGroup(context.WithoutCancel(ctx))
	if withWorkers {
		g.Go("workers", func(ctx context.Context) error {
			if err := a.Pipeline.Run(ctx); err != nil {
				a.Log.Error("workers stopped", "err", err)
			}
			return nil
		})
	}
	if a.media != nil && a.Config.Media.KeepDir != "" {
		g.Go("media retention", a.media.retention)
	}
	for name, t := range tasks {
		g.Go(name, t)
	}
	return g
}

// stop stops the groups in order, sharing one deadline. Errors of the
// goroutines were logged by them; only a missed deadline is returned.
func (a *App) stop(deadline time.Time, groups ...*group) error {
	var errs []error
	for _, g := range groups {
		err := g.Stop(deadline)
		switch {
		case errors.Is(err, ErrShutdownTimeout):
			a.Log.Error("shutdown: a stage did not finish in time", "grace", a.Config.Grace, "err", err)
			errs = append(errs, err)
		case err != nil:
			a.Log.Error("shutdown", "err", err)
		}
	}
	return errors.Join(errs...)
}

// countingSink records connector batches in the ingest metrics.
type countingSink struct {
	next ingest.Sink
	met  *metrics.Metrics
}

// PostEvents passes deletions and takedowns on to the pipeline.
func (c countingSink) PostEvents(ctx context.Context, source string, events []ingest.PostEvent) error {
	return ingest.Lifecycle(ctx, c.next, source, events...)
}

func (c countingSink) Accept(ctx context.Context, source string, posts []*post.Post) error {
	err := c.next.Accept(ctx, source, posts)
	kind, _, _ := strings.Cut(source, ":") // "rss:https://…" → "rss": a bounded label
	c.met.IngestBatch(kind, len(posts), 0, err)
	return err
}

// checkLoopback refuses --hma-no-auth on an address other machines reach.
func checkLoopback(addr net.Addr) error {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsLoopback() {
		return fmt.Errorf("--hma-no-auth needs a loopback --addr (such as 127.0.0.1:8080), not %s: without tokens, the HMA routes must not be reachable from other machines", addr)
	}
	return nil
}

// sweepSessions deletes expired sessions and sign-in links every ten
// minutes (an expired session is refused anyway; this keeps the table small).
func sweepSessions(ctx context.Context, acc *account.Service, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if _, err := acc.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("deleting expired sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
