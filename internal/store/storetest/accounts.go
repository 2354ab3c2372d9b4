package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"
)

// testAccounts checks accounts and sessions: unique names, changes that
// end sessions, rotation, one-time use and expiry, each change audited.
func testAccounts(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if as := must(s.ListAccounts(ctx)); len(as) != 0 {
		t.Fatalf("empty store lists %v", as)
	}
	before := must(s.Counts(ctx)).AuditSeq
	amina := &store.Account{Name: "amina", Role: auth.Analyst, PasswordHash: "$argon2id$x", CreatedAt: now}
	if err := s.CreateAccount(ctx, "cli:root", amina); err != nil || amina.ID == 0 {
		t.Fatalf("create: %v (id %d)", err, amina.ID)
	}
	if err := s.CreateAccount(ctx, "cli:root", &store.Account{Name: "amina", Role: auth.Viewer, PasswordHash: "h"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second account named amina: %v", err)
	}
	if err := s.CreateAccount(ctx, "cli:root", &store.Account{Name: "x", Role: "root", PasswordHash: "h"}); err == nil {
		t.Fatal("an account with an unknown role was created")
	}
	must(0, s.CreateAccount(ctx, "cli:root", &store.Account{Name: "bilal", Role: auth.Admin, PasswordHash: "h2", CreatedAt: now}))
	got := must(s.Account(ctx, "amina"))
	if got.ID != amina.ID || got.Role != auth.Analyst || got.PasswordHash != "$argon2id$x" || !got.CreatedAt.Equal(now) || !got.Active() {
		t.Fatalf("read back %+v", got)
	}
	if _, err := s.Account(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	if as := must(s.ListAccounts(ctx)); len(as) != 2 || as[0].Name != "amina" || as[1].Name != "bilal" {
		t.Fatalf("list: %v", as)
	}

	// Sessions: create, read with the account, rotate, touch, delete once.
	sess := store.Session{Hash: strings.Repeat("a", 64), AccountID: amina.ID, CSRF: "csrf1", Remote: "10.0.0.1", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)}
	must(0, s.CreateSession(ctx, "analyst:amina", sess, ""))
	gs, ga := must3(s.Session(ctx, sess.Hash))
	if gs.CSRF != "csrf1" || gs.OneTime || gs.Remote != "10.0.0.1" || !gs.ExpiresAt.Equal(now.Add(time.Hour)) || ga.Name != "amina" {
		t.Fatalf("session read back %+v %+v", gs, ga)
	}
	rotated := sess
	rotated.Hash, rotated.CSRF = strings.Repeat("b", 64), "csrf2"
	must(0, s.CreateSession(ctx, "analyst:amina", rotated, sess.Hash))
	if _, _, err := s.Session(ctx, sess.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the replaced session survived rotation: %v", err)
	}
	must(0, s.TouchSession(ctx, rotated.Hash, now.Add(time.Minute), now.Add(2*time.Hour)))
	if gs, _ := must3(s.Session(ctx, rotated.Hash)); !gs.LastSeen.Equal(now.Add(time.Minute)) || !gs.ExpiresAt.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("touched session %+v", gs)
	}
	link := store.Session{Hash: strings.Repeat("c", 64), AccountID: amina.ID, OneTime: true, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Minute)}
	must(0, s.CreateSession(ctx, "system", link, ""))
	if gs, _ := must3(s.Session(ctx, link.Hash)); !gs.OneTime {
		t.Fatal("a one-time link reads back as a session")
	}
	if ok := must(s.DeleteSession(ctx, "analyst:amina", link.Hash, "")); !ok {
		t.Fatal("first use of the link deleted nothing")
	}
	if ok := must(s.DeleteSession(ctx, "analyst:amina", link.Hash, "")); ok {
		t.Fatal("a one-time link was deleted twice")
	}

	// A new password ends every session of the account; so does disabling.
	h := "$argon2id$new"
	a2 := must(s.UpdateAccount(ctx, "cli:root", "amina", store.AccountChange{PasswordHash: &h, At: now.Add(time.Hour)}))
	if a2.PasswordHash != h || !a2.UpdatedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("after passwd: %+v", a2)
	}
	if _, _, err := s.Session(ctx, rotated.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a session outlived a password change: %v", err)
	}
	must(0, s.CreateSession(ctx, "analyst:amina", rotated, ""))
	yes := true
	a3 := must(s.UpdateAccount(ctx, "cli:root", "amina", store.AccountChange{Disabled: &yes, At: now.Add(2 * time.Hour)}))
	if a3.Active() || !a3.DisabledAt.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("after disable: %+v", a3)
	}
	if _, _, err := s.Session(ctx, rotated.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a session outlived disabling: %v", err)
	}
	if _, err := s.UpdateAccount(ctx, "cli:root", "nobody", store.AccountChange{Disabled: &yes}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("disable unknown: %v", err)
	}

	// Expired sessions are swept; live ones stay.
	b := must(s.Account(ctx, "bilal"))
	old := store.Session{Hash: strings.Repeat("d", 64), AccountID: b.ID, CSRF: "x", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Minute)}
	live := store.Session{Hash: strings.Repeat("e", 64), AccountID: b.ID, CSRF: "y", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)}
	must(0, s.CreateSession(ctx, "admin:bilal", old, ""))
	must(0, s.CreateSession(ctx, "admin:bilal", live, ""))
	if n := must(s.DeleteExpiredSessions(ctx, now.Add(10*time.Minute))); n != 1 {
		t.Fatalf("swept %d sessions, want 1", n)
	}
	if _, _, err := s.Session(ctx, live.Hash); err != nil {
		t.Fatalf("a live session was swept: %v", err)
	}
	if ok := must(s.DeleteSession(ctx, "admin:bilal", live.Hash, "sign-out")); !ok {
		t.Fatal("sign-out deleted nothing")
	}

	// Every change above is in the audit log, no secret in it.
	entries := must(s.AuditEntries(ctx, before, 1000))
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
		for _, secret := range []string{"csrf1", "csrf2", "$argon2id$new", sess.Hash, rotated.Hash} {
			if strings.Contains(string(e.Details), secret) {
				t.Errorf("audit entry %s holds a secret: %s", e.Action, e.Details)
			}
		}
	}
	if actions["account.change"] != 4 || actions["auth.login"] != 6 || actions["auth.logout"] != 1 {
		t.Errorf("audit actions %v, want 4 account.change, 6 auth.login, 1 auth.logout", actions)
	}
}
