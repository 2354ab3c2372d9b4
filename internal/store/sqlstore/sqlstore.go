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
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
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
	// MigrationLock is run at the start of each migration transaction.
	MigrationLock string
	// SkipLocked ends the SELECT that picks the next case to claim, so that
	// concurrent analysts take different cases instead of racing for one.
	SkipLocked string
	// MaxParams bounds the placeholders of one statement.
	MaxParams int
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
	qCaseKey  = `SELECT cluster_key FROM case_keys WHERE exact_key = ?`
	qPlaceKey = `INSERT INTO case_keys (exact_key, cluster_key) VALUES (?, ?) ON CONFLICT (exact_key) DO NOTHING`

	qSetCase      = `UPDATE posts SET case_id = ? WHERE key = ?`
	qCasePlatform = `INSERT INTO case_platforms (case_id, platform) VALUES (?, ?) ON CONFLICT DO NOTHING`
	qAuditHead    = `SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1`
	qAuditInsert  = `INSERT INTO audit_log (seq, time, actor, action, object, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qCaseOpen     = `INSERT INTO cases (cluster_key, status, category, severity, score, strength, priority, count, first_seen, last_seen, assignee, created_at, updated_at, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 1) ON CONFLICT (cluster_key) DO NOTHING RETURNING id`
)

func (db *DB) qCaseGrow() string {
	g, l := db.D.Greatest, db.D.Least
	return `UPDATE cases SET
    count = count + ?,
    first_seen = ` + l + `(first_seen, ?),
    last_seen = ` + g + `(last_seen, ?),
    category = CASE WHEN ? > strength THEN ? ELSE category END,
    severity = CASE WHEN ? > strength THEN ? ELSE severity END,
    score = ` + g + `(score, ?),
    priority = ` + g + `(priority, ?),
    strength = ` + g + `(strength, ?),
    updated_at = ?,
    version = version + 1
