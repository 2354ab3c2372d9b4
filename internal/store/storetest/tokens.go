package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

// testTokens checks the token store as two API servers sharing the
// database see it: each has its own lookup cache.
func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := s.Tokens(), s.Tokens()
	if ts := must(a.List(ctx)); len(ts) != 0 {
		t.Fatalf("empty store lists %v", ts)
	}
	// b looks the secret up before it exists: the miss is cached, and
	// must not outlive the TTL.
	secret, alice, err := a.Create(ctx, " alice ", auth.Analyst)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, auth.Prefix) || alice.Hash != auth.HashSecret(secret) || alice.ID != alice.Hash[:12] || alice.Name != "alice" {
		t.Fatalf("created %q %+v", secret, alice)
	}
	if got, err := b.Lookup(ctx, auth.HashSecret(secret)); err != nil || got.Name != "alice" || got.Role != auth.Analyst || !got.CreatedAt.Equal(alice.CreatedAt) {
		t.Fatalf("other server's lookup: %+v %v", got, err)
	}
	if _, err := b.Lookup(ctx, auth.HashSecret("bsr_wrong")); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("unknown secret: %v", err)
	}
	if _, _, err := a.Create(ctx, " ", auth.Viewer); err == nil {
		t.Fatal("a token without a name was created")
	}
	if _, _, err := a.Create(ctx, "x", auth.Role("root")); err == nil {
		t.Fatal("a token with an unknown role was created")
	}
	_, bot1 := must3(a.Create(ctx, "bot", auth.Ingest))
	_, bot2 := must3(a.Create(ctx, "bot", auth.Ingest))
	if _, err := a.Revoke(ctx, "bot"); err == nil || !strings.Contains(err.Error(), "2 active tokens") {
		t.Fatalf("ambiguous revoke: %v", err)
	}
	if _, err := a.Revoke(ctx, "nobody"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	if _, err := a.Revoke(ctx, "bot%"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("a LIKE pattern named a token: %v", err)
	}
	if r, err := a.Revoke(ctx, strings.ToUpper(bot2.ID[:6])); err != nil || r.ID != bot2.ID || r.RevokedAt == nil {
		t.Fatalf("revoke by id prefix: %+v %v", r, err)
	}
	if r, err := a.Revoke(ctx, "bot"); err != nil || r.ID != bot1.ID {
		t.Fatalf("revoke by the name one active token has: %+v %v", r, err)
	}

	// Revoke alice on a; b, which cached her, stops accepting her within
	// the TTL.
	r, err := a.Revoke(ctx, "alice")
	if err != nil || r.RevokedAt == nil {
		t.Fatalf("revoke alice: %+v %v", r, err)
	}
	if again, err := a.Revoke(ctx, alice.ID); err != nil || !again.RevokedAt.Equal(*r.RevokedAt) {
		t.Fatalf("revoking twice: %+v %v", again, err)
	}
	if _, err := a.Lookup(ctx, alice.Hash); !errors.Is(err, auth.ErrRevoked) {
		t.Fatalf("revoking server still accepts: %v", err)
	}
	deadline := time.Now().Add(sqlstore.TokenTTL + 500*time.Millisecond)
	for {
		_, err := b.Lookup(ctx, alice.Hash)
		if errors.Is(err, auth.ErrRevoked) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("other server still accepts a revoked token after %v: %v", sqlstore.TokenTTL, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts := must(b.List(ctx))
	if len(ts) != 3 || ts[0].Name != "alice" || ts[0].Active() || ts[1].Active() || ts[2].Active() {
		t.Fatalf("list: %+v", ts)
	}
	for _, tok := range ts {
		if strings.Contains(tok.Hash, secret) {
			t.Fatal("a secret is stored")
		}
	}
}

func must3[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
