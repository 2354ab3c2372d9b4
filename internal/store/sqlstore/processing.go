package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store"
)

// RecordProcessing stores a batch of worker results in one transaction
// whose statements are counted per batch, not per post or per case: the
// posts are locked and read once, signals inserted in bulk, campaigns
// resolved and folded in memory (internal/campaign) and written with one
// statement per existing case and one for all the new ones, posts marked
// in one UPDATE, the audit entries of new cases sealed and inserted
// together.
//
// Locks are taken in a fixed order (posts by key, exact keys, new cases
// by cluster key, then existing cases by cluster key, then the audit
// head), and the shared rows (a campaign's case, the audit head) last, so
// that concurrent workers wait on each other only for the end of a
// transaction. A deadlock the database breaks anyway is retried.
func (db *DB) RecordProcessing(ctx context.Context, actor string, batch []store.Processing) ([]store.Processed, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	sorted := append([]store.Processing(nil), batch...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].PostKey < sorted[j].PostKey })
	// A key given twice is processed once (its first result).
	sorted = slices.CompactFunc(sorted, func(a, b store.Processing) bool { return a.PostKey == b.PostKey })
	var out []store.Processed
	err := db.retryTx(ctx, false, func(tx *sql.Tx) error {
		var err error
		out, err = db.recordProcessing(ctx, tx, actor, batch, sorted)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recording results of %d posts: %w", len(batch), err)
	}
	return out, nil
}

// claimed is what the transaction learnt of a post it processes.
type claimed struct {
	version int
	hadCase int64 // an edited post processed again stays in its case
}

