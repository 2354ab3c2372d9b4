package account

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// BenchmarkAuthenticate is the cost a session cookie adds to a request
// (one indexed read of the session and its account); BenchmarkTokenLookup,
// an API token's lookup through its one-second cache, is the baseline.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := New(db, Config{})
	if _, err := s.Add(ctx, "cli", "amina", auth.Analyst, "a long enough password"); err != nil {
		b.Fatal(err)
	}
	in, err := s.SignIn(ctx, "amina", "a long enough password", "127.0.0.1", "")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("session", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.Authenticate(ctx, in.Secret); err != nil {
				b.Fatal(err)
			}
		}
	})
	ts := db.Tokens()
	secret, _, err := ts.Create(ctx, "bot", auth.Ingest)
	if err != nil {
		b.Fatal(err)
	}
	h := auth.HashSecret(secret)
	b.Run("token-cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := ts.Lookup(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}
