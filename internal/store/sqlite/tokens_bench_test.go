package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/auth"
)

// BenchmarkTokenLookup is the cost a request pays to check its token:
// cached (within sqlstore.TokenTTL) and from the database.
func BenchmarkTokenLookup(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"), Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ts := db.NewTokens()
	var hash string
	for i := range 100 {
		secret, _, err := ts.Create(ctx, "bench", auth.Analyst)
		if err != nil {
			b.Fatal(err)
		}
		if i == 50 {
			hash = auth.HashSecret(secret)
		}
	}
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := ts.Lookup(ctx, hash); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("database", func(b *testing.B) {
		fresh := db.NewTokens()
		for b.Loop() {
			fresh.ForceReload()
			if _, err := fresh.Lookup(ctx, hash); err != nil {
				b.Fatal(err)
			}
		}
	})
}
