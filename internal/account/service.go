package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"
)

// ActionSignInFailed is the audit action of a failed password sign-in
// (the same as the API's failed token sign-ins).
const ActionSignInFailed = "auth.failed"

// Store is what the service needs: accounts, sessions and the audit log.
type Store interface {
	store.Accounts
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
}

// Config tunes the service; zero fields take the defaults.
type Config struct {
	// IdleTimeout ends a session unused for that long (default 2 h);
	// MaxAge ends any session that old (default 12 h, a working day).
	IdleTimeout time.Duration
	MaxAge      time.Duration
	// LinkTTL is how long a one-time sign-in link works (default 15 min).
	LinkTTL time.Duration
	// MaxFailures failed sign-ins for one name from one address within
	// FailureWindow (default 5 in 15 min) block that pair until the window
	// ends; 4 × MaxFailures from one address block the address.
	MaxFailures   int
	FailureWindow time.Duration
	Logger        *slog.Logger
	Now           func() time.Time
}

func (c *Config) fill() {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 2 * time.Hour
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 12 * time.Hour
	}
	if c.LinkTTL <= 0 {
		c.LinkTTL = 15 * time.Minute
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.FailureWindow <= 0 {
		c.FailureWindow = 15 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Service manages accounts and signs people in.
type Service struct {
	st    Store
	cfg   Config
	fails *limiter
	dummy func() string // a hash checked for unknown names, so they take as long

	// Sessions read within cacheTTL are not read again: a cookie request
	// costs a map access, not a database read. This server forgets an
	// entry at once on sign-out or an account change; others see it
	// within cacheTTL, as with API tokens.
	mu    sync.Mutex
	cache map[string]cachedSession
}

type cachedSession struct {
	s  store.Session
	a  store.Account
	at time.Time
}

const (
	cacheTTL       = time.Second
	maxCachedItems = 10000
)

func (s *Service) forgetAll() {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
}

// New returns the service over st.
func New(st Store, cfg Config) *Service {
	cfg.fill()
	// Made on first use: hashing costs 64 MiB and a tenth of a second,
	// which a server starting (or a CLI command) need not pay.
	dummy := sync.OnceValue(func() string {
		h, err := HashPassword("dummy password for timing")
		if err != nil {
			panic(err) // only fails without a random source
		}
		return h
	})
	return &Service{st: st, cfg: cfg, fails: newLimiter(), dummy: dummy, cache: map[string]cachedSession{}}
}

// Errors of the service.
var (
	// ErrBadCredentials: unknown name, wrong password or disabled account;
	// which one is never told to the client.
	ErrBadCredentials = errors.New("wrong name or password")
	// ErrNoSession: no session, an expired one, or one of a disabled account.
	ErrNoSession = errors.New("not signed in (or the session expired)")
)

// RateLimitedError says failed sign-ins are blocked until RetryAfter.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again in %s", e.RetryAfter.Round(time.Second))
}

// nameRe is compiled on first use: its Unicode classes take 2.4 MB, which
// init would build for every command.
var nameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$`) })

// CheckName refuses names that would be confusing in the audit log.
func CheckName(name string) error {
	if !nameRe().MatchString(name) {
		return fmt.Errorf("account name %q: use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Add creates an account.
func (s *Service) Add(ctx context.Context, actor, name string, role auth.Role, password string) (*store.Account, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if _, err := auth.ParseRole(string(role)); err != nil {
		return nil, err
	}
	h, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	a := &store.Account{Name: name, Role: role, PasswordHash: h, CreatedAt: s.cfg.Now()}
	if err := s.st.CreateAccount(ctx, actor, a); err != nil {
		return nil, err
	}
	return a, nil
}

// List returns every account.
func (s *Service) List(ctx context.Context) ([]*store.Account, error) { return s.st.ListAccounts(ctx) }

// SetDisabled disables (ending its sessions) or enables an account.
func (s *Service) SetDisabled(ctx context.Context, actor, name string, disabled bool) (*store.Account, error) {
	defer s.forgetAll()
	return s.st.UpdateAccount(ctx, actor, name, store.AccountChange{Disabled: &disabled, At: s.cfg.Now()})
}

// SetPassword changes an account's password and ends its sessions.
func (s *Service) SetPassword(ctx context.Context, actor, name, password string) (*store.Account, error) {
	h, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	defer s.forgetAll()
	return s.st.UpdateAccount(ctx, actor, name, store.AccountChange{PasswordHash: &h, At: s.cfg.Now()})
}

// SignedIn is a new session: Secret goes in the cookie (never stored),
// CSRF goes to the page, which sends it back on every change.
type SignedIn struct {
	Secret  string
	CSRF    string
	Account *store.Account
	Expires time.Time
}

// Actor names an account in the audit log and on leases, as API tokens
// are named: "role:name".
func Actor(a *store.Account) string { return string(a.Role) + ":" + a.Name }

// SignIn checks name and password and opens a session. replaces is the
// secret of the session the browser had (it is ended: a new session id on
// every sign-in, so a planted cookie is worthless). Failures are logged,
// audited and counted; past the limit they are refused unchecked.
func (s *Service) SignIn(ctx context.Context, name, password, remote, replaces string) (SignedIn, error) {
	now := s.cfg.Now()
	name = strings.TrimSpace(name)
	if len(name) > 256 {
		name = name[:256]
	}
	pairKey, addrKey := "pair:"+strings.ToLower(name)+"\x00"+remote, "addr:"+remote
	if wait := max(s.fails.blocked(pairKey, now, s.cfg.MaxFailures, s.cfg.FailureWindow),
		s.fails.blocked(addrKey, now, 4*s.cfg.MaxFailures, s.cfg.FailureWindow)); wait > 0 {
		return SignedIn{}, &RateLimitedError{RetryAfter: wait}
	}
	a, err := s.st.Account(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, err
	}
	hash, reason := "", "wrong password"
	if a != nil {
		hash = a.PasswordHash
	} else {
		hash, reason = s.dummy(), "unknown account"
	}
	ok, _ := VerifyPassword(hash, password)
	if ok && a != nil && !a.Active() {
		ok, reason = false, "account disabled"
	}
	if !ok || a == nil {
		n := s.fails.fail(pairKey, now, s.cfg.FailureWindow)
		s.fails.fail(addrKey, now, s.cfg.FailureWindow)
		s.failed(ctx, name, remote, reason, n)
		return SignedIn{}, ErrBadCredentials
	}
	s.fails.reset(pairKey)
	return s.open(ctx, a, remote, replaces, now)
}

// failed logs and audits a failed sign-in; past the limit only the
// failure that reached it is audited, so a flood cannot flood the log.
func (s *Service) failed(ctx context.Context, name, remote, reason string, n int) {
	if n > s.cfg.MaxFailures {
		return
	}
	s.cfg.Logger.Warn("sign-in failed", "account", name, "remote", remote, "reason", reason, "failures", n)
	e := audit.New("anonymous", ActionSignInFailed, "account:"+name, map[string]any{
		"reason": reason, "remote": remote, "failures": n, "blocked": n >= s.cfg.MaxFailures,
	})
	if _, err := s.st.AppendAudit(ctx, e); err != nil {
		s.cfg.Logger.Error("writing the audit log", "action", e.Action, "err", err)
	}
}

func (s *Service) open(ctx context.Context, a *store.Account, remote, replaces string, now time.Time) (SignedIn, error) {
	secret, err := randomString()
	if err != nil {
		return SignedIn{}, err
	}
	csrf, err := randomString()
	if err != nil {
		return SignedIn{}, err
	}
	sess := store.Session{Hash: hashSecret(secret), AccountID: a.ID, CSRF: csrf, Remote: remote,
		CreatedAt: now, LastSeen: now, ExpiresAt: s.expiry(now, now)}
	old := ""
	if replaces != "" {
		old = hashSecret(replaces)
		s.mu.Lock()
		delete(s.cache, old)
		s.mu.Unlock()
	}
	if err := s.st.CreateSession(ctx, Actor(a), sess, old); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Secret: secret, CSRF: csrf, Account: a, Expires: sess.ExpiresAt}, nil
}

func (s *Service) expiry(created, seen time.Time) time.Time {
	idle, end := seen.Add(s.cfg.IdleTimeout), created.Add(s.cfg.MaxAge)
	if idle.Before(end) {
		return idle
	}
	return end
}

// IssueLink makes a one-time sign-in link secret for the account named
// name, valid for LinkTTL (the demo prints one).
func (s *Service) IssueLink(ctx context.Context, actor, name string) (string, error) {
	a, err := s.st.Account(ctx, name)
	if err != nil {
		return "", err
	}
	if !a.Active() {
		return "", fmt.Errorf("account %q is disabled", name)
	}
	secret, err := randomString()
	if err != nil {
		return "", err
	}
	now := s.cfg.Now()
	sess := store.Session{Hash: hashSecret(secret), AccountID: a.ID, OneTime: true, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.cfg.LinkTTL)}
	if err := s.st.CreateSession(ctx, actor, sess, ""); err != nil {
		return "", err
	}
	return secret, nil
}

// Redeem uses a one-time link: it works once, before it expires, and
// opens a session like a sign-in. A bad link counts as a failed sign-in.
func (s *Service) Redeem(ctx context.Context, link, remote, replaces string) (SignedIn, error) {
	now := s.cfg.Now()
	addrKey := "addr:" + remote
	if wait := s.fails.blocked(addrKey, now, 4*s.cfg.MaxFailures, s.cfg.FailureWindow); wait > 0 {
		return SignedIn{}, &RateLimitedError{RetryAfter: wait}
	}
	h := hashSecret(link)
	sess, a, err := s.st.Session(ctx, h)
	if err == nil && sess.OneTime {
		// Only the caller that deletes it may use it.
		var used bool
		used, err = s.st.DeleteSession(ctx, Actor(a), h, "")
		if err != nil {
			return SignedIn{}, err
		}
		if used && now.Before(sess.ExpiresAt) && a.Active() {
			return s.open(ctx, a, remote, replaces, now)
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, err
	}
	n := s.fails.fail(addrKey, now, s.cfg.FailureWindow)
	s.failed(ctx, "(sign-in link)", remote, "unknown, used or expired link", n)
	return SignedIn{}, ErrBadCredentials
}

// Authenticate returns the session of a cookie's secret and its account.
// A session in use is kept alive (its expiry moves, at most once a minute
// to spare the database).
func (s *Service) Authenticate(ctx context.Context, secret string) (*store.Session, *store.Account, error) {
	if secret == "" || len(secret) > 128 {
		return nil, nil, ErrNoSession
	}
	h := hashSecret(secret)
	now := s.cfg.Now()
	s.mu.Lock()
	c, ok := s.cache[h]
	s.mu.Unlock()
	var sess *store.Session
	var a *store.Account
	if ok && now.Sub(c.at) < cacheTTL && now.Sub(c.at) >= 0 {
		sess, a = &c.s, &c.a
	} else {
		var err error
		sess, a, err = s.st.Session(ctx, h)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, ErrNoSession
		}
		if err != nil {
			return nil, nil, err
		}
	}
	fresh := ok && now.Sub(c.at) < cacheTTL && now.Sub(c.at) >= 0
	if sess.OneTime || !now.Before(sess.ExpiresAt) || !a.Active() {
		return nil, nil, ErrNoSession
	}
	if now.Sub(sess.LastSeen) >= time.Minute {
		exp := s.expiry(sess.CreatedAt, now)
		if err := s.st.TouchSession(ctx, h, now, exp); err != nil {
			s.cfg.Logger.Warn("keeping a session alive", "err", err)
		} else {
			sess.LastSeen, sess.ExpiresAt = now, exp
			fresh = false // keep the new expiry in the cache
		}
	}
	if !fresh {
		s.mu.Lock()
		if len(s.cache) >= maxCachedItems {
			clear(s.cache)
		}
		s.cache[h] = cachedSession{s: *sess, a: *a, at: now}
		s.mu.Unlock()
	}
	cs, ca := *sess, *a
	return &cs, &ca, nil
}

// SignOut ends the session of secret (nothing when there is none).
func (s *Service) SignOut(ctx context.Context, secret, actor string) error {
	if secret == "" {
		return nil
	}
	h := hashSecret(secret)
	s.mu.Lock()
	delete(s.cache, h)
	s.mu.Unlock()
	_, err := s.st.DeleteSession(ctx, actor, h, "sign-out")
	return err
}

// Sweep deletes expired sessions and links (run it now and then).
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	return s.st.DeleteExpiredSessions(ctx, s.cfg.Now())
}

func randomString() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
