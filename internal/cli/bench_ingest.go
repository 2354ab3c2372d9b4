package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/loadtest"
)

func init() {
	Register(&Command{
		Name:    "bench ingest",
		Summary: "load-test the service path: ingest → store → queue → detectors → cases",
		Usage:   "[--posts N] [--store …] [--bus …] [--workers N] [--worker-procs N] [detector flags]",
		Run:     runBenchIngest,
	})
}

func runBenchIngest(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, true)
	o := benchFlags(fs, &cfg, env)
	before := map[string]bool{}
	fs.VisitAll(func(fl *flag.Flag) { before[fl.Name] = true })
	mods := defineDetectors(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	fs.Visit(func(fl *flag.Flag) {
		if !before[fl.Name] {
			o.WorkerArgs = append(o.WorkerArgs, "--"+fl.Name+"="+fl.Value.String())
		}
	})
	// Never the workspace: a fresh SQLite file, and the in-process bus,
	// unless named by flags.
	if cfg.Store == "" {
		dir, err := os.MkdirTemp("", "basira-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.Store = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	if cfg.Bus == "" {
		cfg.Bus = "memory"
	}
	if o.WorkerProcs > 0 && cfg.Bus == "memory" {
		return Usagef("--worker-procs needs a shared bus: give --bus nats://HOST:PORT")
	}
	if cfg.Workers < 0 {
		cfg.Workers = 2 * runtime.GOMAXPROCS(0)
		if o.WorkerProcs > 0 {
			cfg.Workers = 0
		}
	}
	if err := loadConfig(env, &cfg); err != nil {
		return err
	}
	var rec loadtest.Recorder
	a, err := openApp(ctx, env, &cfg, mods, app.Options{Mode: app.OpenRun, Actor: "bench", Observe: rec.Observe})
	if err != nil {
		return err
	}
	defer a.Close()
	if len(a.Detectors.Detectors()) == 0 {
		fmt.Fprintln(env.Stderr, "bench: no detector is on; give --rules rules/examples.yaml (and more) for a real measure")
	}
	r, err := loadtest.Run(ctx, a, &rec, *o)
	if err != nil {
		return drainInterrupted(env, err)
	}
	r.Write(env.Stdout)
	return nil
}

// benchFlags defines bench ingest's own flags.
func benchFlags(fs *flag.FlagSet, cfg *config.Config, env *Env) *loadtest.Options {
	o := &loadtest.Options{Stderr: env.Stderr}
	fs.IntVar(&o.Posts, "posts", 100000, "posts to ingest")
	fs.IntVar(&o.Batch, "batch", 1000, "posts per ingest batch (one transaction)")
	fs.IntVar(&o.Producers, "producers", 2, "concurrent ingest clients")
	fs.IntVar(&cfg.Workers, "workers", -1, "detector workers in this process (default 2 × CPUs)")
	fs.IntVar(&o.WorkerProcs, "worker-procs", 0, "separate 'basira worker' processes to start (needs --bus nats://…)")
	fs.IntVar(&o.HitEvery, "hit-every", 10, "one post in this many is a campaign copy the rules flag")
	fs.IntVar(&o.Campaigns, "campaigns", 40, "distinct campaigns the flagged posts copy; 0: every flagged post is distinct and opens its own case")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the run to `file`")
	fs.IntVar(&o.Rate, "rate", 0, "offered load in posts/s (0: as fast as the service takes them); latency is meaningful below saturation")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the synthetic stream (change it to ingest new posts into an existing store)")
	return o
}
