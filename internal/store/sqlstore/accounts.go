package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"
)

// The SQL store keeps people's accounts and their sessions; every change
// is written with its audit entry in one transaction.
var _ store.Accounts = (*DB)(nil)

// Audit actions of accounts and sessions (auth.login is audit.ActionLogin).
const (
	ActionAccount = "account.change"
	ActionLogout  = "auth.logout"
)

const accountCols = `id, name, role, password_hash, created_at, updated_at, disabled_at`

func scanAccount(s scanner) (*store.Account, error) {
	var a store.Account
	var role string
	var created, updated int64
	var disabled sql.NullInt64
	if err := s.Scan(&a.ID, &a.Name, &role, &a.PasswordHash, &created, &updated, &disabled); err != nil {
		return nil, err
	}
	a.Role = auth.Role(role)
	a.CreatedAt, a.UpdatedAt = fromMicro(created), fromMicro(updated)
	a.DisabledAt = timePtr(disabled)
	return &a, nil
}

func accountObject(name string) string { return "account:" + name }

// CreateAccount implements store.Accounts.
func (db *DB) CreateAccount(ctx context.Context, actor string, a *store.Account) error {
	if a.Name == "" || a.PasswordHash == "" {
		return errors.New("an account needs a name and a password hash")
	}
	if _, err := auth.ParseRole(string(a.Role)); err != nil {
		return err
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now()
	}
	a.CreatedAt = a.CreatedAt.UTC().Truncate(time.Microsecond)
	a.UpdatedAt = a.CreatedAt
	return db.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.D.rebind(`SELECT count(*) FROM accounts WHERE name = ?`), a.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: an account named %q exists", store.ErrConflict, a.Name)
		}
		err := tx.QueryRowContext(ctx, db.D.rebind(`INSERT INTO accounts (name, role, password_hash, created_at, updated_at, disabled_at)
VALUES (?, ?, ?, ?, ?, NULL) RETURNING id`), a.Name, string(a.Role), a.PasswordHash, micro(a.CreatedAt), micro(a.UpdatedAt)).Scan(&a.ID)
		if err != nil {
			if isUnique(err) {
				return fmt.Errorf("%w: an account named %q exists", store.ErrConflict, a.Name)
			}
			return err
		}
		return db.appendAudit(ctx, tx, audit.New(actor, ActionAccount, accountObject(a.Name), map[string]any{"op": "create", "role": a.Role}))
	})
}

func isUnique(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE") || strings.Contains(s, "23505")
}

// Account implements store.Accounts.
func (db *DB) Account(ctx context.Context, name string) (*store.Account, error) {
	a, err := scanAccount(db.R.QueryRowContext(ctx, db.D.rebind(`SELECT `+accountCols+` FROM accounts WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("account %q: %w", name, store.ErrNotFound)
	}
	return a, err
}

// ListAccounts implements store.Accounts.
func (db *DB) ListAccounts(ctx context.Context) ([]*store.Account, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateAccount implements store.Accounts.
func (db *DB) UpdateAccount(ctx context.Context, actor, name string, ch store.AccountChange) (*store.Account, error) {
	if ch.At.IsZero() {
		ch.At = time.Now()
	}
	var out *store.Account
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		a, err := scanAccount(tx.QueryRowContext(ctx, db.D.rebind(`SELECT `+accountCols+` FROM accounts WHERE name = ?`), name))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account %q: %w", name, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		details := map[string]any{}
		endSessions := false
		if ch.Role != nil {
			if _, err := auth.ParseRole(string(*ch.Role)); err != nil {
				return err
			}
			details["role"] = *ch.Role
			a.Role = *ch.Role
			endSessions = true // a session must not keep the old role
		}
		if ch.PasswordHash != nil {
			details["password"] = "changed"
			a.PasswordHash = *ch.PasswordHash
			endSessions = true
		}
		if ch.Disabled != nil {
			if *ch.Disabled {
				at := ch.At.UTC().Truncate(time.Microsecond)
				a.DisabledAt = &at
				details["op"] = "disable"
				endSessions = true
			} else {
				a.DisabledAt = nil
				details["op"] = "enable"
			}
		}
		if len(details) == 0 {
			out = a
			return nil
		}
		if details["op"] == nil {
			details["op"] = "update"
		}
		a.UpdatedAt = ch.At.UTC().Truncate(time.Microsecond)
		if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE accounts SET role = ?, password_hash = ?, updated_at = ?, disabled_at = ? WHERE id = ?`),
			string(a.Role), a.PasswordHash, micro(a.UpdatedAt), nullMicro(a.DisabledAt), a.ID); err != nil {
			return err
		}
		if endSessions {
			res, err := tx.ExecContext(ctx, db.D.rebind(`DELETE FROM sessions WHERE account_id = ?`), a.ID)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			details["sessions_ended"] = n
		}
		out = a
		return db.appendAudit(ctx, tx, audit.New(actor, ActionAccount, accountObject(a.Name), details))
	})
	return out, err
}