WHERE cluster_key = ? RETURNING id`
}

// Prepare prepares the hot statements on the writer pool. Call it once,
// right after opening, before any other use.
func (db *DB) Prepare(ctx context.Context) error {
	db.stmts = map[string]*sql.Stmt{}
	for _, q := range []string{qSetCase, qCasePlatform, qAuditHead, qAuditInsert, qCaseOpen, qCaseKey, qPlaceKey, db.qCaseGrow()} {
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

// --- posts ------------------------------------------------------------------

const postCols = 12

// PutPosts stores a batch in one transaction: multi-row INSERT … ON
// CONFLICT DO NOTHING RETURNING, chunked under the dialect's parameter
// limit. The commit is the durability point.
func (db *DB) PutPosts(ctx context.Context, actor, source string, posts []*post.Post) (store.PutResult, error) {
	var res store.PutResult
	if len(posts) == 0 {
		return res, nil
	}
	now := micro(time.Now())
	type pk struct{ platform, id string }
	got := make(map[pk]int64, len(posts))
	var edited []int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		clear(got)
		edited = edited[:0]
		chunk := max(1, db.D.MaxParams/postCols)
		for lo := 0; lo < len(posts); lo += chunk {
			part := posts[lo:min(lo+chunk, len(posts))]
			var q strings.Builder
			q.WriteString(`INSERT INTO posts (platform, platform_post_id, source, url, author, lang, text, posted_at, media, extra, ingested_at, processed_at) VALUES `)
			args := make([]any, 0, len(part)*postCols)
			for i, p := range part {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteString(`(?,?,?,?,?,?,?,?,?,?,?,NULL)`)
				media, err := jsonOrNil(p.Media, len(p.Media) == 0)
				if err != nil {
					return fmt.Errorf("post %q: media: %w", p.ID, err)
				}
				extra, err := jsonOrNil(p.Extra, len(p.Extra) == 0)
				if err != nil {
					return fmt.Errorf("post %q: extra fields: %w", p.ID, err)
				}
				src := p.Source
				if src == "" {
					src = source
				}
				args = append(args, p.Platform, p.ID, src, p.URL, p.Author, p.Lang, p.Text, nullMicro(p.PostedAt), media, extra, now)
			}
			q.WriteString(` ON CONFLICT (platform, platform_post_id) DO NOTHING RETURNING key, platform, platform_post_id`)
			rows, err := tx.QueryContext(ctx, db.D.rebind(q.String()), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k pk
				var key int64
				if err := rows.Scan(&key, &k.platform, &k.id); err != nil {
					rows.Close()
					return err
				}
				got[k] = key
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		// Edits of posts already stored become their next version.
		var edits []*post.Post
		for _, p := range posts {
			if _, isEdit := editedAt(p); isEdit {
				if _, inserted := got[pk{p.Platform, p.ID}]; !inserted {
					edits = append(edits, p)
				}
			}
		}
		if len(edits) > 0 {
			keys, err := db.putEdits(ctx, tx, edits, now)
			if err != nil {
				return err
			}
			edited = keys
		}
		detail := map[string]any{"posts": len(posts), "new": len(got), "duplicates": len(posts) - len(got) - len(edited)}
		if len(edited) > 0 {
			detail["edited"] = len(edited)
		}
		return db.appendAudit(ctx, tx, audit.New(actor, audit.ActionIngest, "source:"+source, detail))
	})
	if err != nil {
		return res, fmt.Errorf("storing %d posts: %w", len(posts), err)
	}
	seen := make(map[pk]bool, len(got))
	for _, p := range posts {
		k := pk{p.Platform, p.ID}
		if key, ok := got[k]; ok && !seen[k] {
			seen[k] = true
			res.New = append(res.New, key)
		} else {
			res.Duplicates++
		}
	}
	res.Edited = edited
	res.Duplicates -= len(edited)
	return res, nil
}

const postSelect = `SELECT key, platform, platform_post_id, source, url, author, lang, text, posted_at, media, extra, ingested_at, processed_at, case_id, version, edited_at, removed_at, removed_reason FROM posts`

type scanner interface{ Scan(...any) error }

func scanPost(s scanner) (*store.Post, error) {
	var p store.Post
	var postedAt, processedAt, caseID, editedAt, removedAt sql.NullInt64
	var media, extra sql.NullString
	var ingested int64
	if err := s.Scan(&p.Key, &p.Platform, &p.ID, &p.Source, &p.URL, &p.Author, &p.Lang, &p.Text,
		&postedAt, &media, &extra, &ingested, &processedAt, &caseID, &p.Version, &editedAt, &removedAt, &p.RemovedReason); err != nil {
		return nil, err
	}
	p.EditedAt, p.RemovedAt = timePtr(editedAt), timePtr(removedAt)
	p.PostedAt = timePtr(postedAt)
	p.IngestedAt = fromMicro(ingested)
	p.ProcessedAt = timePtr(processedAt)
	p.CaseID = caseID.Int64
	if media.Valid && media.String != "" {
		if err := json.Unmarshal([]byte(media.String), &p.Media); err != nil {
			return nil, fmt.Errorf("post %d: stored media: %w", p.Key, err)
		}
	}
	if extra.Valid && extra.String != "" {
		if err := json.Unmarshal([]byte(extra.String), &p.Extra); err != nil {
			return nil, fmt.Errorf("post %d: stored extra fields: %w", p.Key, err)
		}
	}
	return &p, nil
}

func (db *DB) queryPosts(ctx context.Context, q string, args ...any) ([]*store.Post, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Post returns one post by key.
func (db *DB) Post(ctx context.Context, key int64) (*store.Post, error) {
	p, err := scanPost(db.R.QueryRowContext(ctx, db.D.rebind(postSelect+` WHERE key = ?`), key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("post %d: %w", key, store.ErrNotFound)
	}
	return p, err
}

// FindPost returns the post stored under (platform, id).
func (db *DB) FindPost(ctx context.Context, platform, id string) (*store.Post, error) {
	p, err := scanPost(db.R.QueryRowContext(ctx, db.D.rebind(postSelect+` WHERE platform = ? AND platform_post_id = ?`), platform, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("post %s/%s: %w", platform, id, store.ErrNotFound)
	}
	return p, err
}

// PostsByKey returns the posts with the given keys, in key order.
func (db *DB) PostsByKey(ctx context.Context, keys []int64) ([]*store.Post, error) {
	var out []*store.Post
	chunk := max(1, db.D.MaxParams)
	for lo := 0; lo < len(keys); lo += chunk {
		part := keys[lo:min(lo+chunk, len(keys))]
		ps, err := db.queryPosts(ctx, postSelect+` WHERE key IN (`+placeholders(len(part))+`) ORDER BY key`, int64Args(part)...)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

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

// ListPosts returns posts matching q, newest first.
func (db *DB) ListPosts(ctx context.Context, q store.PostQuery) ([]*store.Post, error) {
	var where []string
	var args []any
	if q.CaseID != 0 {
		where = append(where, "case_id = ?")
		args = append(args, q.CaseID)
	}
	if q.Platform != "" {
		where = append(where, "platform = ?")
		args = append(args, q.Platform)
	}
	if q.Before != 0 {
		where = append(where, "key < ?")
		args = append(args, q.Before)
	}
	sqlq := postSelect
	if len(where) > 0 {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	sqlq += " ORDER BY key DESC LIMIT " + strconv.Itoa(limit(q.Limit))
	return db.queryPosts(ctx, sqlq, args...)
}

// Unprocessed returns keys of posts still waiting for a worker.
func (db *DB) Unprocessed(ctx context.Context, after int64, olderThan time.Time, n int) ([]int64, error) {
	if n <= 0 {
		n = 1000
	}
	rows, err := db.R.QueryContext(ctx, db.D.rebind(`SELECT key FROM posts WHERE processed_at IS NULL AND key > ? AND ingested_at < ? ORDER BY key LIMIT `+strconv.Itoa(n)),
		after, micro(olderThan))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// --- processing -------------------------------------------------------------

// RecordProcessing stores a batch of worker results in one transaction.
// Locks are taken in a fixed order (posts by key, then cases by cluster
// key, then the audit head) so that concurrent workers cannot deadlock.
func (db *DB) RecordProcessing(ctx context.Context, actor string, batch []store.Processing) ([]store.Processed, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	sorted := append([]store.Processing(nil), batch...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].PostKey < sorted[j].PostKey })
	var out []store.Processed
	err := db.writeTx(ctx, false, func(tx *sql.Tx) error {
		out = out[:0]
		now := micro(time.Now())
		// 1. Claim the posts: only those not yet processed are ours.
		mine := make(map[int64]bool, len(sorted))
		versionOf := make(map[int64]int, len(sorted))
		hadCase := make(map[int64]int64)
		keys := make([]int64, len(sorted))
		for i, p := range sorted {
			keys[i] = p.PostKey
		}
		chunk := max(1, db.D.MaxParams-1)
		for lo := 0; lo < len(keys); lo += chunk {
			part := keys[lo:min(lo+chunk, len(keys))]
			args := append([]any{now}, int64Args(part)...)
			rows, err := tx.QueryContext(ctx, db.D.rebind(`UPDATE posts SET processed_at = ? WHERE key IN (`+placeholders(len(part))+`) AND processed_at IS NULL RETURNING key, version, case_id`), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k int64
				var v int
				var c sql.NullInt64
				if err := rows.Scan(&k, &v, &c); err != nil {
					rows.Close()
					return err
				}
				mine[k], versionOf[k] = true, v
				if c.Valid && c.Int64 != 0 {
					// An edited post processed again stays in its case.
					hadCase[k] = c.Int64
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		// A post edited after the worker read it is given back: the
		// edit's own message processes the new version.
		var stale []int64
		for _, p := range sorted {
			if mine[p.PostKey] && p.Version > 0 && p.Version != versionOf[p.PostKey] {
				stale = append(stale, p.PostKey)
				delete(mine, p.PostKey)
				delete(hadCase, p.PostKey)
			}
		}
		if len(stale) > 0 {
			if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE posts SET processed_at = NULL WHERE key IN (`+placeholders(len(stale))+`)`), int64Args(stale)...); err != nil {
				return err
			}
		}
		// 2. Media hashes the worker computed, kept with the post.
		for _, p := range sorted {
			if !mine[p.PostKey] || p.Media == nil {
				continue
			}
			media, err := json.Marshal(p.Media)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE posts SET media = ? WHERE key = ?`), string(media), p.PostKey); err != nil {
				return err
			}
		}
		// Signals.
		if err := db.insertSignals(ctx, tx, sorted, mine, versionOf); err != nil {
			return err
		}
		// 3. Cases. Near-duplicates first adopt the key of the nearest case
		// (reads only), then cases are written in cluster-key order.
		var withCase []store.Processing
		for _, p := range sorted {
			if mine[p.PostKey] && p.ClusterKey != "" && hadCase[p.PostKey] == 0 {
				withCase = append(withCase, p)
			}
		}
		if err := db.resolveNear(ctx, tx, withCase); err != nil {
			return err
		}
		sort.SliceStable(withCase, func(i, j int) bool { return withCase[i].ClusterKey < withCase[j].ClusterKey })
		caseOf := map[int64]int64{}
		for k, c := range hadCase {
			caseOf[k] = c
		}
		newCase := map[int64]bool{}
		var opened []store.Processing
		var openedIDs []int64
		// One statement per case, not per post: posts of a batch that
		// fold into the same case are written together.
		for lo := 0; lo < len(withCase); {
			hi := lo + 1
			for hi < len(withCase) && withCase[hi].ClusterKey == withCase[lo].ClusterKey {
				hi++
			}
			group := withCase[lo:hi]
			lo = hi
			id, created, err := db.upsertCase(ctx, tx, group, now)
			if err != nil {
				return err
			}
			first := group[0]
			if created {
				if first.Signature != nil {
					if err := db.indexCase(ctx, tx, id, first.Signature); err != nil {
						return err
					}
				}
				newCase[first.PostKey] = true
				opened = append(opened, first)
				openedIDs = append(openedIDs, id)
			}
			keys := make([]int64, len(group))
			platforms := map[string]bool{}
			for i, p := range group {
				caseOf[p.PostKey] = id
				keys[i] = p.PostKey
				platforms[p.Platform] = true
			}
			if len(keys) == 1 {
				_, err = db.exec(ctx, tx, qSetCase, id, keys[0])
			} else {
				_, err = tx.ExecContext(ctx, db.D.rebind(`UPDATE posts SET case_id = ? WHERE key IN (`+placeholders(len(keys))+`)`), append([]any{id}, int64Args(keys)...)...)
			}
			if err != nil {
				return err
			}
			for _, pl := range slices.Sorted(maps.Keys(platforms)) {
				if _, err := db.exec(ctx, tx, qCasePlatform, id, pl); err != nil {
					return err
				}
			}
		}
		// 4. Audit: one entry per case opened.
		for i, p := range opened {
			e := audit.New(actor, audit.ActionCaseOpen, "case:"+strconv.FormatInt(openedIDs[i], 10),
				map[string]any{"post": p.PostKey, "category": p.Category, "severity": p.Severity, "score": p.Score})
			if err := db.appendAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		for _, p := range batch {
			out = append(out, store.Processed{PostKey: p.PostKey, CaseID: caseOf[p.PostKey], NewCase: newCase[p.PostKey], Skipped: !mine[p.PostKey]})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recording results of %d posts: %w", len(batch), err)
	}
	return out, nil
}

// bandKey is the LSH key of band b of a signature (Bands bands of Rows
// values), as stored in case_bands.
func bandKey(sig *textsig.Signature, b int) int64 {
	h := uint64(14695981039346656037) ^ uint64(b)
	for _, v := range sig[b*textsig.Rows : (b+1)*textsig.Rows] {
		h = (h ^ uint64(v)) * 1099511628211
		h ^= h >> 29
	}
	return int64(h)
}

// maxNearCandidates bounds the cases compared with one post.
const maxNearCandidates = 64

// resolveNear settles the case key of each post. The exact-copy key is
// looked up first: once a key is placed, every later copy follows it.
// Otherwise a post with a signature takes the key of the most similar
// stored case, or of an earlier post of the same batch; the choice is then
// recorded (first writer wins), so concurrent transactions agree. Keys are
// placed in exact-key order, before any case row is touched, so that
// transactions lock in one order.
func (db *DB) resolveNear(ctx context.Context, tx *sql.Tx, batch []store.Processing) error {
	sort.SliceStable(batch, func(i, j int) bool { return batch[i].ClusterKey < batch[j].ClusterKey })
	var local *textsig.Index
	localKeys := map[uint32]string{}
	placed := map[string]string{}
	for i := range batch {
		p := &batch[i]
		exact := p.ClusterKey
		if k, ok := placed[exact]; ok {
			p.ClusterKey = k
			continue
		}
		var k string
		err := db.queryRow(ctx, tx, qCaseKey, exact).Scan(&k)
		switch {
		case err == nil:
			p.ClusterKey = k
			placed[exact] = k
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if p.Signature != nil {
			key, err := db.nearestCase(ctx, tx, p.Signature)
			if err != nil {
				return err
			}
			switch {
			case key != "":
				p.ClusterKey = key
			default:
				if local == nil {
					local = textsig.NewIndex()
				}
				if ms := local.Query(p.Signature, textsig.DefaultThreshold); len(ms) > 0 {
					p.ClusterKey = localKeys[ms[0].ID]
				} else {
					local.Add(uint32(i), *p.Signature)
					localKeys[uint32(i)] = p.ClusterKey
				}
			}
		}
		if _, err := db.exec(ctx, tx, qPlaceKey, exact, p.ClusterKey); err != nil {
			return err
		}
		// Another transaction may have placed the key first: follow it.
		if err := db.queryRow(ctx, tx, qCaseKey, exact).Scan(&p.ClusterKey); err != nil {
			return err
		}
		placed[exact] = p.ClusterKey
	}
	return nil
}

// nearestCase returns the cluster key of the stored case most similar to
// sig (at least textsig.DefaultThreshold), or "".
func (db *DB) nearestCase(ctx context.Context, tx *sql.Tx, sig *textsig.Signature) (string, error) {
	args := make([]any, textsig.Bands)
	for b := range textsig.Bands {
		args[b] = bandKey(sig, b)
	}
	rows, err := tx.QueryContext(ctx, db.D.rebind(`SELECT cluster_key, signature FROM cases WHERE id IN (SELECT DISTINCT case_id FROM case_bands WHERE band_key IN (`+
		placeholders(textsig.Bands)+`)) ORDER BY id LIMIT `+strconv.Itoa(maxNearCandidates)), args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	best, bestSim := "", textsig.DefaultThreshold
	for rows.Next() {
		var key string
		var enc sql.NullString
		if err := rows.Scan(&key, &enc); err != nil {
			return "", err
		}
		other, err := textsig.ParseSignature(enc.String)
		if err != nil {
			continue // a case without a readable signature cannot be compared
		}
		if s := textsig.Similarity(sig, &other); s > bestSim || (s == bestSim && best == "") {
			best, bestSim = key, s
		}
	}
	return best, rows.Err()
}

// indexCase stores a new case's signature and its band keys.
func (db *DB) indexCase(ctx context.Context, tx *sql.Tx, id int64, sig *textsig.Signature) error {
	if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE cases SET signature = ? WHERE id = ?`), sig.String(), id); err != nil {
		return err
	}
	args := make([]any, 0, 2*textsig.Bands)
	for b := range textsig.Bands {
		args = append(args, bandKey(sig, b), id)
	}
	_, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO case_bands (band_key, case_id) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?,?),", textsig.Bands), ",")+` ON CONFLICT DO NOTHING`), args...)
	return err
}

