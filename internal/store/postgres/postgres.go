// Package postgres is Basira's scale-out store on PostgreSQL (through
// pgx). It shares every query with the SQLite store (sqlstore); here are
// only its dialect, its migrations and how it connects. Several API and
// worker processes can share one database: transitions re-check state in
// their UPDATE, and the audit chain is serialised by an advisory lock.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/basira-org/basira/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the schema steps, in order.
func Migrations() []sqlstore.Migration {
	ms, err := sqlstore.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		panic("postgres: embedded migrations: " + err.Error()) // a packaging error, caught by the tests
	}
	return ms
}

// Advisory lock ids: "basira" in a number, one for the audit head and one
// for migrations.
const (
	auditLockID     = 0x62617369_7261_01
	migrationLockID = 0x62617369_7261_02
)

// Dialect is PostgreSQL's flavour of SQL.
var Dialect = sqlstore.Dialect{
	Name:          "postgres",
	Dollar:        true,
	Greatest:      "GREATEST",
	Least:         "LEAST",
	AuditLock:     fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", auditLockID),
	MigrationLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockID),
	SkipLocked:    " FOR UPDATE SKIP LOCKED",
	ForUpdate:     " FOR UPDATE",
	TableExists:   "SELECT to_regclass(?) IS NOT NULL",
	Arrays:        true,
	Bytewise:      ` COLLATE "C"`,
	MaxParams:     60000,
	Retryable:     retryable,
}

// SQLSTATE codes this package acts on.
const (
	codeDeadlock      = "40P01"
	codeSerialization = "40001"
)

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable: PostgreSQL aborted the transaction to break a deadlock or a
// serialisation conflict.
func retryable(err error) bool {
	c := sqlState(err)
	return c == codeDeadlock || c == codeSerialization
}

// Options tune Open.
type Options struct {
	// Create migrates an empty database; an older schema is still refused.
	Create bool
	// Migrate brings an older schema up to date (`basira migrate`).
	Migrate bool
	// MaxConns bounds the connection pool (default 16).
	MaxConns int
}

// Redact returns dsn without its password, for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Open connects to the database named by dsn (postgres://…; a
// search_path parameter selects the schema).
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("reading the PostgreSQL address %s: %w", Redact(dsn), err)
	}
	db := stdlib.OpenDB(*cfg)
	if opts.MaxConns <= 0 {
		opts.MaxConns = 16
	}
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", Redact(dsn), err)
	}
	ms := Migrations()
	if opts.Migrate {
		if _, err := sqlstore.Migrate(ctx, db, Dialect, ms); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrating %s: %w", Redact(dsn), err)
		}
	} else if err := sqlstore.CheckSchema(ctx, db, Dialect, ms, opts.Create, Redact(dsn)); err != nil {
		db.Close()
		return nil, err
	}
	// Worker results can be recomputed (recovery re-processes posts whose
	// results were lost), so they do not wait for the server's WAL flush;
	// new posts, decisions and audit entries do.
	return &sqlstore.DB{W: db, R: db, D: Dialect,
		SyncDurable: "SET synchronous_commit = on", SyncLight: "SET synchronous_commit = off"}, nil
}

// SchemaVersion reports the schema version of the database (0 when empty)
// and the version this binary knows.
func SchemaVersion(ctx context.Context, dsn string) (have, want int, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return 0, 0, err
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	have, err = sqlstore.SchemaVersion(ctx, db, Dialect)
	return have, len(Migrations()), err
}
