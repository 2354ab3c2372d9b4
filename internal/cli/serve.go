package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/bus"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/ingest/sources"
	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/metrics"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/web"
)

func init() {
	Register(&Command{
		Name:    "serve",
		Summary: "run the monitoring service: API, ingest connectors, detector workers, review queue",
		Usage:   "[--store sqlite:PATH|postgres://…] [--bus memory|nats://…] [--addr :8080] [--sources FILE] [--platforms FILE] [--demo] [detector flags]",
		Help: `Runs Basira as a service. Posts come in through the API (POST /v1/posts), the
connectors of a sources file (--sources) or 'basira ingest'; each post is
stored durably, queued, run through the same detectors as 'basira scan', and
every post with a signal opens or grows a case for an analyst.

The embedded default needs nothing else: a SQLite file in the workspace
($BASIRA_HOME, default ./basira-data) and an in-process queue. To scale out,
point every process at PostgreSQL and NATS JetStream and add 'basira worker'
processes; API processes are then stateless.

Settings come from flags, else from the environment: BASIRA_STORE,
BASIRA_BUS, BASIRA_ADDR (each also as NAME_FILE, a file holding the value,
for secrets), BASIRA_PSEUDONYM_KEY(_FILE), BASIRA_LOG_LEVEL, BASIRA_LOG_FORMAT.

On SIGINT or SIGTERM the service stops taking requests, lets connectors and
workers finish what they hold, and closes the store. A post acknowledged to a
source is on disk; posts stored but not yet processed are queued again on
the next start.

Examples:
  basira serve --rules rules/examples.yaml
  basira serve --demo
  BASIRA_STORE_FILE=/run/secrets/pg basira serve --bus nats://nats:4222 --workers 0
  basira serve --sources sources.yaml --rules rules/ --addr 127.0.0.1:8080
  basira serve --rules rules/ --platforms platforms.yaml   # send referrals`,
		Run: runServe,
	})
}

// ServeExtension adds dependencies to the API (banks, rules, fact-checks,
// hashers) once the store and pipeline are open; it returns a function
// to release what it holds. Features register one from their own file.
type ServeExtension func(ctx context.Context, env *Env, svc *ServeContext, deps *server.Deps) (close func(), err error)

// ServeContext is what a ServeExtension may use.
type ServeContext struct {
	Store    store.Store
	Pipeline *pipeline.Service
	// Detectors is the detector pipeline the workers run.
	Detectors *detect.Pipeline
	Logger    *slog.Logger
	Home      string
	// Platforms is the --platforms file of referral webhooks ("" when not
	// given); serve_referrals.go reads it.
	Platforms string
}

var serveExtensions []ServeExtension

// RegisterServeExtension adds an extension to serve.
func RegisterServeExtension(e ServeExtension) { serveExtensions = append(serveExtensions, e) }

// DemoSeeder prepares the --demo workspace under home: it writes sample
// rules, banks and fact-checks, returns flags to set when the user did not
// (e.g. "rules" → the demo rule file), and a feed that ingests sample posts
// once the service runs. The demo feature sets it from its own file.
var DemoSeeder func(ctx context.Context, env *Env, home string) (flags map[string]string, feed func(ctx context.Context, sink ingest.Sink) error, err error)

type serveFlags struct {
	serviceFlags
	addr    string
	workers int
	sources string
	media   mediaFlags
	demo    bool
	grace   time.Duration
	// platforms: see ServeContext.Platforms.
	platforms  string
	maxBacklog int64
}