const sessionCols = `hash, account_id, csrf, one_time, remote, created_at, last_seen, expires_at`

// CreateSession implements store.Accounts.
func (db *DB) CreateSession(ctx context.Context, actor string, s store.Session, replaces string) error {
	if s.Hash == "" || s.AccountID == 0 {
		return errors.New("a session needs a hash and an account")
	}
	oneTime := 0
	if s.OneTime {
		oneTime = 1
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, db.D.rebind(`SELECT name FROM accounts WHERE id = ?`), s.AccountID).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("account %d: %w", s.AccountID, store.ErrNotFound)
			}
			return err
		}
		if replaces != "" {
			if _, err := tx.ExecContext(ctx, db.D.rebind(`DELETE FROM sessions WHERE hash = ?`), replaces); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			s.Hash, s.AccountID, s.CSRF, oneTime, s.Remote, micro(s.CreatedAt), micro(s.LastSeen), micro(s.ExpiresAt)); err != nil {
			return err
		}
		action, details := audit.ActionLogin, map[string]any{"session": s.Hash[:12], "remote": s.Remote, "expires": s.ExpiresAt.UTC().Format(time.RFC3339)}
		if s.OneTime {
			details["op"] = "sign-in link issued"
		}
		if replaces != "" {
			details["rotated"] = replaces[:min(12, len(replaces))]
		}
		return db.appendAudit(ctx, tx, audit.New(actor, action, accountObject(name), details))
	})
}

// Session implements store.Accounts.
func (db *DB) Session(ctx context.Context, hash string) (*store.Session, *store.Account, error) {
	row := db.R.QueryRowContext(ctx, db.D.rebind(`SELECT s.hash, s.account_id, s.csrf, s.one_time, s.remote, s.created_at, s.last_seen, s.expires_at,
a.id, a.name, a.role, a.password_hash, a.created_at, a.updated_at, a.disabled_at
FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.hash = ?`), hash)
	var s store.Session
	var oneTime int
	var created, seen, expires int64
	var a store.Account
	var role string
	var acreated, aupdated int64
	var disabled sql.NullInt64
	err := row.Scan(&s.Hash, &s.AccountID, &s.CSRF, &oneTime, &s.Remote, &created, &seen, &expires,
		&a.ID, &a.Name, &role, &a.PasswordHash, &acreated, &aupdated, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	s.OneTime = oneTime != 0
	s.CreatedAt, s.LastSeen, s.ExpiresAt = fromMicro(created), fromMicro(seen), fromMicro(expires)
	a.Role = auth.Role(role)
	a.CreatedAt, a.UpdatedAt, a.DisabledAt = fromMicro(acreated), fromMicro(aupdated), timePtr(disabled)
	return &s, &a, nil
}

// TouchSession implements store.Accounts. It is a light write: losing the
// last touch in a crash only shortens an idle session.
func (db *DB) TouchSession(ctx context.Context, hash string, lastSeen, expires time.Time) error {
	return db.writeTx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE sessions SET last_seen = ?, expires_at = ? WHERE hash = ?`), micro(lastSeen), micro(expires), hash)
		return err
	})
}

// DeleteSession implements store.Accounts.
func (db *DB) DeleteSession(ctx context.Context, actor, hash, reason string) (bool, error) {
	var deleted bool
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, db.D.rebind(`SELECT a.name FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.hash = ?`), hash).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.D.rebind(`DELETE FROM sessions WHERE hash = ?`), hash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		deleted = true
		if reason == "" {
			return nil
		}
		return db.appendAudit(ctx, tx, audit.New(actor, ActionLogout, accountObject(name), map[string]any{"session": hash[:min(12, len(hash))], "reason": reason}))
	})
	return deleted, err
}

// DeleteExpiredSessions implements store.Accounts.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := db.writeTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.D.rebind(`DELETE FROM sessions WHERE expires_at < ?`), micro(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
