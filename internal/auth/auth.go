// Package auth holds the API's tokens and roles. A token is 32 random bytes,
// shown once when created; only its SHA-256 is stored, so a copy of the
// token file or table gives no access.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is what a token may do. Each route of the API names the roles it
// admits; roles are not ordered, but Admin is admitted everywhere.
type Role string

// The roles.
const (
	// Admin manages tokens, banks, rules and configuration.
	Admin Role = "admin"
	// Analyst reviews and decides cases.
	Analyst Role = "analyst"
	// Viewer reads cases, signals and configuration, changes nothing.
	Viewer Role = "viewer"
	// Ingest pushes posts (a connector or a partner's pipeline).
	Ingest Role = "ingest"
	// Platform is a platform's trust-and-safety system: it hashes and looks
	// up media (the HMA-compatible routes) and reads referrals.
	Platform Role = "platform"
)

// Roles lists every role, for messages and validation.
var Roles = []Role{Admin, Analyst, Viewer, Ingest, Platform}

// ParseRole returns the role named s, or an error naming the valid ones.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == strings.ToLower(strings.TrimSpace(s)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (use one of admin, analyst, viewer, ingest, platform)", s)
}

// Token is a stored token: everything but the secret.
type Token struct {
	// ID is the first 12 hex characters of the hash: safe to show and log.
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	Hash      string     `json:"hash"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the token may still be used.
func (t *Token) Active() bool { return t.RevokedAt == nil }

// Prefix marks Basira tokens, so secret scanners and people recognise them.
const Prefix = "bsr_"

// NewSecret returns a fresh token secret: Prefix + 43 base64url characters
// (32 random bytes).
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("reading random bytes for a token: %w", err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashSecret returns the stored form of a secret: hex SHA-256. A plain hash
// is enough because the secret has 256 bits of entropy (no dictionary to
// guess from), and it keeps lookup one map access per request.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Errors of a Store.
var (
	ErrNotFound = errors.New("no such token")
	ErrRevoked  = errors.New("token revoked")
)

// Store keeps tokens. Lookup is on the request path and must be fast.
type Store interface {
	// Create makes a token for name with role and returns the secret (shown
	// once) and the stored token.
	Create(ctx context.Context, name string, role Role) (secret string, t Token, err error)
	// Lookup finds the active token whose hash is hash (ErrNotFound,
	// ErrRevoked otherwise).
	Lookup(ctx context.Context, hash string) (Token, error)
	// List returns every token, revoked ones included, oldest first.
	List(ctx context.Context) ([]Token, error)
	// Revoke revokes the token with id (a prefix of at least 6 characters
	// of the hash, or the name when it is unique).
	Revoke(ctx context.Context, idOrName string) (Token, error)
}
