package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	s, err := OpenFileStore(filepath.Join(t.TempDir(), "sub", "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ts, err := s.List(ctx); err != nil || len(ts) != 0 {
		t.Fatalf("empty store: %v %v", ts, err)
	}
	sa, a, err := s.Create(ctx, "alice", Analyst)
	if err != nil {
		t.Fatal(err)
	}
	sb, _, _ := s.Create(ctx, "bot", Ingest)
	_, b2, _ := s.Create(ctx, "bot", Ingest)
	if sa == sb || !strings.HasPrefix(sa, Prefix) || len(sa) != len(Prefix)+43 {
		t.Fatalf("secrets %q %q", sa, sb)
	}
	if a.Hash != HashSecret(sa) || a.ID != a.Hash[:12] || strings.Contains(a.Hash, sa) {
		t.Fatalf("token %+v", a)
	}
	if _, _, err := s.Create(ctx, " ", Viewer); err == nil {
		t.Fatal("a token without a name was created")
	}
	if _, _, err := s.Create(ctx, "x", Role("root")); err == nil {
		t.Fatal("a token with an unknown role was created")
	}
	if got, err := s.Lookup(ctx, HashSecret(sa)); err != nil || got.Name != "alice" {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	if _, err := s.Lookup(ctx, HashSecret("bsr_wrong")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown secret: %v", err)
	}
	// "bot" names two active tokens: ambiguous; the id works.
	if _, err := s.Revoke(ctx, "bot"); err == nil || !strings.Contains(err.Error(), "2 active tokens") {
		t.Fatalf("ambiguous revoke: %v", err)
	}
	if _, err := s.Revoke(ctx, b2.ID[:6]); err != nil {
		t.Fatal(err)
	}
	// Now one active "bot" is left: the name is enough.
	if r, err := s.Revoke(ctx, "bot"); err != nil || r.RevokedAt == nil {
		t.Fatalf("revoke by name: %+v %v", r, err)
	}
	if _, err := s.Lookup(ctx, HashSecret(sb)); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := s.Revoke(ctx, "abc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("short or unknown id: %v", err)
	}
	// A second store over the same file sees everything.
	s2, err := OpenFileStore(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := s2.List(ctx)
	if len(ts) != 3 || ts[0].Name != "alice" {
		t.Fatalf("reopened: %+v", ts)
	}
	for _, r := range []string{"admin", "ANALYST", " viewer ", "ingest", "platform"} {
		if _, err := ParseRole(r); err != nil {
			t.Errorf("role %q: %v", r, err)
		}
	}
}

func TestDamagedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tokens.json")
	if err := writeFile(p, "{not json"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFileStore(p); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged file: %v", err)
	}
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }
