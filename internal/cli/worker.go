package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/config"
)

func init() {
	Register(&Command{
		Name:    "worker",
		Summary: "run detector workers that take posts from the shared queue (scale-out)",
		Usage:   "--store postgres://… --bus nats://… [--workers N] [detector flags]",
		Run:     runWorker,
	})
}

func runWorker(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, true)
	fs.IntVar(&cfg.Workers, "workers", 0, "messages processed at once (default 2 × CPUs)")
	cfg.DefineMedia(fs)
	mods := defineDetectors(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("worker takes no arguments")
	}
	if err := loadConfig(env, &cfg); err != nil {
		return err
	}
	if cfg.Bus == "memory" {
		return Usagef("a separate worker needs a shared queue: give --bus nats://HOST:PORT (with the in-process bus, 'basira serve' runs its own workers)")
	}
	log := cfg.Logger(env.Stderr)
	host, _ := os.Hostname()
	a, err := openApp(ctx, env, &cfg, mods, app.Options{Mode: app.OpenExisting, Logger: log, Actor: fmt.Sprintf("worker:%s:%d", host, os.Getpid())})
	if err != nil {
		return err
	}
	defer a.Close()
	if len(a.Detectors.Detectors()) == 0 {
		return Usagef("no detector is on: give the same --rules, --banks, --claims, --models … as serve")
	}
	log.Info("basira worker: consuming", "bus", cfg.Bus, "store", config.RedactStore(cfg.Store), "detectors", len(a.Detectors.Detectors()))
	err = a.Work(ctx, map[string]func(context.Context) error{
		// Same files, same reloads as serve.
		"detector reload": func(ctx context.Context) error {
			a.Reloader.Run(ctx, 2*time.Second)
			return nil
		},
	})
	s := a.Pipeline.Stats()
	log.Info("basira worker: stopped", "processed", s.Processed, "cases_opened", s.CasesOpened, "skipped", s.Skipped)
	return err
}
