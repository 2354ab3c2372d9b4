package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"time"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/store"
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
	// HMAFullResolution is serve --hma-full-resolution.
	HMAFullResolution bool
}

var serveExtensions []ServeExtension

// RegisterServeExtension adds an extension to serve.
func RegisterServeExtension(e ServeExtension) { serveExtensions = append(serveExtensions, e) }

// DemoSeeder prepares the --demo workspace under home: it writes sample
// rules, banks and fact-checks, returns flags to set when the user did not
// (e.g. "rules" → the demo rule file), and a feed that ingests sample posts
// once the service runs. The demo feature sets it from its own file.
var DemoSeeder func(ctx context.Context, env *Env, home string) (flags map[string]string, feed func(ctx context.Context, sink ingest.Sink) error, err error)

func runServe(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, true)
	cfg.DefineServe(fs)
	fs.IntVar(&cfg.Workers, "workers", -1, "detector workers in this process (default 2 × CPUs; 0 for an API-only process when workers run elsewhere)")
	cfg.DefineMedia(fs)
	cfg.DefineTokens(fs)
	buildPipeline := detectorFlags(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if cfg.Workers < 0 {
		cfg.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	if fs.NArg() > 0 {
		return Usagef("serve takes no arguments (got %q); posts come from the API, --sources or 'basira ingest'", fs.Arg(0))
	}
	if err := loadConfig(env, &cfg); err != nil {
		return err
	}
	log := cfg.Logger(env.Stderr)
	home, err := Home(env, true)
	if err != nil {
		return err
	}
	var so app.ServeOptions
	if cfg.Demo {
		if so.Feed, err = seedServeDemo(ctx, env, fs, home); err != nil {
			return err
		}
	}
	if err := post.CheckKey(cfg.PseudonymKey); err != nil {
		if !cfg.Demo {
			return err
		}
		log.Warn("demo: no pseudonymisation key, author pseudonyms are reversible (set BASIRA_PSEUDONYM_KEY outside a demo)")
	}
	if cfg.Workers == 0 && cfg.Bus == "memory" {
		// Nobody would consume an in-process queue: store only.
		log.Warn("--workers 0 with the in-process bus: posts are stored but processed only when a serve with workers starts (use --bus nats://… to share work)")
	}
	a, err := openApp(ctx, env, &cfg, buildPipeline, app.Options{Mode: app.OpenRun, Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()
	if len(a.Detectors.Detectors()) == 0 && cfg.Workers != 0 {
		log.Warn("no detector is on (leave --default-rules on, or give --rules, --banks, --claims, --models …): posts are stored but no case will open")
	} else {
		log.Info("detectors", "run", describePipeline(a.Detectors))
	}
	if err := serveDeps(ctx, env, a, home, &so); err != nil {
		return err
	}
	return a.Serve(ctx, so)
}

// serveDeps fills the API's dependencies (tokens, then the serve
// extensions), the tasks that run beside the workers, and the message
// printed once the API listens.
func serveDeps(ctx context.Context, env *Env, a *app.App, home string, so *app.ServeOptions) error {
	demo, err := serveTokens(ctx, env, a, &so.Deps)
	if err != nil {
		return err
	}
	sc := &ServeContext{Store: a.Store, Pipeline: a.Pipeline, Detectors: a.Detectors, Logger: a.Log, Home: home, Platforms: a.Config.Platforms, HMAFullResolution: a.Config.HMAFullResolution}
	if so.Tasks, err = runServeExtensions(ctx, env, sc, &so.Deps); err != nil {
		return err
	}
	// Rule files, bank folders, fact-checks and models named by the
	// detector flags reload when they change (API edits included).
	so.Tasks["detector reload"] = func(ctx context.Context) error {
		watchReloads(ctx, a.Detectors, 2*time.Second, a.Log, a.Store)
		return nil
	}
	so.Listening = func(addr net.Addr) {
		fmt.Fprintf(env.Stderr, "listening on %s\n", addr)
		if demo.hint != "" {
			printDemoBanner(env.Stderr, browserAddr(addr), demo)
		}
	}
	return nil
}

// seedServeDemo seeds the --demo workspace and sets the flags it asks for
// that the user did not set; it returns the feed of sample posts.
func seedServeDemo(ctx context.Context, env *Env, fs *flag.FlagSet, home string) (func(context.Context, ingest.Sink) error, error) {
	if DemoSeeder == nil {
		return nil, errors.New("--demo is not available in this build")
	}
	flags, feed, err := DemoSeeder(ctx, env, home)
	if err != nil {
		return nil, fmt.Errorf("seeding the demo workspace: %w", err)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for name, v := range flags {
		if !set[name] {
			if err := fs.Set(name, v); err != nil {
				return nil, fmt.Errorf("demo flag --%s: %w", name, err)
			}
		}
	}
	return feed, nil
}

// serveTokens gives the API its token store; with --demo on a fresh
// workspace it also makes an analyst account and token (demoToken).
func serveTokens(ctx context.Context, env *Env, a *app.App, deps *server.Deps) (demoSignIn, error) {
	ts, where, err := openTokens(env, a.Config, a.Store)
	if err != nil {
		a.Log.Warn("API tokens unavailable: every guarded route will answer unauthenticated", "err", err)
		return demoSignIn{}, nil
	}
	a.Log.Info("API tokens", "in", where)
	deps.Tokens = ts
	if !a.Config.Demo {
		return demoSignIn{}, nil
	}
	return demoToken(ctx, env, ts, a.Store)
}

// runServeExtensions lets every registered extension add to deps; the
// release functions they return become tasks that run them at shutdown,
// within its deadline.
func runServeExtensions(ctx context.Context, env *Env, sc *ServeContext, deps *server.Deps) (map[string]func(context.Context) error, error) {
	tasks := map[string]func(context.Context) error{}
	var closers []func()
	for _, ext := range serveExtensions {
		closeExt, err := ext(ctx, env, sc, deps)
		if err != nil {
			for _, c := range closers {
				c()
			}
			return nil, err
		}
		if closeExt != nil {
			closers = append(closers, closeExt)
			tasks[fmt.Sprintf("serve extension %d", len(closers))] = func(ctx context.Context) error {
				<-ctx.Done()
				closeExt()
				return nil
			}
		}
	}
	return tasks, nil
}
