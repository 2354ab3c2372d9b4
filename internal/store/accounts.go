package store

import (
	"context"
	"time"

	"github.com/basira-org/basira/internal/auth"
)

// Account is a person who signs in to the workspace with a password (API
// tokens are for systems). Only an argon2id hash of the password is kept
// (internal/account makes and checks it).
type Account struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Role         auth.Role  `json:"role"`
	PasswordHash string     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
}

// Active reports whether the account may sign in.
func (a *Account) Active() bool { return a.DisabledAt == nil }

// Session is a signed-in browser (or, OneTime, a sign-in link not yet
// used). Only the SHA-256 of its secret (the cookie) is stored, so a copy
// of the table signs nobody in.
type Session struct {
	Hash      string    `json:"-"`
	AccountID int64     `json:"account_id"`
	CSRF      string    `json:"-"`
	OneTime   bool      `json:"one_time,omitempty"`
	Remote    string    `json:"remote,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AccountChange is what UpdateAccount sets; nil fields stay.
type AccountChange struct {
	Role         *auth.Role
	PasswordHash *string
	// Disabled true disables the account (and ends its sessions); false
	// enables it again.
	Disabled *bool
	At       time.Time
}

// Accounts keeps people's accounts and their sessions. Every change is
// audited in its own transaction; secrets never reach the audit log.
type Accounts interface {
	// CreateAccount stores a (its ID is set); ErrConflict when the name is taken.
	CreateAccount(ctx context.Context, actor string, a *Account) error
	// Account returns the account named name (ErrNotFound).
	Account(ctx context.Context, name string) (*Account, error)
	// ListAccounts returns every account, disabled ones included, by name.
	ListAccounts(ctx context.Context) ([]*Account, error)
	// UpdateAccount applies ch to the account named name; a new password
	// or a disabled account ends every session of the account.
	UpdateAccount(ctx context.Context, actor, name string, ch AccountChange) (*Account, error)
	// CreateSession stores s and, when replaces is not empty, deletes the
	// session with that hash (rotation on sign-in), auditing the sign-in.
	CreateSession(ctx context.Context, actor string, s Session, replaces string) error
	// Session returns the session with hash and its account (ErrNotFound),
	// expired or not: the caller checks ExpiresAt.
	Session(ctx context.Context, hash string) (*Session, *Account, error)
	// TouchSession moves a session's LastSeen and ExpiresAt forward.
	TouchSession(ctx context.Context, hash string, lastSeen, expires time.Time) error
	// DeleteSession deletes the session with hash and reports whether it
	// existed (so a one-time link is used once); reason, when not empty,
	// is audited ("auth.logout").
	DeleteSession(ctx context.Context, actor, hash, reason string) (bool, error)
	// DeleteExpiredSessions deletes sessions expired at now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}
