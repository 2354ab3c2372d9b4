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
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/store"
)

// The SQL store keeps referrals (notify.Store); every change of a
// referral's status is written with its audit entry in one transaction.
var _ notify.Store = (*DB)(nil)

const referralSelect = `SELECT id, case_id, platform, status, attempts, next_attempt, sent_at, deadline, last_error, answer, payload, created_at, updated_at FROM referrals`

func scanReferral(s scanner) (*notify.Referral, error) {
	var r notify.Referral
	var next, sent, deadline sql.NullInt64
	var payload string
	var created, updated int64
	if err := s.Scan(&r.ID, &r.CaseID, &r.Platform, &r.Status, &r.Attempts, &next, &sent, &deadline,
		&r.LastError, &r.Answer, &payload, &created, &updated); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		v   sql.NullInt64
		dst *time.Time
	}{{next, &r.NextAttempt}, {sent, &r.SentAt}, {deadline, &r.Deadline}} {
		if p.v.Valid {
			*p.dst = fromMicro(p.v.Int64)
		}
	}
	r.Payload = json.RawMessage(payload)
	r.CreatedAt, r.UpdatedAt = fromMicro(created), fromMicro(updated)
	return &r, nil
}

func referralObject(id string) string { return "referral:" + id }

// CreateReferral inserts r unless a referral with its id exists, and
// reports whether it inserted. The insert and its audit entry share a
// transaction.
func (db *DB) CreateReferral(ctx context.Context, r *notify.Referral) (bool, error) {
	if r.ID == "" || r.Platform == "" || r.CaseID == 0 {
		return false, errors.New("a referral needs an id, a case and a platform")
	}
	if !json.Valid(r.Payload) {
		return false, fmt.Errorf("referral %s: the payload is not valid JSON", r.ID)
	}
	now := time.Now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	if r.Status == "" {
		r.Status = notify.Pending
	}
	var inserted bool
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO referrals (id, case_id, platform, status, attempts, next_attempt, sent_at, deadline, last_error, answer, payload, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			r.ID, r.CaseID, r.Platform, r.Status, r.Attempts, nullMicro(&r.NextAttempt), nullMicro(&r.SentAt), nullMicro(&r.Deadline),
			r.LastError, r.Answer, string(r.Payload), micro(r.CreatedAt), micro(r.UpdatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		inserted = true
		return db.appendAudit(ctx, tx, audit.New("system", audit.ActionReferral, referralObject(r.ID),
			map[string]any{"op": "create", "case": r.CaseID, "platform": r.Platform, "to": r.Status}))
	})
	return inserted, err
}

// DeliveryLease is how long DueReferrals keeps a referral it returned
// from other callers: the dispatcher records the attempt's outcome well
// within it, and a process that died mid-attempt leaves the referral due
// again once it runs out.
const DeliveryLease = 5 * time.Minute

// DueReferrals returns pending referrals whose next attempt is due (a
// referral never attempted is due at once), oldest first, and leases
// them for DeliveryLease, so that dispatchers in several processes never
// send the same referral at the same time.
func (db *DB) DueReferrals(ctx context.Context, now time.Time, limit int) ([]*notify.Referral, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []*notify.Referral
	err := db.writeTx(ctx, false, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.D.rebind(referralSelect+` WHERE status = ? AND (next_attempt IS NULL OR next_attempt <= ?) ORDER BY created_at, id LIMIT `+strconv.Itoa(limit)+db.D.SkipLocked),
			notify.Pending, micro(now))
		if err != nil {
			return err
		}
		for rows.Next() {
			r, err := scanReferral(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		args := []any{micro(now.Add(DeliveryLease))}
		for _, r := range out {
			args = append(args, r.ID)
		}
		_, err = tx.ExecContext(ctx, db.D.rebind(`UPDATE referrals SET next_attempt = ? WHERE id IN (`+placeholders(len(out))+`)`), args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateReferral stores r's delivery state (the dispatcher's outcome). A
// change of status is audited in the same transaction. A referral the
// platform has already answered is not moved back by a late delivery
// outcome: ErrConflict.
func (db *DB) UpdateReferral(ctx context.Context, r *notify.Referral) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		return db.updateReferral(ctx, tx, "system", r, nil)
	})
}

