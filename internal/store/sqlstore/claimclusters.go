package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store"
)

var _ store.ClaimClusters = (*DB)(nil)

// SaveClaimClusters upserts the refresh's clusters by key, keeping the case
// each one may have, and drops clusters no longer seen that have no case.
func (db *DB) SaveClaimClusters(ctx context.Context, cs []store.ClaimCluster, now time.Time) error {
	at := micro(now)
	return db.writeTx(ctx, false, func(tx *sql.Tx) error {
		for i := range cs {
			c := cs[i]
			c.CaseID, c.UpdatedAt = 0, now.UTC()
			data, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO claim_clusters (key, growth, data, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET growth = excluded.growth, data = excluded.data, updated_at = excluded.updated_at`),
				c.Key, c.Growth, string(data), at); err != nil {
				return fmt.Errorf("saving claim cluster %s: %w", c.Key, err)
			}
		}
		_, err := tx.ExecContext(ctx, db.D.rebind(`DELETE FROM claim_clusters WHERE updated_at < ? AND case_id IS NULL`), at)
		return err
	})
}

func scanClaimCluster(s scanner) (*store.ClaimCluster, error) {
	var data string
	var caseID sql.NullInt64
	if err := s.Scan(&data, &caseID); err != nil {
		return nil, err
	}
	var c store.ClaimCluster
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return nil, fmt.Errorf("claim cluster: %w", err)
	}
	c.CaseID = caseID.Int64
	return &c, nil
}

// ListClaimClusters returns the clusters by growth, fastest first.
func (db *DB) ListClaimClusters(ctx context.Context, n int) ([]store.ClaimCluster, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(`SELECT data, case_id FROM claim_clusters ORDER BY growth DESC, key LIMIT ?`), limit(n))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.ClaimCluster{}
	for rows.Next() {
		c, err := scanClaimCluster(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// ClaimCluster returns one cluster.
func (db *DB) ClaimCluster(ctx context.Context, key string) (*store.ClaimCluster, error) {
	c, err := scanClaimCluster(db.R.QueryRowContext(ctx, db.D.rebind(`SELECT data, case_id FROM claim_clusters WHERE key = ?`), key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("claim cluster %q: %w", key, store.ErrNotFound)
	}
	return c, err
}

// claimCaseSeverity: an emerging claim waits for a check (medium); one
// that repeats a published debunk is already known to be false (high).
func claimCaseLabel(c *store.ClaimCluster) (category, severity string, priority int) {
	if c.Debunk != nil {
		return "false-claim", "high", 3
	}
	return "emerging-claim", "medium", 2
}

// OpenClaimCase opens (once) the case of a cluster.
func (db *DB) OpenClaimCase(ctx context.Context, actor, key string, now time.Time) (*store.Case, bool, error) {
	var id int64
	created := false
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		c, err := scanClaimCluster(tx.QueryRowContext(ctx, db.D.rebind(`SELECT data, case_id FROM claim_clusters WHERE key = ?`), key))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("claim cluster %q: %w", key, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if c.CaseID != 0 {
			id = c.CaseID
			return nil
		}
		category, severity, prio := claimCaseLabel(c)
		score := 0.0
		if c.Debunk != nil {
			score = c.Debunk.Score
		}
		at := micro(now)
		first, last := micro(c.First), micro(c.Last)
		if c.First.IsZero() {
			first = at
		}
		if c.Last.IsZero() {
			last = at
		}
		if err := tx.QueryRowContext(ctx, db.D.rebind(`INSERT INTO cases (cluster_key, status, category, severity, score, strength, priority, count, first_seen, last_seen, assignee, created_at, updated_at, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 1) RETURNING id`),
			"claim:"+key, string(store.StatusNew), category, severity, score, float64(prio)+score, prio, c.Posts, first, last, at, at).Scan(&id); err != nil {
			return fmt.Errorf("opening the case of claim cluster %q: %w", key, err)
		}
		created = true
		if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE claim_clusters SET case_id = ? WHERE key = ?`), id, key); err != nil {
			return err
		}
		if len(c.PostKeys) > 0 {
			if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE posts SET case_id = ? WHERE case_id IS NULL AND key IN (`+placeholders(len(c.PostKeys))+`)`),
				append([]any{id}, int64Args(c.PostKeys)...)...); err != nil {
				return err
			}
		}
		for _, pl := range slices.Sorted(slices.Values(c.Platforms)) {
			if _, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO case_platforms (case_id, platform) VALUES (?, ?) ON CONFLICT DO NOTHING`), id, pl); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, audit.New(actor, audit.ActionCaseOpen, "case:"+strconv.FormatInt(id, 10),
			map[string]any{"claim_cluster": key, "posts": c.Posts, "category": category, "severity": severity}))
	})
	if err != nil {
		return nil, false, err
	}
	cs, err := db.Case(ctx, id)
	return cs, created, err
}
