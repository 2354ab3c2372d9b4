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
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
)

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
