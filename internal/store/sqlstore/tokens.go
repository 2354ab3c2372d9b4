package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/auth"
)

// TokenTTL is how long a TokenStore trusts a cached lookup: a token
// created or revoked through another server (or the CLI) is seen within
// it, as the file store sees its file change within a second.
const TokenTTL = time.Second

// maxCachedTokens bounds the lookup cache: unknown secrets are cached too
// (a client retrying a wrong token must not reach the database on every
// request), so a flood of random ones must not grow memory without end.
const maxCachedTokens = 10000

// TokenStore is an auth.Store over the api_tokens table, so that every
// API server sharing one database accepts the same tokens. Lookups (the
// request path) are cached for TokenTTL. The store does not write the
// audit log: its callers (the CLI, the API) record who made the change.
type TokenStore struct {
	db  *DB
	ttl time.Duration

	mu    sync.Mutex
	cache map[string]cachedToken
}

type cachedToken struct {
	t   auth.Token
	err error
	at  time.Time
}

// NewTokens returns a token store over db with its own lookup cache. Make
// one per process and share it.
func (db *DB) NewTokens() *TokenStore {
	return &TokenStore{db: db, ttl: TokenTTL, cache: map[string]cachedToken{}}
}

// Tokens is NewTokens as store.Store has it.
func (db *DB) Tokens() auth.Store { return db.NewTokens() }

var _ auth.Store = (*TokenStore)(nil)

const tokenCols = `id, name, role, hash, created_at, revoked_at`

func scanToken(s scanner) (auth.Token, error) {
	var t auth.Token
	var role string
	var created int64
	var revoked sql.NullInt64
	if err := s.Scan(&t.ID, &t.Name, &role, &t.Hash, &created, &revoked); err != nil {
		return t, err
	}
	t.Role = auth.Role(role)
	t.CreatedAt = fromMicro(created)
	t.RevokedAt = timePtr(revoked)
	return t, nil
}

// Create implements auth.Store: the secret is returned once, only its
// hash is stored.
func (s *TokenStore) Create(ctx context.Context, name string, role auth.Role) (string, auth.Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", auth.Token{}, errors.New("a token needs a name (who or what uses it, e.g. --name alice)")
	}
	if _, err := auth.ParseRole(string(role)); err != nil {
		return "", auth.Token{}, err
	}
	secret, err := auth.NewSecret()
	if err != nil {
		return "", auth.Token{}, err
	}
	h := auth.HashSecret(secret)
	t := auth.Token{ID: h[:12], Name: name, Role: role, Hash: h, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.D.rebind(`INSERT INTO api_tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, NULL)`),
			t.ID, t.Name, string(t.Role), t.Hash, micro(t.CreatedAt))
		return err
	})
	if err != nil {
		return "", auth.Token{}, fmt.Errorf("storing the new token: %w", err)
	}
	s.forget(h)
	return secret, t, nil
}

// Lookup implements auth.Store, from the cache when the entry is younger
// than the TTL.
func (s *TokenStore) Lookup(ctx context.Context, hash string) (auth.Token, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[hash]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < s.ttl {
		return c.t, c.err
	}
	t, err := scanToken(s.db.R.QueryRowContext(ctx, s.db.D.rebind(`SELECT `+tokenCols+` FROM api_tokens WHERE hash = ?`), hash))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t, err = auth.Token{}, auth.ErrNotFound
	case err != nil:
		// A database failure is not cached: the next request tries again.
		return auth.Token{}, fmt.Errorf("looking up a token: %w", err)
	case !t.Active():
		err = auth.ErrRevoked
	}
	s.mu.Lock()
	if len(s.cache) >= maxCachedTokens {
		clear(s.cache)
	}
	s.cache[hash] = cachedToken{t: t, err: err, at: now}
	s.mu.Unlock()
	return t, err
}

func (s *TokenStore) forget(hash string) {
	s.mu.Lock()
	delete(s.cache, hash)
	s.mu.Unlock()
}

// List implements auth.Store: every token, revoked ones included, oldest
// first.
func (s *TokenStore) List(ctx context.Context) ([]auth.Token, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	var out []auth.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Revoke implements auth.Store. The token is named as auth.Resolve
// names it (id prefix or unique name); revoking a revoked token returns
// it unchanged.
func (s *TokenStore) Revoke(ctx context.Context, idOrName string) (auth.Token, error) {
	key := strings.TrimSpace(idOrName)
	var out auth.Token
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.D.rebind(`SELECT `+tokenCols+` FROM api_tokens WHERE name = ? OR (? AND hash LIKE ?) ORDER BY created_at, id`),
			key, len(key) >= 6, strings.ToLower(key)+"%")
		if err != nil {
			return err
		}
		var cands []auth.Token
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				rows.Close()
				return err
			}
			cands = append(cands, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		i, err := auth.Resolve(cands, key)
		if err != nil {
			return err
		}
		out = cands[i]
		if !out.Active() {
			return nil
		}
		now := time.Now().UTC().Truncate(time.Second)
		if _, err := tx.ExecContext(ctx, s.db.D.rebind(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`),
			micro(now), out.ID); err != nil {
			return err
		}
		out.RevokedAt = &now
		return nil
	})
	if err != nil {
		return auth.Token{}, err
	}
	s.forget(out.Hash)
	return out, nil
}

// ForceReload drops the lookup cache, so the next lookups read the
// database (tests, and a SIGHUP handler), as auth.FileStore.ForceReload.
func (s *TokenStore) ForceReload() {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
}
