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
		Help: `Runs the detectors on posts queued by 'basira serve' and 'basira ingest'
processes, records signals and opens cases. Start as many as the load needs,
on any machine that reaches the database and the NATS server; each message
goes to one worker, and a worker that dies mid-message has it delivered to
another. Give every worker the same detector flags as serve.

On start a worker also queues posts stored but never processed (left by a
process that crashed between storing and queueing).

Examples:
  basira worker --store postgres://basira@db/basira --bus nats://nats:4222 --rules /etc/basira/rules
  BASIRA_STORE_FILE=/run/secrets/pg BASIRA_BUS=nats://nats:4222 basira worker --models /models`,
		Run: runWorker,
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
