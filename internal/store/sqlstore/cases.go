package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store"
)

const caseSelect = `SELECT id, cluster_key, status, category, severity, score, priority, count, first_seen, last_seen, assignee, lease_until, created_at, updated_at, version FROM cases`

func scanCase(s scanner) (*store.Case, error) {
	var c store.Case
	var status string
	var first, last, created, updated int64
	var lease sql.NullInt64
	if err := s.Scan(&c.ID, &c.ClusterKey, &status, &c.Category, &c.Severity, &c.Score, &c.Priority, &c.Count,
		&first, &last, &c.Assignee, &lease, &created, &updated, &c.Version); err != nil {
		return nil, err
	}
	c.Status = store.Status(status)
	c.FirstSeen, c.LastSeen = fromMicro(first), fromMicro(last)
	c.CreatedAt, c.UpdatedAt = fromMicro(created), fromMicro(updated)
	c.LeaseUntil = timePtr(lease)
	return &c, nil
}

func (db *DB) platforms(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, cases []*store.Case) error {
	if len(cases) == 0 {
		return nil
	}
	byID := make(map[int64]*store.Case, len(cases))
	ids := make([]int64, len(cases))
	for i, c := range cases {
		byID[c.ID] = c
		ids[i] = c.ID
		c.Platforms = []string{}
	}
	rows, err := q.QueryContext(ctx, db.D.rebind(`SELECT case_id, platform FROM case_platforms WHERE case_id IN (`+placeholders(len(ids))+`) ORDER BY case_id, platform`), int64Args(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			return err
		}
		byID[id].Platforms = append(byID[id].Platforms, p)
	}
	return rows.Err()
}

