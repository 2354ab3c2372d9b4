// Package app assembles Basira's service once: Open builds the store, the
// bus, the detector set and the pipeline from a config.Config, and Serve,
// Work and Ingest run them with every stage (HTTP, connectors, workers,
// background loops) under one group whose shutdown deadline covers all of
// them. The commands in internal/cli only parse flags and call these.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/basira-org/basira/internal/bus"
	natsbus "github.com/basira-org/basira/internal/bus/nats"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/server/metrics"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/postgres"
	"github.com/basira-org/basira/internal/store/sqlite"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

// Mode says how a store is opened.
type Mode int

const (
	OpenRun      Mode = iota // create an empty database, refuse an old schema
	OpenMigrate              // bring the schema up to date
	OpenExisting             // the database must exist and be current
)

// OpenStore opens the store named by spec (sqlite:PATH or postgres://…).
func OpenStore(ctx context.Context, spec string, mode Mode) (*sqlstore.DB, error) {
	kind, addr, err := config.StoreKind(spec)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "postgres":
		return postgres.Open(ctx, addr, postgres.Options{Create: mode == OpenRun, Migrate: mode == OpenMigrate})
	default:
		return sqlite.Open(ctx, addr, sqlite.Options{Create: mode == OpenRun, Migrate: mode == OpenMigrate})
	}
}

// OpenBus opens the bus named by spec (memory or nats://…).
func OpenBus(ctx context.Context, spec string, log *slog.Logger) (bus.Bus, error) {
	switch {
	case spec == "memory":
		return bus.NewMemory(bus.MemoryOptions{Logger: log}), nil
	case strings.HasPrefix(spec, "nats://"), strings.HasPrefix(spec, "tls://"):
		return natsbus.Open(ctx, spec, natsbus.Options{Logger: log})
	}
	return nil, fmt.Errorf("%w: --bus %q: give memory or nats://HOST:PORT", config.ErrInvalid, spec)
}

// Nowhere is the bus of a process that leaves processing to another: posts
// stay unprocessed in the store, and the next serve or worker queues them
// on start.
type Nowhere struct{}

func (Nowhere) Publish(context.Context, []int64) error          { return nil }
func (Nowhere) Consume(context.Context, int, bus.Handler) error { return nil }
func (Nowhere) Depth(context.Context) (int64, error)            { return 0, nil }
func (Nowhere) Close() error                                    { return nil }

// Options are what a command adds to the configuration when it opens the
// service.
type Options struct {
	// Mode opens the store (OpenRun creates it; a worker needs it to exist).
	Mode Mode
	// Modules, when set, configure the detector families (their flags
	// parsed): Open provisions the detector set from them with Host, and
	// a Reloader keeps it in step with their files.
	Modules *Modules
	Host    detect.Host
	// ShareBanks gives the API and a banks detector on the workspace
	// bank folder one registry (serve).
	ShareBanks bool
	// Detectors builds the detector set instead of Modules (tests).
	Detectors func(context.Context) (*detect.Pipeline, error)
	// Actor names the process in the audit log (pipeline.Options.Actor).
	Actor string
	// Observe is called for every post recorded (metrics, bench).
	Observe func(pipeline.Event)
	// Logger; default: the configuration's.
	Logger *slog.Logger
}

// App is an open service: what Open built, closed by Close.
type App struct {
	Config    *config.Config
	Log       *slog.Logger
	Store     *sqlstore.DB
	Bus       bus.Bus
	Detectors *detect.Pipeline
	// Reloader rebuilds the detector generation when its files change;
	// nil when the detectors do not come from Modules.
	Reloader *Reloader
	// Banks is the workspace bank registry shared by the API and the
	// banks detector (Options.ShareBanks), else nil.
	Banks    *hashmatch.Shared
	Pipeline *pipeline.Service
	// Metrics counts detector time and connector batches (/metrics).
	Metrics *metrics.Metrics

	media *mediaStep // nil unless Config.Media.Fetch
}

// Open builds the store, the bus, the detector set and the pipeline, in
// that order. With no workers here and the in-process bus nobody would
// consume the queue, so the bus is Nowhere: posts are stored only. On
// error, what was opened is closed.
func Open(ctx context.Context, cfg *config.Config, o Options) (_ *App, err error) {
	a := &App{Config: cfg, Log: o.Logger, Bus: Nowhere{}}
	if a.Log == nil {
		a.Log = slog.New(slog.DiscardHandler)
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.Store, err = OpenStore(ctx, cfg.Store, o.Mode); err != nil {
		return nil, err
	}
	if cfg.Workers != 0 || cfg.Bus != "memory" {
		if a.Bus, err = OpenBus(ctx, cfg.Bus, a.Log); err != nil {
			return nil, err
		}
	}
	if err := a.openDetectors(ctx, o); err != nil {
		return nil, err
	}
	if cfg.Media.Fetch {
		if a.media, err = newMediaStep(cfg.Media, a.Log); err != nil {
			return nil, err
		}
	}
	a.Metrics = metrics.New(statusNames()...)
	observe := func(ev pipeline.Event) { a.Metrics.ObserveDetector("all", ev.Detect) }
	if o.Observe != nil {
		observe = o.Observe
	}
	a.Pipeline = pipeline.New(pipeline.Options{
		Store: a.Store, Bus: a.Bus, Detect: a.Detectors, Workers: cfg.Workers, Logger: a.Log,
		Actor: o.Actor, Observe: observe, Prepare: a.media.prepare(),
	})
	return a, nil
}

// openDetectors provisions the detector set: from the modules (with the
// shared workspace banks when asked) under a Reloader, or from
// Options.Detectors.
func (a *App) openDetectors(ctx context.Context, o Options) error {
	var err error
	switch {
	case o.Modules != nil:
		if o.ShareBanks {
			dir, err := o.Host.Home(true, "banks")
			if err != nil {
				return err
			}
			if a.Banks, err = hashmatch.NewShared(ctx, dir); err != nil {
				return err
			}
			o.Modules.Banks.Shared = a.Banks
		}
		if a.Detectors, err = o.Modules.Build(ctx, o.Host); err != nil {
			return err
		}
		a.Reloader = NewReloader(o.Modules, o.Host, a.Detectors)
		a.Reloader.Banks, a.Reloader.Log, a.Reloader.Audit = a.Banks, a.Log, a.Store
	case o.Detectors != nil:
		a.Detectors, err = o.Detectors(ctx)
	default:
		a.Detectors = detect.NewPipeline()
	}
	return err
}

func statusNames() []string {
	out := make([]string, len(store.Statuses))
	for i, s := range store.Statuses {
		out[i] = string(s)
	}
	return out
}

// DetectorNames names the detectors in force, in pipeline order.
func (a *App) DetectorNames() []string {
	names := make([]string, 0, len(a.Detectors.Detectors()))
	for _, d := range a.Detectors.Detectors() {
		names = append(names, d.Name())
	}
	return names
}

// Close releases the detectors, the bus and the store, in the reverse
// order of Open.
func (a *App) Close() error {
	var errs []error
	if a.Detectors != nil {
		errs = append(errs, a.Detectors.Close())
	}
	if a.Bus != nil {
		errs = append(errs, a.Bus.Close())
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close())
	}
	return errors.Join(errs...)
}
