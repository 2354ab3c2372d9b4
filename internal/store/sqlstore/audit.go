package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/basira-org/basira/internal/audit"
)

func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, e audit.Entry) error {
	_, err := db.appendAuditEntry(ctx, tx, e)
	return err
}

func (db *DB) appendAuditEntry(ctx context.Context, tx *sql.Tx, e audit.Entry) (audit.Entry, error) {
	if db.D.AuditLock != "" {
		if _, err := tx.ExecContext(ctx, db.D.AuditLock); err != nil {
			return e, err
		}
	}
	var prev *audit.Entry
	last, err := scanAudit(db.queryRow(ctx, tx, qAuditHead))
	switch {
	case err == nil:
		prev = &last
	case !errors.Is(err, sql.ErrNoRows):
		return e, fmt.Errorf("reading the audit head: %w", err)
	}
	if err := db.AuditFloor.Check(prev); err != nil {
		return e, err
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e = audit.Seal(prev, e)
	var details any
	if e.Details != nil {
		details = string(e.Details)
	}
	_, err = db.exec(ctx, tx, qAuditInsert,
		e.Seq, micro(e.Time), e.Actor, e.Action, e.Object, details, e.PrevHash, e.Hash)
	if err != nil {
		return e, fmt.Errorf("writing audit entry %d: %w", e.Seq, err)
	}
	return e, nil
}

// appendAudits seals es onto the chain in order, reading the head once
// and inserting them in multi-row statements.
func (db *DB) appendAudits(ctx context.Context, tx *sql.Tx, es []audit.Entry) error {
	if len(es) == 1 {
		return db.appendAudit(ctx, tx, es[0])
	}
	if db.D.AuditLock != "" {
		if _, err := tx.ExecContext(ctx, db.D.AuditLock); err != nil {
			return err
		}
	}
	var prev *audit.Entry
	last, err := scanAudit(db.queryRow(ctx, tx, qAuditHead))
	switch {
	case err == nil:
		prev = &last
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("reading the audit head: %w", err)
	}
	if err := db.AuditFloor.Check(prev); err != nil {
		return err
	}
	types := []string{tInt, tInt, tText, tText, tText, tText, tText, tText}
	cols := len(types)
	chunk := db.rowsPer(cols)
	for lo := 0; lo < len(es); lo += chunk {
		part := es[lo:min(lo+chunk, len(es))]
		args := make([]any, 0, cols*len(part))
		var first int64
		for i, e := range part {
			if e.Time.IsZero() {
				e.Time = time.Now()
			}
			e = audit.Seal(prev, e)
			var details any
			if e.Details != nil {
				details = string(e.Details)
			}
			args = append(args, e.Seq, micro(e.Time), e.Actor, e.Action, e.Object, details, e.PrevHash, e.Hash)
			if i == 0 {
				first = e.Seq
			}
			prev = &e
		}
		if _, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO audit_log (seq, time, actor, action, object, details, prev_hash, hash) `+db.rowsSQL(types, len(part))), db.rowsArgs(types, args)...); err != nil {
			return fmt.Errorf("writing audit entries from %d: %w", first, err)
		}
	}
	return nil
}

// AppendAudit seals e onto the chain in its own transaction.
func (db *DB) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	var out audit.Entry
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.appendAuditEntry(ctx, tx, e)
		return err
	})
	return out, err
}

const auditSelect = `SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_log`

func scanAudit(s scanner) (audit.Entry, error) {
	var e audit.Entry
	var t int64
	var details sql.NullString
	if err := s.Scan(&e.Seq, &t, &e.Actor, &e.Action, &e.Object, &details, &e.PrevHash, &e.Hash); err != nil {
		return e, err
	}
	e.Time = fromMicro(t)
	if details.Valid {
		e.Details = json.RawMessage(details.String)
	}
	return e, nil
}

// AuditEntries returns entries after seq, in order.
func (db *DB) AuditEntries(ctx context.Context, after int64, n int) ([]audit.Entry, error) {
	if n <= 0 {
		n = 1000
	}
	rows, err := db.R.QueryContext(ctx, db.D.rebind(auditSelect+` WHERE seq > ? ORDER BY seq LIMIT `+strconv.Itoa(n)), after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