const signalCols = 12

func (db *DB) insertSignals(ctx context.Context, tx *sql.Tx, batch []store.Processing, mine map[int64]bool, versionOf map[int64]int) error {
	var args []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		q := `INSERT INTO signals (post_key, n, detector, kind, rule, label, severity, score, evidence, spans, details, version) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?,?),", rows), ",")
		_, err := tx.ExecContext(ctx, db.D.rebind(q), args...)
		args, rows = args[:0], 0
		return err
	}
	per := max(1, db.D.MaxParams/signalCols)
	for _, p := range batch {
		if !mine[p.PostKey] {
			continue
		}
		// A later version's signals follow the earlier ones'.
		first := 0
		if versionOf[p.PostKey] > 1 && len(p.Signals) > 0 {
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
			args = append(args, p.PostKey, n, s.Detector, s.Kind, s.Rule, s.Label, s.Severity, s.Score, s.Evidence, spans, details, max(1, versionOf[p.PostKey]))
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

// strength orders signals for the case summary: severity first, then score.
func strength(p store.Processing) float64 {
	return float64(p.Priority) + p.Score/2
}

// upsertCase opens the case of a group of posts sharing a cluster key, or
// folds them into it. The group's strongest post sets the summary.
func (db *DB) upsertCase(ctx context.Context, tx *sql.Tx, group []store.Processing, now int64) (id int64, created bool, err error) {
	top := group[0]
	minSeen, maxSeen := int64(0), int64(0)
	score, prio := 0.0, 0
	for i, p := range group {
		seen := micro(p.Seen)
		if p.Seen.IsZero() {
			seen = now
		}
		if i == 0 || seen < minSeen {
			minSeen = seen
		}
		if i == 0 || seen > maxSeen {
			maxSeen = seen
		}
		if strength(p) > strength(top) {
			top = p
		}
		score, prio = max(score, p.Score), max(prio, p.Priority)
	}
	st := strength(top)
	err = db.queryRow(ctx, tx, qCaseOpen,
		top.ClusterKey, string(store.StatusNew), top.Category, top.Severity, score, st, prio, len(group), minSeen, maxSeen, now, now).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	err = db.queryRow(ctx, tx, db.qCaseGrow(),
		len(group), minSeen, maxSeen, st, top.Category, st, top.Severity, score, prio, st, now, top.ClusterKey).Scan(&id)
	return id, false, err
}

// Signals returns the signals found on a post, in detection order.
func (db *DB) Signals(ctx context.Context, postKey int64) ([]store.Signal, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(`SELECT post_key, version, detector, kind, rule, label, severity, score, evidence, spans, details FROM signals WHERE post_key = ? ORDER BY n`), postKey)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Signal
	for rows.Next() {
		var s store.Signal
		var spans, details sql.NullString
		if err := rows.Scan(&s.PostKey, &s.Version, &s.Detector, &s.Kind, &s.Rule, &s.Label, &s.Severity, &s.Score, &s.Evidence, &spans, &details); err != nil {
			return nil, err
		}
		if spans.Valid {
			if err := json.Unmarshal([]byte(spans.String), &s.Spans); err != nil {
				return nil, fmt.Errorf("signal spans of post %d: %w", postKey, err)
			}
		}
		if details.Valid {
			if err := json.Unmarshal([]byte(details.String), &s.Details); err != nil {
				return nil, fmt.Errorf("signal details of post %d: %w", postKey, err)
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// --- cases ------------------------------------------------------------------

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

// --- audit ------------------------------------------------------------------

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

// --- counts -----------------------------------------------------------------

// Counts returns the dashboard figures.
func (db *DB) Counts(ctx context.Context) (store.Counts, error) {
	c := store.Counts{CasesBy: map[store.Status]int64{}}
	err := db.R.QueryRowContext(ctx, `SELECT
  (SELECT count(*) FROM posts),
  (SELECT count(*) FROM posts WHERE processed_at IS NULL),
  (SELECT count(*) FROM signals),
  (SELECT count(*) FROM cases),
  (SELECT coalesce(max(seq), 0) FROM audit_log)`).Scan(&c.Posts, &c.Unprocessed, &c.Signals, &c.Cases, &c.AuditSeq)
	if err != nil {
		return c, err
	}
	rows, err := db.R.QueryContext(ctx, `SELECT status, count(*) FROM cases GROUP BY status`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return c, err
		}
		c.CasesBy[store.Status(s)] = n
	}
	return c, rows.Err()
}
