// Package sqlstore implements store.Store over database/sql for the SQL
// dialects Basira supports (SQLite and PostgreSQL). The two backends share
// every query here; they differ only in their Dialect, their migrations
// and how they open connections.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store"
)

// Dialect holds what differs between SQL databases.
type Dialect struct {
	Name string
	// Dollar numbers placeholders $1, $2… instead of ?.
	Dollar bool
	// Greatest and Least name the two-argument max/min functions.
	Greatest, Least string
	// AuditLock is run inside a transaction before reading the audit head,
	// so that two writers cannot chain onto the same entry. SQLite needs
	// none: it has one writer.
	AuditLock string
	// TableExists is a query answering whether the table named by its one
	// parameter exists (in the schema the connection uses).
	TableExists string
	// MigrationLock is run at the start of each migration transaction.
	MigrationLock string
	// SkipLocked ends the SELECT that picks the next case to claim, so that
	// concurrent analysts take different cases instead of racing for one.
	SkipLocked string
	// MaxParams bounds the placeholders of one statement.
	MaxParams int
	// Arrays: bulk statements pass one array per column (unnest, = ANY)
	// instead of one parameter per value (see bulk.go).
	Arrays bool
	// ForUpdate ends a SELECT that locks the rows it reads (SQLite needs
	// none: its one writer holds the whole database).
	ForUpdate string
	// Bytewise follows a text column compared with <, so that the
	// database orders strings as Go does (byte by byte).
	Bytewise string
	// Retryable reports a transaction the database aborted to break a
	// deadlock or a serialisation conflict: running it again is safe.
	Retryable func(error) bool
}

// rebind turns ? placeholders into $N for dialects that need it. Queries
// here never hold a ? inside a string literal.
func (d Dialect) rebind(q string) string {
	if !d.Dollar {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// DB is a store.Store over one database. W takes every write; R serves
// reads (for SQLite a separate pool, so readers never queue behind the
// single writer; for PostgreSQL the same pool).
type DB struct {
	W, R *sql.DB
	D    Dialect
	// Closers run on Close, after the pools are closed.
	Closers []func() error
	// SyncDurable and SyncLight, when set, are run on the writer
	// connection before a transaction: durable ones (new posts, decisions,
	// audit entries: what was acknowledged to someone) wait for the disk;
	// light ones (worker results, which recovery recomputes if a power
	// cut loses them) do not. Both survive a process crash. Each is run on
	// the connection that then runs the transaction, so session settings
	// must be set explicitly by both.
	SyncDurable, SyncLight string
	// AuditFloor is the highest audit entry this process has seen: an
	// append onto a log whose last entry is below it (the log was cut
	// under the running process) is refused (audit.Floor).
	AuditFloor audit.Floor

	// stmts are the hot fixed statements, prepared once by Prepare and
	// read-only after (SQLite would otherwise parse them on every call).
	stmts map[string]*sql.Stmt
}

// Hot fixed statements, written with ? placeholders.
const (
	qAuditHead   = `SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1`
	qAuditInsert = `INSERT INTO audit_log (seq, time, actor, action, object, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

// Prepare prepares the hot statements on the writer pool. Call it once,
// right after opening, before any other use.
func (db *DB) Prepare(ctx context.Context) error {
	db.stmts = map[string]*sql.Stmt{}
	for _, q := range []string{qAuditHead, qAuditInsert, db.qCaseGrow()} {
		st, err := db.W.PrepareContext(ctx, db.D.rebind(q))
		if err != nil {
			return fmt.Errorf("preparing %q: %w", q, err)
		}
		db.stmts[q] = st
		db.Closers = append([]func() error{st.Close}, db.Closers...)
	}
	return nil
}

func (db *DB) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st, ok := db.stmts[q]; ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, db.D.rebind(q), args...)
}

func (db *DB) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st, ok := db.stmts[q]; ok {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, db.D.rebind(q), args...)
}

var _ store.Store = (*DB)(nil)

// Close closes the pools.
func (db *DB) Close() error {
	err := db.W.Close()
	if db.R != db.W {
		if e := db.R.Close(); err == nil {
			err = e
		}
	}
	for _, c := range db.Closers {
		if e := c(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks both pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.W.PingContext(ctx); err != nil {
		return err
	}
	return db.R.PingContext(ctx)
}

func micro(t time.Time) int64 { return t.UTC().UnixMicro() }

func fromMicro(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicro(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return micro(*t)
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicro(v.Int64)
	return &t
}

func jsonOrNil(v any, empty bool) (any, error) {
	if empty {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// withTx runs fn in a durable write transaction and commits it.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.writeTx(ctx, true, fn)
}

// retryTx is writeTx, run again (a few times) when the database aborted
// the transaction to break a deadlock, or when a concurrent worker opened
// a case this one must join (errCampaignRace: each retry follows a commit
// of another worker, so they end).
func (db *DB) retryTx(ctx context.Context, durable bool, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.writeTx(ctx, durable, fn)
		if err == nil {
			return nil
		}
		retry := errors.Is(err, errCampaignRace) || db.D.Retryable != nil && db.D.Retryable(err)
		if !retry || attempt == 8 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 2 * time.Millisecond):
		}
	}
}

// writeTx runs fn in a write transaction, durable or light (see SyncDurable).
func (db *DB) writeTx(ctx context.Context, durable bool, fn func(tx *sql.Tx) error) error {
	sync := db.SyncLight
	if durable {
		sync = db.SyncDurable
	}
	var tx *sql.Tx
	var err error
	if sync == "" {
		tx, err = db.W.BeginTx(ctx, nil)
	} else {
		// Hold the one writer connection so that the setting and the
		// transaction cannot be split by another goroutine.
		conn, cerr := db.W.Conn(ctx)
		if cerr != nil {
			return cerr
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, sync); err != nil {
			return err
		}
		tx, err = conn.BeginTx(ctx, nil)
	}
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

type scanner interface{ Scan(...any) error }

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64Args(v []int64) []any {
	a := make([]any, len(v))
	for i, x := range v {
		a[i] = x
	}
	return a
}

func limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}