func runServe(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var f serveFlags
	f.define(fs, true)
	fs.StringVar(&f.addr, "addr", "", "address to listen on (env BASIRA_ADDR; default :8080, or 127.0.0.1:8080 with --demo)")
	fs.IntVar(&f.workers, "workers", -1, "detector workers in this process (default 2 × CPUs; 0 for an API-only process when workers run elsewhere)")
	f.media.define(fs)
	fs.StringVar(&f.sources, "sources", "", "sources `file` of connectors to run (see 'basira sources check --help')")
	fs.BoolVar(&f.demo, "demo", false, "seed a demo workspace (sample posts, rules, a bank, fact-checks) so cases appear within a minute")
	fs.StringVar(&f.platforms, "platforms", "", "platforms `file` of referral webhooks: cases decided 'refer' are sent to them (see docs/service.md#referrals)")
	fs.DurationVar(&f.grace, "shutdown-grace", 15*time.Second, "time given to requests, connectors and workers to finish on shutdown")
	fs.Int64Var(&f.maxBacklog, "max-backlog", 20000, "with --bus nats://…, queued messages (each up to 512 post keys) past which pushes and /readyz answer 503 with Retry-After (0: no limit)")
	tokensMode := tokensFlag(fs)
	buildPipeline := detectorFlags(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if f.workers < 0 {
		f.workers = 2 * runtime.GOMAXPROCS(0)
	}
	if fs.NArg() > 0 {
		return Usagef("serve takes no arguments (got %q); posts come from the API, --sources or 'basira ingest'", fs.Arg(0))
	}
	if err := f.resolve(env); err != nil {
		return err
	}
	tokensInDB, err := tokensInStore(env, *tokensMode, f.store)
	if err != nil {
		return err
	}
	if f.addr == "" {
		v, err := envValue(env, "BASIRA_ADDR")
		if err != nil {
			return err
		}
		f.addr = v
	}
	if f.addr == "" {
		f.addr = ":8080"
		if f.demo {
			// A demo prints a sign-in token: keep it on this machine.
			f.addr = "127.0.0.1:8080"
		}
	}
	log := newLogger(env)
	home, err := Home(env, true)
	if err != nil {
		return err
	}
	var feed func(context.Context, ingest.Sink) error
	if f.demo {
		if DemoSeeder == nil {
			return errors.New("--demo is not available in this build")
		}
		flags, fd, err := DemoSeeder(ctx, env, home)
		if err != nil {
			return fmt.Errorf("seeding the demo workspace: %w", err)
		}
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		for name, v := range flags {
			if !set[name] {
				if err := fs.Set(name, v); err != nil {
					return fmt.Errorf("demo flag --%s: %w", name, err)
				}
			}
		}
		feed = fd
	}
	key, err := pseudonymKey(env)
	if err != nil {
		return err
	}
	if err := post.CheckKey(key); err != nil {
		if !f.demo {
			return err
		}
		log.Warn("demo: no pseudonymisation key, author pseudonyms are reversible (set BASIRA_PSEUDONYM_KEY outside a demo)")
	}

	st, err := openStore(ctx, f.store, openRun)
	if err != nil {
		return err
	}
	defer st.Close()
	var b bus.Bus
	if f.workers == 0 && f.bus == "memory" {
		// Nobody would consume an in-process queue: store only.
		log.Warn("--workers 0 with the in-process bus: posts are stored but processed only when a serve with workers starts (use --bus nats://… to share work)")
		b = nowhere{}
	} else if b, err = openBus(ctx, f.bus, log); err != nil {
		return err
	}
	defer b.Close()
	det, err := buildPipeline(ctx, env)
	if err != nil {
		return err
	}
	defer det.Close()
	if len(det.Detectors()) == 0 && f.workers != 0 {
		log.Warn("no detector is on (leave --default-rules on, or give --rules, --banks, --claims, --models …): posts are stored but no case will open")
	} else {
		names := make([]string, 0, len(det.Detectors()))
		for _, d := range det.Detectors() {
			names = append(names, detect.Describe(d))
		}
		log.Info("detectors", "run", strings.Join(names, "; "))
	}
	met := metrics.New(statusNames()...)
	svc := pipeline.New(pipeline.Options{
		Store: st, Bus: b, Detect: det, Workers: f.workers, Logger: log,
		Observe: func(ev pipeline.Event) { met.ObserveDetector("all", ev.Detect) },
		Prepare: f.media.prepare(ctx, log),
	})
	names := make([]string, 0, len(det.Detectors()))
	for _, d := range det.Detectors() {
		names = append(names, d.Name())
	}
	host, _ := os.Hostname()
	// The audit log's head is anchored in a file beside the data: an
	// emptied or cut log is refused here, and while serving, new entries
	// are verified and anchored as they come (audit.Keeper).
	keeper := &audit.Keeper{Path: audit.HeadPath(home, redactStore(f.store)), Store: redactStore(f.store), Log: st, Floor: &st.AuditFloor}
	if err := keeper.Start(ctx); err != nil {
		return fmt.Errorf("the audit log does not hold what %s anchors: %w; restore the log (or, if this is knowingly a new log, move that file away)", keeper.Path, err)
	}
	if _, err := st.AppendAudit(ctx, audit.New("system", audit.ActionServeStart, "process:"+host,
		map[string]any{"store": redactStore(f.store), "bus": bus.Redact(f.bus), "detectors": names, "workers": f.workers, "demo": f.demo})); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}

	// Workers and connectors run under their own contexts, stopped in order
	// after the HTTP server has drained.
	var wg sync.WaitGroup
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	// Rule files, bank folders, fact-checks and models named by the
	// detector flags reload when they change (API edits included).
	wg.Add(1)
	go func() {
		defer wg.Done()
		watchReloads(workCtx, det, 2*time.Second, log, st)
	}()
	auditBroken := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := keeper.Run(workCtx, 2*time.Second, func(err error) { log.Warn("audit head not advanced", "err", err) }); err != nil {
			auditBroken <- err
		}
	}()
	if f.workers != 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := svc.Run(workCtx); err != nil {
				log.Error("workers stopped", "err", err)
			}
		}()
	}
	srcCtx, stopSources := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSources()
	// Connectors go through a sink that counts their batches in /metrics
	// (the API counts its pushes itself).
	sup := ingest.NewSupervisor(countingSink{svc, met})
	if f.sources != "" {
		srcs, err := sources.Load(f.sources, post.NewPseudonymizer(key))
		if err != nil {
			return err
		}
		sources.SetMediaHasher(srcs, f.media.hasher())
		for _, s := range srcs {
			sup.Start(srcCtx, s)
		}
		log.Info("connectors started", "sources", len(srcs), "file", f.sources)
	}
	if feed != nil {
		go func() {
			if err := feed(srcCtx, svc); err != nil && srcCtx.Err() == nil {
				log.Error("demo: feeding sample posts", "err", err)
			}
		}()
	}

	var demoHint, demoSecret string
	deps := server.Deps{Sink: svc, Posts: st, Cases: st, Audit: st, Health: st, Connectors: sup, Metrics: met}
	if ts, where, err := openTokens(env, tokensInDB, st, f.store); err != nil {
		log.Warn("API tokens unavailable: every guarded route will answer unauthenticated", "err", err)
	} else {
		log.Info("API tokens", "in", where)
		deps.Tokens = ts
		if f.demo {
			if demoHint, demoSecret, err = demoToken(ctx, env, ts, st); err != nil {
				return err
			}
		}
	}
	sc := &ServeContext{Store: st, Pipeline: svc, Detectors: det, Logger: log, Home: home, Platforms: f.platforms}
	for _, ext := range serveExtensions {
		closeExt, err := ext(ctx, env, sc, &deps)
		if err != nil {
			return err
		}
		if closeExt != nil {
			defer closeExt()
		}
	}
	apiCfg := server.Config{Logger: log, PseudonymKey: key}
	if strings.HasPrefix(f.bus, "nats") {
		// The in-process queue is bounded and slows Publish down by itself;
		// JetStream's is not, so the API watches its depth.
		apiCfg.Backlog, apiCfg.MaxBacklog = b.Depth, f.maxBacklog
	}
	api := server.New(apiCfg, deps)

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another basira running? choose another --addr)", f.addr, err)
	}
	root := http.NewServeMux()
	root.Handle("/ui/", web.Handler("/ui/")) // the review screen, a client of the API
	root.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusFound))
	root.Handle("/", api)
	// Header, body and idle deadlines and a connection limit: slow
	// clients cannot hold the server (server.DefaultHTTPOptions).
	hs := server.NewHTTPServer(root, server.DefaultHTTPOptions)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(server.LimitListener(ln, server.DefaultHTTPOptions.MaxConns)) }()
	log.Info("basira serve: listening", "addr", ln.Addr().String(), "store", redactStore(f.store), "bus", bus.Redact(f.bus),
		"detectors", names, "workers", f.workers != 0)
	fmt.Fprintf(env.Stderr, "listening on %s\n", ln.Addr())
	if demoHint != "" {
		printDemoBanner(env.Stderr, browserAddr(ln.Addr()), demoHint, demoSecret)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	case err := <-auditBroken:
		// The log was cut or rewritten under the running server: stop
		// rather than chain new entries onto what is left.
		log.Error("audit log broken while serving: stopping", "err", err)
		serveErr = fmt.Errorf("audit log: %w", err)
	}
	log.Info("basira serve: shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), f.grace)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		log.Warn("HTTP shutdown", "err", err)
	}
	stopSources()
	sup.Wait()
	stopWork()
	wg.Wait()
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	s := svc.Stats()
	log.Info("basira serve: stopped", "accepted", s.Accepted, "duplicates", s.Duplicates, "processed", s.Processed, "cases_opened", s.CasesOpened)
	return serveErr
}

func statusNames() []string {
	out := make([]string, len(store.Statuses))
	for i, s := range store.Statuses {
		out[i] = string(s)
	}
	return out
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
