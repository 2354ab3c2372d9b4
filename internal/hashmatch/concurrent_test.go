package hashmatch

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/basira-org/basira/pdq"
)

// TestBankAddWhileLookingUp adds and removes entries of a PDQ bank while
// other goroutines look hashes up through a Matcher, as the service's API
// and workers do on a shared bank; run with -race. Every hash published as
// added before a lookup starts must be found by it, and removed ones not.
func TestBankAddWhileLookingUp(t *testing.T) {
	b, err := NewBank(Info{Name: "shared", Type: PDQ, Threshold: 31})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	hashes := make([]pdq.Hash, 2000)
	for i := range hashes {
		for w := range hashes[i] {
			hashes[i][w] = rng.Uint64()
		}
	}
	// A base the lookups run against from the start.
	for i := range 500 {
		if _, err := b.Add(Entry{ID: "base" + hashes[i].String()[:8], Value: hashes[i].String(), Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	m := NewMatcher(b)
	var added atomic.Int64 // hashes[:added] are in the bank
	added.Store(500)
	var removed atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the API
		defer wg.Done()
		for i := 500; i < len(hashes); i++ {
			if _, err := b.Add(Entry{ID: hashes[i].String()[:12], Value: hashes[i].String(), Enabled: true}); err != nil {
				t.Error(err)
				return
			}
			added.Store(int64(i + 1))
		}
		if err := b.Remove("base" + hashes[0].String()[:8]); err != nil {
			t.Error(err)
		}
		removed.Store(true)
	}()
	for w := range 4 { // the workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for k := 0; k < 3000; k++ {
				gone := removed.Load()
				n := int(added.Load())
				i := 1 + r.IntN(n-1)
				if got := m.LookupFile(FileHashes{PDQ: &pdq.Result{Hash: hashes[i], Quality: 100}}); len(got) == 0 || got[0].Distance != 0 {
					t.Errorf("hash %d of %d added not found: %v", i, n, got)
					return
				}
				if gone && len(b.LookupPDQ(hashes[0])) != 0 {
					t.Error("a removed hash still matches")
					return
				}
			}
		}()
	}
	wg.Wait()
	if b.Len() != len(hashes)-1 {
		t.Fatalf("bank holds %d entries, want %d", b.Len(), len(hashes)-1)
	}
}