func (db *DB) recordProcessing(ctx context.Context, tx *sql.Tx, actor string, batch, sorted []store.Processing) ([]store.Processed, error) {
	now := time.Now()
	nowMicro := micro(now)
	// 1. Lock the posts not yet processed: only those are ours. A
	// concurrent worker with the same posts waits here, then finds them
	// processed.
	mine, err := db.claimPosts(ctx, tx, sorted)
	if err != nil {
		return nil, err
	}
	// A post edited after the worker read it is left for the edit's own
	// message, which processes the new version.
	for _, p := range sorted {
		if c, ok := mine[p.PostKey]; ok && p.Version > 0 && p.Version != c.version {
			delete(mine, p.PostKey)
		}
	}
	// 2. Media hashes the worker computed, kept with the post.
	for _, p := range sorted {
		if _, ok := mine[p.PostKey]; !ok || p.Media == nil {
			continue
		}
		media, err := json.Marshal(p.Media)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE posts SET media = ? WHERE key = ?`), string(media), p.PostKey); err != nil {
			return nil, err
		}
	}
	// 3. Signals.
	if err := db.insertSignals(ctx, tx, sorted, mine); err != nil {
		return nil, err
	}
	// 4. Campaigns: which case each flagged post joins; new cases.
	caseOf := make(map[int64]int64, len(sorted))
	for k, c := range mine {
		if c.hadCase != 0 {
			caseOf[k] = c.hadCase
		}
	}
	var flagged []store.Processing
	for _, p := range sorted {
		if c, ok := mine[p.PostKey]; ok && p.ClusterKey != "" && c.hadCase == 0 {
			flagged = append(flagged, p)
		}
	}
	f, err := db.foldCampaigns(ctx, tx, flagged, now, caseOf)
	if err != nil {
		return nil, err
	}
	// 5. The posts: processed, in their case.
	if err := db.markProcessed(ctx, tx, mine, caseOf, nowMicro); err != nil {
		return nil, err
	}
	// 6. Existing campaigns grow, as late as possible: their rows are the
	// ones concurrent workers share.
	if err := db.growCases(ctx, tx, f.grown, nowMicro); err != nil {
		return nil, err
	}
	// 7. Audit: one entry per case opened, sealed together; with several
	// writers, under the audit lock, the cases opened are checked against
	// those opened concurrently.
	if len(f.cases) > 0 && db.D.AuditLock != "" {
		if _, err := tx.ExecContext(ctx, db.D.AuditLock); err != nil {
			return nil, err
		}
		if err := db.checkOpened(ctx, tx, f); err != nil {
			return nil, err
		}
	}
	if len(f.cases) > 0 {
		es := make([]audit.Entry, len(f.cases))
		for i, o := range f.cases {
			es[i] = audit.New(actor, audit.ActionCaseOpen, "case:"+strconv.FormatInt(o.id, 10),
				map[string]any{"post": o.post.PostKey, "category": o.post.Category, "severity": o.post.Severity, "score": o.post.Score})
		}
		if err := db.appendAudits(ctx, tx, es); err != nil {
			return nil, err
		}
	}
	out := make([]store.Processed, 0, len(batch))
	for _, p := range batch {
		_, ok := mine[p.PostKey]
		out = append(out, store.Processed{PostKey: p.PostKey, CaseID: caseOf[p.PostKey], NewCase: f.opener[p.PostKey], Skipped: !ok})
	}
	return out, nil
}

// claimPosts locks the batch's posts not yet processed, in key order.
func (db *DB) claimPosts(ctx context.Context, tx *sql.Tx, sorted []store.Processing) (map[int64]claimed, error) {
	mine := make(map[int64]claimed, len(sorted))
	keys := make([]int64, len(sorted))
	for i, p := range sorted {
		keys[i] = p.PostKey
	}
	keys = slices.Compact(keys)
	chunk := db.inChunk()
	for lo := 0; lo < len(keys); lo += chunk {
		cond, args := db.in("key", keys[lo:min(lo+chunk, len(keys))])
		rows, err := tx.QueryContext(ctx, db.D.rebind(`SELECT key, version, case_id FROM posts WHERE `+cond+` AND processed_at IS NULL ORDER BY key`+db.D.ForUpdate), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k int64
			var c claimed
			var caseID sql.NullInt64
			if err := rows.Scan(&k, &c.version, &caseID); err != nil {
				rows.Close()
				return nil, err
			}
			c.hadCase = caseID.Int64
			mine[k] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return mine, nil
}

// markProcessed sets processed_at on the posts claimed, and case_id on
// those in a case, in one statement (per chunk).
func (db *DB) markProcessed(ctx context.Context, tx *sql.Tx, mine map[int64]claimed, caseOf map[int64]int64, now int64) error {
	keys := make([]int64, 0, len(mine))
	for k := range mine {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if db.D.Arrays {
		cases := make([]*int64, len(keys))
		for i, k := range keys {
			if c, ok := caseOf[k]; ok {
				cases[i] = &c
			}
		}
		_, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE posts SET processed_at = ?, case_id = COALESCE(v.c, posts.case_id)
FROM unnest(?::bigint[], ?::bigint[]) AS v(k, c) WHERE posts.key = v.k`), now, keys, cases)
		return err
	}
	chunk := max(1, (db.D.MaxParams-1)/3)
	for lo := 0; lo < len(keys); lo += chunk {
		part := keys[lo:min(lo+chunk, len(keys))]
		var q strings.Builder
		args := make([]any, 0, 1+3*len(part))
		args = append(args, now)
		q.WriteString(`UPDATE posts SET processed_at = ?`)
		cases := 0
		for _, k := range part {
			if c, ok := caseOf[k]; ok {
				if cases == 0 {
					q.WriteString(`, case_id = CASE key`)
				}
				q.WriteString(` WHEN ? THEN ?`)
				args = append(args, k, c)
				cases++
			}
		}
		if cases > 0 {
			q.WriteString(` ELSE case_id END`)
		}
		q.WriteString(` WHERE key IN (` + placeholders(len(part)) + `)`)
		args = append(args, int64Args(part)...)
		if _, err := tx.ExecContext(ctx, db.D.rebind(q.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// signalTypes are the columns of insertSignals' INSERT.
var signalTypes = []string{tInt, tInt, tText, tText, tText, tText, tText, tFloat, tText, tText, tText, tInt}

func (db *DB) insertSignals(ctx context.Context, tx *sql.Tx, batch []store.Processing, mine map[int64]claimed) error {
	var args []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		q := `INSERT INTO signals (post_key, n, detector, kind, rule, label, severity, score, evidence, spans, details, version) ` + db.rowsSQL(signalTypes, rows)
		_, err := tx.ExecContext(ctx, db.D.rebind(q), db.rowsArgs(signalTypes, args)...)
		args, rows = args[:0], 0
		return err
	}
	per := db.rowsPer(len(signalTypes))
	for _, p := range batch {
		c, ok := mine[p.PostKey]
		if !ok {
			continue
		}
		// A later version's signals follow the earlier ones'.
		first := 0
		if c.version > 1 && len(p.Signals) > 0 {
			if err := db.queryRow(ctx, tx, `SELECT COALESCE(MAX(n), -1) + 1 FROM signals WHERE post_key = ?`, p.PostKey).Scan(&first); err != nil {
				return err
			}
		}
		for i, s := range p.Signals {
			n := first + i
			spans, err := jsonOrNil(s.Spans, len(s.Spans) == 0)
			if err != nil {
				return err
			}
			details, err := jsonOrNil(s.Details, len(s.Details) == 0)
			if err != nil {
				return fmt.Errorf("post %d: signal details: %w", p.PostKey, err)
			}
			args = append(args, p.PostKey, n, s.Detector, s.Kind, s.Rule, s.Label, s.Severity, s.Score, s.Evidence, spans, details, max(1, c.version))
			rows++
			if rows == per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
