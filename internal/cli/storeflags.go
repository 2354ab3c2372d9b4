package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/basira-org/basira/internal/bus"
	natsbus "github.com/basira-org/basira/internal/bus/nats"
	"github.com/basira-org/basira/internal/store/postgres"
	"github.com/basira-org/basira/internal/store/sqlite"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

// envValue reads a setting from the environment: NAME, or the contents of
// the file named by NAME_FILE (for secrets mounted as files, such as a
// PostgreSQL address with a password).
func envValue(env *Env, name string) (string, error) {
	if path := env.Getenv(name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("reading %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return env.Getenv(name), nil
}

// serviceFlags are the flags shared by serve, worker, ingest, migrate and
// audit: where the state lives and how work is queued.
type serviceFlags struct {
	store string
	bus   string
}

func (f *serviceFlags) define(fs *flag.FlagSet, withBus bool) {
	fs.StringVar(&f.store, "store", "", "where state is kept: sqlite:PATH or postgres://… (env BASIRA_STORE or BASIRA_STORE_FILE; default: sqlite in the workspace, $BASIRA_HOME/basira.db)")
	if withBus {
		fs.StringVar(&f.bus, "bus", "", "work queue: memory (in-process) or nats://HOST:PORT (JetStream) (env BASIRA_BUS or BASIRA_BUS_FILE; default memory)")
	}
}

// resolve fills unset flags from the environment and defaults.
func (f *serviceFlags) resolve(env *Env) error {
	var err error
	if f.store == "" {
		if f.store, err = envValue(env, "BASIRA_STORE"); err != nil {
			return err
		}
	}
	if f.store == "" {
		dir, err := Home(env, true)
		if err != nil {
			return err
		}
		f.store = "sqlite:" + filepath.Join(dir, "basira.db")
	}
	if f.bus == "" {
		if f.bus, err = envValue(env, "BASIRA_BUS"); err != nil {
			return err
		}
	}
	if f.bus == "" {
		f.bus = "memory"
	}
	return nil
}

// storeKind splits a --store value into its kind and address.
func storeKind(spec string) (kind, addr string, err error) {
	switch {
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return "postgres", spec, nil
	case strings.HasPrefix(spec, "sqlite:"):
		return "sqlite", strings.TrimPrefix(strings.TrimPrefix(spec, "sqlite:"), "//"), nil
	case strings.HasSuffix(spec, ".db"), strings.HasSuffix(spec, ".sqlite"):
		return "sqlite", spec, nil
	}
	return "", "", Usagef("--store %q: give sqlite:PATH or postgres://USER@HOST:PORT/DB", redactStore(spec))
}

// redactStore hides a password in a store address.
func redactStore(spec string) string {
	if strings.HasPrefix(spec, "postgres") {
		return postgres.Redact(spec)
	}
	return spec
}

type openMode int

const (
	openRun      openMode = iota // create an empty database, refuse an old schema
	openMigrate                  // bring the schema up to date
	openExisting                 // the database must exist and be current
)

// openStore opens the store named by spec.
func openStore(ctx context.Context, spec string, mode openMode) (*sqlstore.DB, error) {
	kind, addr, err := storeKind(spec)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "postgres":
		return postgres.Open(ctx, addr, postgres.Options{Create: mode == openRun, Migrate: mode == openMigrate})
	default:
		return sqlite.Open(ctx, addr, sqlite.Options{Create: mode == openRun, Migrate: mode == openMigrate})
	}
}

// openBus opens the bus named by spec.
func openBus(ctx context.Context, spec string, log *slog.Logger) (bus.Bus, error) {
	switch {
	case spec == "memory":
		return bus.NewMemory(bus.MemoryOptions{Logger: log}), nil
	case strings.HasPrefix(spec, "nats://"), strings.HasPrefix(spec, "tls://"):
		return openNATS(ctx, spec, log)
	}
	return nil, Usagef("--bus %q: give memory or nats://HOST:PORT", spec)
}

// newLogger is the one place Basira's service commands configure logging:
// text lines on stderr (BASIRA_LOG_FORMAT=json for JSON), at
// BASIRA_LOG_LEVEL (debug, info, warn, error; default info).
func newLogger(env *Env) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(env.Getenv("BASIRA_LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if env.Getenv("BASIRA_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(env.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(env.Stderr, opts))
}

func openNATS(ctx context.Context, spec string, log *slog.Logger) (bus.Bus, error) {
	return natsbus.Open(ctx, spec, natsbus.Options{Logger: log})
}
