package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/store"
)

// The SQL store keeps debunks (debunk.Store): each change is written with
// its audit entry in one transaction.
var _ debunk.Store = (*DB)(nil)

const debunkSelect = `SELECT id, case_id, created_by, live, first_published, created_at, updated_at, rev FROM debunks`

func debunkObject(id int64) string { return "debunk:" + strconv.FormatInt(id, 10) }

func scanDebunk(s scanner) (*debunk.Debunk, error) {
	var d debunk.Debunk
	var first sql.NullInt64
	var created, updated int64
	if err := s.Scan(&d.ID, &d.CaseID, &d.CreatedBy, &d.Live, &first, &created, &updated, &d.Rev); err != nil {
		return nil, err
	}
	d.FirstPublished = timePtr(first)
	d.CreatedAt, d.UpdatedAt = fromMicro(created), fromMicro(updated)
	return &d, nil
}

// CreateDebunk stores a new debunk (debunk.Create) with its versions and
// sets its ID and Rev.
func (db *DB) CreateDebunk(ctx context.Context, d *debunk.Debunk) error {
	if len(d.Versions) == 0 {
		return errors.New("a debunk needs a version")
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.D.rebind(`INSERT INTO debunks (case_id, created_by, live, status, first_published, created_at, updated_at, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`), d.CaseID, d.CreatedBy, d.Live, d.Status(), nullMicro(d.FirstPublished),
			micro(d.CreatedAt), micro(d.UpdatedAt)).Scan(&d.ID)
		if err != nil {
			return err
		}
		d.Rev = 1
		if err := db.putVersions(ctx, tx, d); err != nil {
			return err
		}
		v := d.Latest()
		return db.appendAudit(ctx, tx, audit.New(d.CreatedBy, debunk.AuditAction, debunkObject(d.ID),
			map[string]any{"op": "create", "case": d.CaseID, "version": v.N, "rating": v.Content.Rating, "langs": v.Content.Langs()}))
	})
}

func (db *DB) putVersions(ctx context.Context, tx *sql.Tx, d *debunk.Debunk) error {
	for _, v := range d.Versions {
		content, err := json.Marshal(v.Content)
		if err != nil {
			return err
		}
		editors, err := json.Marshal(v.Editors)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.D.rebind(`INSERT INTO debunk_versions (debunk_id, n, status, content, note, editors, approved_by, approved_at, published_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (debunk_id, n) DO UPDATE SET status = excluded.status, content = excluded.content, note = excluded.note, editors = excluded.editors,
    approved_by = excluded.approved_by, approved_at = excluded.approved_at, published_at = excluded.published_at, updated_at = excluded.updated_at`),
			d.ID, v.N, v.Status, string(content), v.Note, string(editors), v.ApprovedBy, nullMicro(v.ApprovedAt), nullMicro(v.PublishedAt),
			micro(v.CreatedAt), micro(v.UpdatedAt))
		if err != nil {
			return fmt.Errorf("debunk %d version %d: %w", d.ID, v.N, err)
		}
	}
	return nil
}

