// Package sqlite is Basira's embedded store: one SQLite file in WAL mode
// (modernc.org/sqlite, pure Go), written through a single connection and
// read through a small pool, so readers never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/basira-org/basira/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the schema steps, in order.
func Migrations() []sqlstore.Migration {
	ms, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		panic("sqlite: embedded migrations: " + err.Error()) // a packaging error, caught by the tests
	}
	return ms
}

// Dialect is SQLite's flavour of SQL.
var Dialect = sqlstore.Dialect{
	Name:        "sqlite",
	Greatest:    "max",
	Least:       "min",
	MaxParams:   32000,
	TableExists: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
}

// Options tune Open.
type Options struct {
	// Create migrates an empty (or new) database file; an existing one
	// with an older schema is still refused.
	Create bool
	// Migrate brings an older schema up to date (the `basira migrate`
	// command); without it, an older schema is an error.
	Migrate bool
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// FULL by default: a commit is on disk (the WAL is synced) before
		// PutPosts returns, so an acknowledged post survives a power cut as
		// well as a kill -9. Worker results switch to NORMAL (see Open).
		q.Add("_pragma", "synchronous(NORMAL)")
		// 64 MiB of page cache for the one writer (SQLite's default is
		// 2 MiB): the indexes a worker inserts into at random (case_bands:
		// 32 keys per case) otherwise miss it on most rows.
		q.Add("_pragma", "cache_size(-65536)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (and with opts.Create, creates) the store in the file path.
func Open(ctx context.Context, path string, opts Options) (*sqlstore.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the folder of the database %s: %w", path, err)
		}
	}
	if opts.Create || opts.Migrate {
		// The database holds posts and tokens: created 0600, whatever the
		// umask (SQLite gives its -wal and -shm files the same mode).
		if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		}
	}
	if !opts.Create && !opts.Migrate {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("opening the database: %w (run 'basira migrate --store sqlite:%s' to create it)", err, path)
		}
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	ms := Migrations()
	where := "sqlite:" + path
	if opts.Migrate {
		if _, err := sqlstore.Migrate(ctx, w, Dialect, ms); err != nil {
			w.Close()
			return nil, fmt.Errorf("migrating %s: %w", path, err)
		}
	} else if err := sqlstore.CheckSchema(ctx, w, Dialect, ms, opts.Create, where); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(2, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db := &sqlstore.DB{W: w, R: r, D: Dialect,
		SyncDurable: "PRAGMA synchronous=FULL", SyncLight: "PRAGMA synchronous=NORMAL"}
	if err := db.Prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// SchemaVersion reports the schema version of the file at path (0 when
// it has none) and the version this binary knows.
func SchemaVersion(ctx context.Context, path string) (have, want int, err error) {
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return 0, 0, err
	}
	defer w.Close()
	have, err = sqlstore.SchemaVersion(ctx, w, Dialect)
	return have, len(Migrations()), err
}
