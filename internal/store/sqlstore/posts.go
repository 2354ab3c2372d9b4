package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
)

// postTypes are the columns of PutPosts' INSERT.
var postTypes = []string{tText, tText, tText, tText, tText, tText, tText, tInt, tText, tText, tInt}

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
		chunk := db.rowsPer(len(postTypes))
		for lo := 0; lo < len(posts); lo += chunk {
			part := posts[lo:min(lo+chunk, len(posts))]
			args := make([]any, 0, len(part)*len(postTypes))
			for _, p := range part {
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
			rows, err := tx.QueryContext(ctx, db.D.rebind(`INSERT INTO posts (platform, platform_post_id, source, url, author, lang, text, posted_at, media, extra, ingested_at) `+
				db.rowsSQL(postTypes, len(part))+` ON CONFLICT (platform, platform_post_id) DO NOTHING RETURNING key, platform, platform_post_id`), db.rowsArgs(postTypes, args)...)
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
	chunk := db.inChunk()
	for lo := 0; lo < len(keys); lo += chunk {
		cond, args := db.in("key", keys[lo:min(lo+chunk, len(keys))])
		ps, err := db.queryPosts(ctx, postSelect+` WHERE `+cond+` ORDER BY key`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
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

// Backlog counts unprocessed posts, up to upTo, on the partial index of
// unprocessed posts.
func (db *DB) Backlog(ctx context.Context, upTo int64) (int64, error) {
	var n int64
	err := db.R.QueryRowContext(ctx, db.D.rebind(`SELECT count(*) FROM (SELECT key FROM posts WHERE processed_at IS NULL LIMIT ?) AS b`), max(0, upTo)).Scan(&n)
	return n, err
}
