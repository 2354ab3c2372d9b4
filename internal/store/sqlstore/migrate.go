package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/store"
)

// Migration is one step of the schema, applied in its own transaction.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads NNNN_name.sql files from dir of fsys, in version
// order. Versions must start at 1 and have no gaps: a gap is a packaging
// error caught by the tests.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration versions must run 1, 2, 3…: found %d at position %d", m.Version, i+1)
		}
	}
	return ms, nil
}

const versionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL
)`

// SchemaVersion returns the version the database is at: 0 for an empty
// database (no schema_migrations table, asked of the catalogue with
// d.TableExists rather than read from an error message).
func SchemaVersion(ctx context.Context, db *sql.DB, d Dialect) (int, error) {
	var exists bool
	if err := db.QueryRowContext(ctx, d.rebind(d.TableExists), "schema_migrations").Scan(&exists); err != nil {
		return 0, fmt.Errorf("looking for the schema version table: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return int(v.Int64), nil
}

// Migrate applies the migrations the database lacks, each in its own
// transaction, and returns the versions applied. lock, when not empty, is
// run first in every transaction to keep two migrating processes apart.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, ms []Migration) ([]int, error) {
	if _, err := db.ExecContext(ctx, versionTable); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range ms {
		done, err := applyOne(ctx, db, d, m)
		if err != nil {
			return applied, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

func applyOne(ctx context.Context, db *sql.DB, d Dialect, m Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return false, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, d.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// CheckSchema refuses a database whose schema is not the one this binary
// knows. An empty database is migrated when create is true (first start of
// the embedded default); any other older schema must be migrated by
// `basira migrate`, on purpose, after a backup.
func CheckSchema(ctx context.Context, db *sql.DB, d Dialect, ms []Migration, create bool, where string) error {
	v, err := SchemaVersion(ctx, db, d)
	if err != nil {
		return err
	}
	want := len(ms)
	switch {
	case v == want:
		return nil
	case v == 0 && create:
		_, err := Migrate(ctx, db, d, ms)
		return err
	case v < want:
		return fmt.Errorf("%w: %s is at schema version %d, this basira needs %d; back it up, then run: basira migrate --store %s",
			store.ErrSchemaOld, where, v, want, where)
	default:
		return fmt.Errorf("%w: %s is at schema version %d, this basira knows up to %d; run the newer basira, or restore a backup",
			store.ErrSchemaNew, where, v, want)
	}
}
