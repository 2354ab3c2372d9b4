package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/basira-org/basira/internal/pipeline"
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
	var f serviceFlags
	f.define(fs, true)
	workers := fs.Int("workers", 0, "messages processed at once (default 2 × CPUs)")
	var mf mediaFlags
	mf.define(fs)
	buildPipeline := detectorFlags(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("worker takes no arguments")
	}
	if err := f.resolve(env); err != nil {
		return err
	}
	if f.bus == "memory" {
		return Usagef("a separate worker needs a shared queue: give --bus nats://HOST:PORT (with the in-process bus, 'basira serve' runs its own workers)")
	}
	log := newLogger(env)
	st, err := openStore(ctx, f.store, openExisting)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := openBus(ctx, f.bus, log)
	if err != nil {
		return err
	}
	defer b.Close()
	det, err := buildPipeline(ctx, env)
	if err != nil {
		return err
	}
	defer det.Close()
	if len(det.Detectors()) == 0 {
		return Usagef("no detector is on: give the same --rules, --banks, --claims, --models … as serve")
	}
	host, _ := os.Hostname()
	svc := pipeline.New(pipeline.Options{Store: st, Bus: b, Detect: det, Workers: *workers, Logger: log, Prepare: mf.prepare(ctx, log),
		Actor: fmt.Sprintf("worker:%s:%d", host, os.Getpid())})
	log.Info("basira worker: consuming", "bus", f.bus, "store", redactStore(f.store), "detectors", len(det.Detectors()))
	go watchReloads(ctx, det, 2*time.Second, log, st) // same files, same reloads as serve
	err = svc.Run(ctx)
	s := svc.Stats()
	log.Info("basira worker: stopped", "processed", s.Processed, "cases_opened", s.CasesOpened, "skipped", s.Skipped)
	return err
}
