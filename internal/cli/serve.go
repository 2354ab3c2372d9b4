package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"runtime"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/demo"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

func init() {
	Register(&Command{
		Name:    "serve",
		Summary: "run the monitoring service: API, ingest connectors, detector workers, review queue",
		Usage:   "[--store sqlite:PATH|postgres://…] [--bus memory|nats://…] [--addr :8080] [--sources FILE] [--platforms FILE] [--demo] [detector flags]",
		Run:     runServe,
	})
}

func runServe(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, true)
	cfg.DefineServe(fs)
	fs.IntVar(&cfg.Workers, "workers", -1, "detector workers in this process (default 2 × CPUs; 0 for an API-only process when workers run elsewhere)")
	cfg.DefineMedia(fs)
	cfg.DefineTokens(fs)
	mods := defineDetectors(fs)
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
	a, err := openApp(ctx, env, &cfg, mods, app.Options{Mode: app.OpenRun, Logger: log, ShareBanks: true})
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

// serveDeps fills the API's dependencies (app.APIDeps), the tasks that
// run beside the workers, and the message printed once the API listens;
// with --demo on a fresh workspace it also makes an analyst token.
func serveDeps(ctx context.Context, env *Env, a *app.App, home string, so *app.ServeOptions) error {
	so.Tasks = map[string]func(context.Context) error{}
	if err := a.APIDeps(ctx, &so.Deps, so.Tasks); err != nil {
		return err
	}
	var signIn demoSignIn
	if a.Config.Demo && so.Deps.Tokens != nil {
		var err error
		if signIn, err = demoToken(ctx, env, so.Deps.Tokens, a.Store); err != nil {
			return err
		}
	}
	so.Listening = func(addr net.Addr) {
		fmt.Fprintf(env.Stderr, "listening on %s\n", addr)
		if signIn.hint != "" {
			printDemoBanner(env.Stderr, browserAddr(addr), signIn)
		}
	}
	return nil
}

// seedServeDemo seeds the --demo workspace and sets the flags it asks for
// that the user did not set; it returns the feed of sample posts.
func seedServeDemo(ctx context.Context, env *Env, fs *flag.FlagSet, home string) (func(context.Context, ingest.Sink) error, error) {
	key, err := pseudonymKey(env)
	if err != nil {
		return nil, err
	}
	ws, err := demo.SeedWorkspace(ctx, env.Stderr, home, post.NewPseudonymizer(key))
	if err != nil {
		return nil, fmt.Errorf("seeding the demo workspace: %w", err)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for name, v := range ws.Flags {
		if !set[name] {
			if err := fs.Set(name, v); err != nil {
				return nil, fmt.Errorf("demo flag --%s: %w", name, err)
			}
		}
	}
	return ws.Feed, nil
}

// browserAddr turns a listener address into one a browser can open
// (":8080" and "[::]:8080" become "127.0.0.1:8080").
func browserAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