// Case returns one case with its platforms.
func (db *DB) Case(ctx context.Context, id int64) (*store.Case, error) {
	c, err := scanCase(db.R.QueryRowContext(ctx, db.D.rebind(caseSelect+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return c, db.platforms(ctx, db.R, []*store.Case{c})
}

// ListCases returns cases by priority then age, or by id when paging.
func (db *DB) ListCases(ctx context.Context, q store.CaseQuery) ([]*store.Case, error) {
	var where []string
	var args []any
	if q.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(q.Status))
	}
	if q.Category != "" {
		where = append(where, "category = ?")
		args = append(args, q.Category)
	}
	if q.Assignee != "" {
		where = append(where, "assignee = ?")
		args = append(args, q.Assignee)
	}
	if q.Severity != "" {
		where = append(where, "severity = ?")
		args = append(args, q.Severity)
	}
	if q.Platform != "" {
		where = append(where, "id IN (SELECT case_id FROM case_platforms WHERE platform = ?)")
		args = append(args, q.Platform)
	}
	if q.Search != "" {
		// LIKE's wildcards in the search are matched literally.
		esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q.Search)
		where = append(where, `id IN (SELECT case_id FROM posts WHERE case_id IS NOT NULL AND text LIKE ? ESCAPE '\')`)
		args = append(args, "%"+esc+"%")
	}
	order := " ORDER BY priority DESC, id"
	if q.AfterID != 0 {
		where = append(where, "id > ?")
		args = append(args, q.AfterID)
		order = " ORDER BY id"
	}
	sqlq := caseSelect
	if len(where) > 0 {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	sqlq += order + " LIMIT " + strconv.Itoa(limit(q.Limit))
	if q.Offset > 0 && q.AfterID == 0 {
		sqlq += " OFFSET " + strconv.Itoa(q.Offset)
	}
	rows, err := db.R.QueryContext(ctx, db.D.rebind(sqlq), args...)
	if err != nil {
		return nil, err
	}
	var out []*store.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.platforms(ctx, db.R, out)
}

// ClaimNext leases the next case to analyst. The candidate is re-checked in
// the UPDATE itself, so two analysts racing for one case cannot both win:
// the loser retries with the next candidate.
func (db *DB) ClaimNext(ctx context.Context, analyst string, lease time.Duration, now time.Time) (*store.Case, error) {
	if analyst == "" {
		return nil, errors.New("claiming a case needs an analyst name")
	}
	n := micro(now)
	until := micro(now.Add(lease))
	open := `(status IN ('new', 'appealed') OR (status = 'in_review' AND (lease_until IS NULL OR lease_until < ?)))`
	for attempt := 0; attempt < 8; attempt++ {
		var c *store.Case
		err := db.withTx(ctx, func(tx *sql.Tx) error {
			var id int64
			var from string
			err := tx.QueryRowContext(ctx, db.D.rebind(`SELECT id, status FROM cases WHERE `+open+` ORDER BY priority DESC, id LIMIT 1`+db.D.SkipLocked), n).Scan(&id, &from)
			if errors.Is(err, sql.ErrNoRows) {
				return errQueueEmpty
			}
			if err != nil {
				return err
			}
			c, err = scanCase(tx.QueryRowContext(ctx, db.D.rebind(`UPDATE cases SET status = 'in_review', assignee = ?, lease_until = ?, updated_at = ?, version = version + 1
WHERE id = ? AND `+open+` RETURNING id, cluster_key, status, category, severity, score, priority, count, first_seen, last_seen, assignee, lease_until, created_at, updated_at, version`),
				analyst, until, n, id, n))
			if errors.Is(err, sql.ErrNoRows) {
				return errLostRace
			}
			if err != nil {
				return err
			}
			if err := db.platforms(ctx, tx, []*store.Case{c}); err != nil {
				return err
			}
			return db.appendAudit(ctx, tx, audit.New(analyst, audit.ActionCaseState, "case:"+strconv.FormatInt(id, 10),
				map[string]any{"from": from, "to": string(store.StatusInReview), "lease_until": fromMicro(until)}))
		})
		switch {
		case err == nil:
			return c, nil
		case errors.Is(err, errQueueEmpty):
			return nil, fmt.Errorf("no case waiting for review: %w", store.ErrNotFound)
		case errors.Is(err, errLostRace):
			time.Sleep(time.Duration(attempt+1) * time.Millisecond)
			continue
		default:
			return nil, err
		}
	}
	return nil, fmt.Errorf("claiming a case: %w (too many analysts racing; try again)", store.ErrConflict)
}

var (
	errQueueEmpty = errors.New("queue empty")
	errLostRace   = errors.New("lost the race for a case")
)

// Transition applies a state change with its decision and audit entry.
func (db *DB) Transition(ctx context.Context, t store.Transition) (*store.Case, error) {
	if t.Now.IsZero() {
		t.Now = time.Now()
	}
	var c *store.Case
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanCase(tx.QueryRowContext(ctx, db.D.rebind(caseSelect+` WHERE id = ?`), t.CaseID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("case %d: %w", t.CaseID, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		ok := false
		for _, f := range t.From {
			ok = ok || cur.Status == f
		}
		if !ok {
			return fmt.Errorf("case %d is %s, not %s: %w", t.CaseID, cur.Status, joinStatus(t.From), store.ErrConflict)
		}
		if t.RequireAssignee && (cur.Assignee != t.Actor || cur.LeaseUntil == nil || !cur.LeaseUntil.After(t.Now)) {
			who := cur.Assignee
			if who == "" {
				who = "nobody"
			}
			return fmt.Errorf("case %d is leased to %s, not %s (claim it first): %w", t.CaseID, who, t.Actor, store.ErrConflict)
		}
		n := micro(t.Now)
		res, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE cases SET status = ?, assignee = ?, lease_until = ?, priority = priority + ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`),
			string(t.To), t.Assignee, nullMicro(t.LeaseUntil), t.PriorityDelta, n, t.CaseID, cur.Version)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("case %d changed meanwhile: %w", t.CaseID, store.ErrConflict)
		}
		if d := t.Decision; d != nil {
			at := d.At
			if at.IsZero() {
				at = t.Now
			}
			if _, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO decisions (case_id, actor, action, category, rationale, at) VALUES (?, ?, ?, ?, ?, ?)`),
				t.CaseID, d.Actor, d.Action, d.Category, d.Rationale, micro(at)); err != nil {
				return err
			}
		}
		e := t.Audit
		if e.Action == "" {
			e = audit.New(t.Actor, audit.ActionCaseState, "case:"+strconv.FormatInt(t.CaseID, 10),
				map[string]any{"from": string(cur.Status), "to": string(t.To)})
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		c, err = scanCase(tx.QueryRowContext(ctx, db.D.rebind(caseSelect+` WHERE id = ?`), t.CaseID))
		if err != nil {
			return err
		}
		return db.platforms(ctx, tx, []*store.Case{c})
	})
	return c, err
}

func joinStatus(ss []store.Status) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

// Decisions returns the decisions on a case, oldest first.
func (db *DB) Decisions(ctx context.Context, caseID int64) ([]store.Decision, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(`SELECT id, case_id, actor, action, category, rationale, at FROM decisions WHERE case_id = ? ORDER BY id`), caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Decision
	for rows.Next() {
		var d store.Decision
		var at int64
		if err := rows.Scan(&d.ID, &d.CaseID, &d.Actor, &d.Action, &d.Category, &d.Rationale, &at); err != nil {
			return nil, err
		}
		d.At = fromMicro(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
