package hma_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/server/hma"
	"github.com/basira-org/basira/pdq"
)

// saveCounter is a DirStore that counts whole-bank saves.
type saveCounter struct {
	*hashmatch.DirStore
	saves int
}

func (s *saveCounter) Save(ctx context.Context, b *hashmatch.Bank) error {
	s.saves++
	return s.DirStore.Save(ctx, b)
}

// TestChangesJournaled checks that API adds and removes to existing banks
// are appended to their journals, not saved whole, and that the banks read
// back from the folder equal those the API holds.
func TestChangesJournaled(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ds := &hashmatch.DirStore{Dir: dir}
	st := &saveCounter{DirStore: ds}
	banks := hma.NewBanks(st, nil, nil)
	if _, err := banks.CreateBank(ctx, "API", 1); err != nil {
		t.Fatal(err)
	}
	csvBefore, err := os.ReadFile(filepath.Join(dir, "API.csv"))
	if err != nil {
		t.Fatal(err)
	}
	saves := st.saves
	md5 := strings.Repeat("0f", 16)
	var ids []int64
	for i := range 5 {
		sig := map[string]string{"pdq": pdq.Hash{uint64(i) + 1, 2, 3, 4}.String()}
		if i == 0 {
			sig["md5"] = md5 // creates the companion bank API.md5: saved whole
		}
		id, err := banks.AddSignals(ctx, "API", sig, "violent-extremist-propaganda", "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if n, err := banks.RemoveContent(ctx, "API", ids[0]); err != nil || n != 2 {
		t.Fatalf("removed %d, %v; want the content's 2 entries", n, err)
	}
	if st.saves != saves+1 {
		t.Fatalf("%d whole-bank saves for 5 adds and a removal; want 1 (the new companion bank)", st.saves-saves)
	}
	if csvNow, _ := os.ReadFile(filepath.Join(dir, "API.csv")); !bytes.Equal(csvNow, csvBefore) {
		t.Fatal("an add rewrote API.csv")
	}
	if _, err := os.Stat(filepath.Join(dir, "API.journal")); err != nil {
		t.Fatal(err)
	}
	loaded, err := hashmatch.LoadAll(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != len(banks.All()) {
		t.Fatalf("loaded %d banks, the API holds %d", len(loaded), len(banks.All()))
	}
	for i, b := range banks.All() {
		if g, w := loaded[i].Entries(), b.Entries(); !slices.Equal(g, w) {
			t.Fatalf("bank %s loaded with %v, the API holds %v", b.Info().Name, g, w)
		}
	}
	if loaded[0].Len() != 4 || loaded[1].Len() != 0 {
		t.Fatalf("API has %d entries, API.md5 %d; want 4 and 0", loaded[0].Len(), loaded[1].Len())
	}
}