// UpdateDebunk loads debunk id, applies step and stores the result with an
// audit entry by actor for op, in one transaction. The entry names the
// version, its status before and after, its editors and its approver, so
// the log shows who wrote and who approved what was published. A
// concurrent change makes the write fail with store.ErrConflict.
func (db *DB) UpdateDebunk(ctx context.Context, id int64, actor, op string, step func(*debunk.Debunk) error) (*debunk.Debunk, error) {
	var d *debunk.Debunk
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = db.loadDebunk(ctx, tx, id)
		if err != nil {
			return err
		}
		before := d.Status()
		n := len(d.Versions)
		if err := step(d); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE debunks SET live = ?, status = ?, first_published = ?, updated_at = ?, rev = rev + 1 WHERE id = ? AND rev = ?`),
			d.Live, d.Status(), nullMicro(d.FirstPublished), micro(d.UpdatedAt), d.ID, d.Rev)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			return fmt.Errorf("debunk %d: %w", id, store.ErrConflict)
		}
		d.Rev++
		if err := db.putVersions(ctx, tx, d); err != nil {
			return err
		}
		v := d.Latest()
		details := map[string]any{"op": op, "version": v.N, "from": before, "to": v.Status, "editors": v.Editors, "rating": v.Content.Rating}
		if len(d.Versions) > n {
			details["from"] = ""
		}
		if v.ApprovedBy != "" {
			details["approved_by"] = v.ApprovedBy
		}
		if v.Note != "" {
			details["note"] = v.Note
		}
		return db.appendAudit(ctx, tx, audit.New(actor, debunk.AuditAction, debunkObject(d.ID), details))
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Debunk returns one debunk with its versions, or store.ErrNotFound.
func (db *DB) Debunk(ctx context.Context, id int64) (*debunk.Debunk, error) {
	return db.loadDebunk(ctx, db.R, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (db *DB) loadDebunk(ctx context.Context, q querier, id int64) (*debunk.Debunk, error) {
	d, err := scanDebunk(q.QueryRowContext(ctx, db.D.rebind(debunkSelect+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("debunk %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := db.debunkVersions(ctx, q, []*debunk.Debunk{d}); err != nil {
		return nil, err
	}
	return d, nil
}

// debunkVersions fills in the versions of ds, in order.
func (db *DB) debunkVersions(ctx context.Context, q querier, ds []*debunk.Debunk) error {
	if len(ds) == 0 {
		return nil
	}
	byID := make(map[int64]*debunk.Debunk, len(ds))
	ids := make([]int64, len(ds))
	for i, d := range ds {
		byID[d.ID], ids[i] = d, d.ID
	}
	rows, err := q.QueryContext(ctx, db.D.rebind(`SELECT debunk_id, n, status, content, note, editors, approved_by, approved_at, published_at, created_at, updated_at
FROM debunk_versions WHERE debunk_id IN (`+placeholders(len(ids))+`) ORDER BY debunk_id, n`), int64Args(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v debunk.Version
		var content, editors string
		var approved, published sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&id, &v.N, &v.Status, &content, &v.Note, &editors, &v.ApprovedBy, &approved, &published, &created, &updated); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(content), &v.Content); err != nil {
			return fmt.Errorf("debunk %d version %d: content: %w", id, v.N, err)
		}
		if err := json.Unmarshal([]byte(editors), &v.Editors); err != nil {
			return fmt.Errorf("debunk %d version %d: editors: %w", id, v.N, err)
		}
		v.ApprovedAt, v.PublishedAt = timePtr(approved), timePtr(published)
		v.CreatedAt, v.UpdatedAt = fromMicro(created), fromMicro(updated)
		if d := byID[id]; d != nil {
			d.Versions = append(d.Versions, v)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range ds {
		if len(d.Versions) == 0 {
			return fmt.Errorf("debunk %d has no version: the database is damaged", d.ID)
		}
	}
	return nil
}

// ListDebunks returns debunks with their versions, most recently changed
// first.
func (db *DB) ListDebunks(ctx context.Context, q debunk.Query) ([]*debunk.Debunk, error) {
	var where []string
	var args []any
	if q.Status != "" {
		where = append(where, "status = ?")
		args = append(args, q.Status)
	}
	if q.Live {
		where = append(where, "live > 0")
	}
	if q.CaseID != 0 {
		where = append(where, "case_id = ?")
		args = append(args, q.CaseID)
	}
	sqlq := debunkSelect
	if len(where) > 0 {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	order := " ORDER BY updated_at DESC, id DESC"
	if q.Live {
		order = " ORDER BY first_published DESC, id DESC"
	}
	rows, err := db.R.QueryContext(ctx, db.D.rebind(sqlq+order+` LIMIT `+strconv.Itoa(limit(q.Limit))), args...)
	if err != nil {
		return nil, err
	}
	out := []*debunk.Debunk{}
	for rows.Next() {
		d, err := scanDebunk(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.debunkVersions(ctx, db.R, out)
}

// DebunkMatches counts the distinct posts of the debunk's case and the
// posts the claim matcher signalled on one of its claims
// (debunk.ClaimID), split at its first publication by ingest time; an
// unpublished debunk counts everything as before.
func (db *DB) DebunkMatches(ctx context.Context, id int64) (debunk.Matches, error) {
	var m debunk.Matches
	d, err := scanDebunk(db.R.QueryRowContext(ctx, db.D.rebind(debunkSelect+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("debunk %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return m, err
	}
	split := int64(1<<63 - 1)
	if d.FirstPublished != nil {
		split = micro(*d.FirstPublished)
	}
	// Signal details are JSON written by encoding/json (sorted keys, no
	// spaces), so the claim id appears as "claim_id":"<id>". The LIKE
	// wildcard _ in the pattern only widens it to the same text.
	pattern := `%"claim_id":"` + debunk.ClaimIDPrefix(id) + `%`
	err = db.R.QueryRowContext(ctx, db.D.rebind(`SELECT
    COALESCE(SUM(CASE WHEN p.ingested_at < ? THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.ingested_at >= ? THEN 1 ELSE 0 END), 0)
FROM posts p WHERE p.case_id = ?
   OR p.key IN (SELECT s.post_key FROM signals s WHERE s.detector = 'claims' AND s.details LIKE ?)`),
		split, split, caseOrNone(d.CaseID), pattern).Scan(&m.Before, &m.After)
	return m, err
}

// caseOrNone returns id, or -1 (no case has it) for a free-standing debunk.
func caseOrNone(id int64) int64 {
	if id == 0 {
		return -1
	}
	return id
}
