package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
)

// editedAt reads the edit time a connector put in extra (RFC 3339); the
// zero time when absent or unreadable.
func editedAt(p *post.Post) (time.Time, bool) {
	raw, ok := p.Extra[store.EditedField]
	if !ok {
		return time.Time{}, false
	}
	var t time.Time
	_ = json.Unmarshal(raw, &t)
	return t, true
}

// putEdits stores edited posts that were already stored as their next
// version, inside PutPosts' transaction: the current text, media and extra
// move to post_versions, the post takes the new ones, and it is marked
// unprocessed so the detectors read the new text. An edit whose text and
// media are what is stored (a redelivery) changes nothing. It returns the
// keys of the posts that got a new version.
func (db *DB) putEdits(ctx context.Context, tx *sql.Tx, edits []*post.Post, now int64) ([]int64, error) {
	var keys []int64
	for _, p := range edits {
		at, _ := editedAt(p)
		var key int64
		var version int
		var text string
		var media, extra sql.NullString
		var prevEdit sql.NullInt64
		err := db.queryRow(ctx, tx, `SELECT key, version, text, media, extra, edited_at FROM posts WHERE platform = ? AND platform_post_id = ?`,
			p.Platform, p.ID).Scan(&key, &version, &text, &media, &extra, &prevEdit)
		if errors.Is(err, sql.ErrNoRows) {
			continue // raced with nothing: PutPosts inserted it or will
		}
		if err != nil {
			return nil, err
		}
		newMedia, err := jsonOrNil(p.Media, len(p.Media) == 0)
		if err != nil {
			return nil, fmt.Errorf("post %q: media: %w", p.ID, err)
		}
		newExtra, err := jsonOrNil(p.Extra, len(p.Extra) == 0)
		if err != nil {
			return nil, fmt.Errorf("post %q: extra fields: %w", p.ID, err)
		}
		if text == p.Text && sameMedia(media, p.Media) {
			continue
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO post_versions (post_key, version, text, media, extra, edited_at, replaced_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (post_key, version) DO NOTHING`,
			key, version, text, media, extra, prevEdit, now); err != nil {
			return nil, err
		}
		var editArg any
		if !at.IsZero() {
			editArg = micro(at)
		} else {
			editArg = now
		}
		if _, err := db.exec(ctx, tx, `UPDATE posts SET text = ?, media = ?, extra = ?, version = version + 1, edited_at = ?, processed_at = NULL WHERE key = ?`,
			p.Text, newMedia, newExtra, editArg, key); err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// sameMedia compares stored media with incoming by URL and path only: the
// stored entries also carry the hashes the worker added.
func sameMedia(stored sql.NullString, in []post.Media) bool {
	var have []post.Media
	if stored.Valid && stored.String != "" {
		if json.Unmarshal([]byte(stored.String), &have) != nil {
			return false
		}
	}
	if len(have) != len(in) {
		return false
	}
	for i := range have {
		if have[i].URL != in[i].URL || have[i].Path != in[i].Path {
			return false
		}
	}
	return true
}

// PostVersions implements store.Posts.
func (db *DB) PostVersions(ctx context.Context, key int64) ([]store.PostVersion, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(`SELECT version, text, media, extra, edited_at, replaced_at FROM post_versions WHERE post_key = ? ORDER BY version`), key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PostVersion
	for rows.Next() {
		var v store.PostVersion
		var media, extra sql.NullString
		var edited sql.NullInt64
		var replaced int64
		if err := rows.Scan(&v.Version, &v.Text, &media, &extra, &edited, &replaced); err != nil {
			return nil, err
		}
		v.EditedAt, v.ReplacedAt = timePtr(edited), fromMicro(replaced)
		if media.Valid && media.String != "" {
			if err := json.Unmarshal([]byte(media.String), &v.Media); err != nil {
				return nil, fmt.Errorf("post %d version %d: media: %w", key, v.Version, err)
			}
		}
		if extra.Valid && extra.String != "" {
			if err := json.Unmarshal([]byte(extra.String), &v.Extra); err != nil {
				return nil, fmt.Errorf("post %d version %d: extra: %w", key, v.Version, err)
			}
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RecordRemovals implements store.Posts.
func (db *DB) RecordRemovals(ctx context.Context, actor string, rs []store.Removal) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	n := 0
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		n = 0
		var posts, accounts int
		for _, r := range rs {
			at := r.At
			if at.IsZero() {
				at = time.Now()
			}
			var res sql.Result
			var err error
			switch {
			case r.ID != "":
				posts++
				res, err = db.exec(ctx, tx, `UPDATE posts SET removed_at = ?, removed_reason = ? WHERE platform = ? AND platform_post_id = ? AND removed_at IS NULL`,
					micro(at), r.Reason, r.Platform, r.ID)
			case r.Author != "":
				accounts++
				res, err = db.exec(ctx, tx, `UPDATE posts SET removed_at = ?, removed_reason = ? WHERE platform = ? AND author = ? AND removed_at IS NULL`,
					micro(at), r.Reason, r.Platform, r.Author)
			default:
				continue
			}
			if err != nil {
				return err
			}
			c, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(c)
		}
		return db.appendAudit(ctx, tx, audit.New(actor, audit.ActionRemoved, "posts",
			map[string]any{"posts": posts, "accounts": accounts, "marked": n}))
	})
	if err != nil {
		return 0, fmt.Errorf("recording %d removals: %w", len(rs), err)
	}
	return n, nil
}
