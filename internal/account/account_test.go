package account

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store/sqlite"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newService(t *testing.T) (*Service, *clock) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	return New(db, Config{Now: c.now}), c
}

// TestMain makes hashing cheap for the tests that sign in many times;
// TestPasswordHash checks the real parameters.
func TestMain(m *testing.M) {
	argonTime, argonMemory = 1, 1024
	os.Exit(m.Run())
}

func TestPasswordHash(t *testing.T) {
	defer func(tm, mem uint32) { argonTime, argonMemory = tm, mem }(argonTime, argonMemory)
	argonTime, argonMemory = 3, 64*1024
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := VerifyPassword(h, pw); ok != want || err != nil {
			t.Errorf("verify %q: %v %v, want %v", pw, ok, err, want)
		}
	}
	for _, short := range []string{"short", "           x", strings.Repeat("x", MaxPassword+1)} {
		if _, err := HashPassword(short); !errors.Is(err, ErrWeakPassword) {
			t.Errorf("password of %d bytes accepted: %v", len(short), err)
		}
	}
	if _, err := VerifyPassword("$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "x"); err == nil {
		t.Error("a hash asking for 95 GiB was accepted")
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("correct horse battery")
	f.Add(h, "correct horse battery")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		// Cheap parameters only: the fuzzer must not spend minutes on one input.
		if strings.Contains(hash, "m=65536") && pw != "correct horse battery" {
			return
		}
		var m, tm uint32
		if parts := strings.Split(hash, "$"); len(parts) > 3 {
			fmt.Sscanf(parts[3], "m=%d,t=%d", &m, &tm)
			if m > 1024 || tm > 2 {
				return
			}
		}
		VerifyPassword(hash, pw)
	})
}

func TestSignInSessionsAndLimits(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	if _, err := s.Add(ctx, "cli:root", "amina", auth.Analyst, "short"); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("weak password: %v", err)
	}
	if _, err := s.Add(ctx, "cli:root", "bad name", auth.Analyst, "a long enough password"); err == nil {
		t.Fatal("a name with a space was accepted")
	}
	if _, err := s.Add(ctx, "cli:root", "amina", auth.Analyst, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	// Wrong password, unknown name: the same error.
	for _, c := range [][2]string{{"amina", "a wrong password!"}, {"nobody", "a long enough password"}} {
		if _, err := s.SignIn(ctx, c[0], c[1], "10.0.0.1", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("sign-in %v: %v", c, err)
		}
	}
	in, err := s.SignIn(ctx, "amina", "a long enough password", "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Secret == "" || in.CSRF == "" || in.Secret == in.CSRF || in.Account.Name != "amina" {
		t.Fatalf("signed in %+v", in)
	}
	sess, a, err := s.Authenticate(ctx, in.Secret)
	if err != nil || a.Name != "amina" || sess.CSRF != in.CSRF {
		t.Fatalf("authenticate: %+v %+v %v", sess, a, err)
	}
	// A new sign-in from the same browser rotates the session.
	in2, err := s.SignIn(ctx, "amina", "a long enough password", "10.0.0.1", in.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authenticate(ctx, in.Secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("the old session survived a new sign-in: %v", err)
	}
	// Idle for longer than the timeout: gone; in use: kept alive.
	clk.add(90 * time.Minute)
	if _, _, err := s.Authenticate(ctx, in2.Secret); err != nil {
		t.Fatalf("after 90 min: %v", err)
	}
	clk.add(90 * time.Minute)
	if _, _, err := s.Authenticate(ctx, in2.Secret); err != nil {
		t.Fatalf("kept alive, after 180 min: %v", err)
	}
	clk.add(2*time.Hour + time.Second)
	if _, _, err := s.Authenticate(ctx, in2.Secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("idle 2 h: %v", err)
	}

	// Five failures for one name from one address block it, even with the
	// right password; other addresses are not blocked.
	for range 5 {
		s.SignIn(ctx, "amina", "a wrong password!", "10.0.0.2", "")
	}
	var rl *RateLimitedError
	if _, err := s.SignIn(ctx, "amina", "a long enough password", "10.0.0.2", ""); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("after 5 failures: %v", err)
	}
	if _, err := s.SignIn(ctx, "amina", "a long enough password", "10.0.0.3", ""); err != nil {
		t.Fatalf("another address: %v", err)
	}
	clk.add(16 * time.Minute)
	in3, err := s.SignIn(ctx, "amina", "a long enough password", "10.0.0.2", "")
	if err != nil {
		t.Fatalf("after the window: %v", err)
	}

	// One-time link: works once.
	link, err := s.IssueLink(ctx, "system", "amina")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authenticate(ctx, link); !errors.Is(err, ErrNoSession) {
		t.Fatalf("a link used as a session cookie: %v", err)
	}
	if _, err := s.Redeem(ctx, link, "10.0.0.4", ""); err != nil {
		t.Fatalf("redeem: %v", err)
	}
	if _, err := s.Redeem(ctx, link, "10.0.0.4", ""); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("second use of the link: %v", err)
	}
	late, _ := s.IssueLink(ctx, "system", "amina")
	clk.add(16 * time.Minute)
	if _, err := s.Redeem(ctx, late, "10.0.0.4", ""); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("expired link: %v", err)
	}

	// Disabling ends the sessions; sign-out ends one.
	if _, err := s.SetDisabled(ctx, "cli:root", "amina", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authenticate(ctx, in3.Secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session of a disabled account: %v", err)
	}
	if _, err := s.SignIn(ctx, "amina", "a long enough password", "10.0.0.5", ""); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("disabled account signed in: %v", err)
	}
	s.SetDisabled(ctx, "cli:root", "amina", false)
	if _, err := s.SetPassword(ctx, "cli:root", "amina", "another long password"); err != nil {
		t.Fatal(err)
	}
	in4, err := s.SignIn(ctx, "amina", "another long password", "10.0.0.5", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignOut(ctx, in4.Secret, "analyst:amina"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authenticate(ctx, in4.Secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after sign-out: %v", err)
	}
}

func TestFailuresAudited(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(db, Config{})
	s.Add(ctx, "cli:root", "amina", auth.Analyst, "a long enough password")
	for range 12 {
		s.SignIn(ctx, "amina", "a wrong password?", "10.9.9.9", "")
	}
	es, err := db.AuditEntries(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == ActionSignInFailed {
			n++
			if strings.Contains(string(e.Details), "wrong password?") {
				t.Errorf("the password is in the audit log: %s", e.Details)
			}
		}
	}
	// Five audited failures, then the block; the rest are refused unchecked.
	if n != 5 {
		t.Errorf("%d failures audited, want 5", n)
	}
}