func (db *DB) updateReferral(ctx context.Context, tx *sql.Tx, actor string, r *notify.Referral, extra map[string]any) error {
	var from string
	err := tx.QueryRowContext(ctx, db.D.rebind(`SELECT status FROM referrals WHERE id = ?`), r.ID).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("referral %s: %w", r.ID, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if answered(from) && r.Status != from && actor == "system" {
		return fmt.Errorf("referral %s was answered %s meanwhile: %w", r.ID, from, store.ErrConflict)
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = time.Now()
	}
	_, err = tx.ExecContext(ctx, db.D.rebind(`UPDATE referrals SET status = ?, attempts = ?, next_attempt = ?, sent_at = ?, deadline = ?, last_error = ?, answer = ?, updated_at = ? WHERE id = ?`),
		r.Status, r.Attempts, nullMicro(&r.NextAttempt), nullMicro(&r.SentAt), nullMicro(&r.Deadline), r.LastError, r.Answer, micro(r.UpdatedAt), r.ID)
	if err != nil || from == r.Status {
		return err
	}
	d := map[string]any{"op": "status", "case": r.CaseID, "platform": r.Platform, "from": from, "to": r.Status, "attempts": r.Attempts}
	if r.LastError != "" {
		d["last_error"] = r.LastError
	}
	for k, v := range extra {
		d[k] = v
	}
	return db.appendAudit(ctx, tx, audit.New(actor, audit.ActionReferral, referralObject(r.ID), d))
}

func answered(status string) bool {
	return status == notify.Acknowledged || status == notify.Removed || status == notify.Declined
}

// AnswerReferral records a platform's answer (notify.ApplyAnswer) and its
// audit entry in one transaction, and returns the updated referral.
// Answers that do not fit the referral's status return notify.ErrTransition.
func (db *DB) AnswerReferral(ctx context.Context, actor, id, status, note string, now time.Time) (*notify.Referral, error) {
	var r *notify.Referral
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanReferral(tx.QueryRowContext(ctx, db.D.rebind(referralSelect+` WHERE id = ?`), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("referral %s: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := notify.ApplyAnswer(r, status, note, now); err != nil {
			return err
		}
		return db.updateReferral(ctx, tx, actor, r, map[string]any{"note": note})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Referral returns one referral, or store.ErrNotFound.
func (db *DB) Referral(ctx context.Context, id string) (*notify.Referral, error) {
	r, err := scanReferral(db.R.QueryRowContext(ctx, db.D.rebind(referralSelect+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("referral %s: %w", id, store.ErrNotFound)
	}
	return r, err
}

// ListReferrals returns referrals, newest first, filtered by q.
func (db *DB) ListReferrals(ctx context.Context, q notify.ReferralQuery) ([]*notify.Referral, error) {
	var where []string
	var args []any
	if q.CaseID != 0 {
		where = append(where, "case_id = ?")
		args = append(args, q.CaseID)
	}
	if q.Status != "" {
		where = append(where, "status = ?")
		args = append(args, q.Status)
	}
	if q.Platform != "" {
		where = append(where, "platform = ?")
		args = append(args, q.Platform)
	}
	if !q.OverdueAt.IsZero() {
		where = append(where, "status = ? AND deadline IS NOT NULL AND deadline < ?")
		args = append(args, notify.Sent, micro(q.OverdueAt))
	}
	sqlq := referralSelect
	if len(where) > 0 {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	return db.queryReferrals(ctx, sqlq+` ORDER BY created_at DESC, id LIMIT `+strconv.Itoa(limit(q.Limit)), args...)
}

func (db *DB) queryReferrals(ctx context.Context, q string, args ...any) ([]*notify.Referral, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*notify.Referral{}
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
