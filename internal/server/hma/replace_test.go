package hma_test

import (
	"context"
	"testing"

	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/server/hma"
)

// TestReplace serves a new set of banks (the folder read again) and tells
// the change hook, so a matcher over the old set is replaced.
func TestReplace(t *testing.T) {
	ctx := context.Background()
	mk := func(name string) *hashmatch.Bank {
		b, err := hashmatch.NewBank(hashmatch.Info{Name: name, Type: hashmatch.PDQ, Threshold: 31})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	old, fresh := mk("OLD"), mk("FRESH")
	var got []*hashmatch.Bank
	b := hma.NewBanks(&hashmatch.DirStore{Dir: t.TempDir()}, []*hashmatch.Bank{old}, func(bs []*hashmatch.Bank) { got = bs })
	b.Replace([]*hashmatch.Bank{fresh})
	if len(got) != 1 || got[0] != fresh {
		t.Fatalf("the change hook got %v, want the fresh bank", got)
	}
	if _, err := b.Bank(ctx, "OLD"); err == nil {
		t.Fatal("the replaced bank is still served")
	}
	if _, err := b.Bank(ctx, "FRESH"); err != nil {
		t.Fatal(err)
	}
}
