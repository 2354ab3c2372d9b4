package hashmatch

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/basira-org/basira/pdq"
)

// sortedEntries is a bank's entries by id: replay may change their order
// (an add replayed over the entry it added moves it to the end), never
// their content.
func sortedEntries(b *Bank) []Entry {
	es := b.Entries()
	slices.SortFunc(es, func(x, y Entry) int { return strings.Compare(x.ID, y.ID) })
	return es
}

// journalOps makes n random changes to b, as the API does (the change in
// memory, then Append).
func journalOps(t *testing.T, st *DirStore, b *Bank, rng *rand.Rand, n int) {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for _, e := range b.Entries() {
		ids = append(ids, e.ID)
	}
	for i := range n {
		var c Change
		switch k := rng.IntN(10); {
		case k < 6 || len(ids) == 0:
			h := pdq.Hash{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
			e, err := b.Add(Entry{Value: h.String(), Label: fmt.Sprintf("l%d", i%3), Note: "a \"quoted\",\nnote", Enabled: rng.IntN(4) > 0})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
			c = Change{Op: ChangeAdd, Entry: &e}
		case k < 8:
			j := rng.IntN(len(ids))
			if err := b.Remove(ids[j]); err != nil {
				t.Fatal(err)
			}
			c = Change{Op: ChangeRemove, ID: ids[j]}
			ids = slices.Delete(ids, j, j+1)
		default:
			id := ids[rng.IntN(len(ids))]
			on := k == 8
			if err := b.SetEnabled(id, on); err != nil {
				t.Fatal(err)
			}
			c = Change{Op: ChangeDisable, ID: id}
			if on {
				c.Op = ChangeEnable
			}
		}
		if err := st.Append(ctx, b, c); err != nil {
			t.Fatal(err)
		}
	}
}

func newJournalBank(t *testing.T, n int) (*DirStore, *Bank, *rand.Rand) {
	t.Helper()
	st := &DirStore{Dir: t.TempDir()}
	b, err := NewBank(Info{Name: "J", Type: PDQ, Threshold: 31})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range n {
		h := pdq.Hash{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
		if _, err := b.Add(Entry{Value: h.String(), Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Save(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return st, b, rng
}

func loadEqual(t *testing.T, st *DirStore, want *Bank) *Bank {
	t.Helper()
	got, err := st.Load(context.Background(), want.Info().Name)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := sortedEntries(got), sortedEntries(want); !slices.Equal(g, w) {
		t.Fatalf("loaded %d entries, want %d; first differences:\n%v\n%v", len(g), len(w), g[:min(3, len(g))], w[:min(3, len(w))])
	}
	// The index agrees with the entries: every enabled hash matches.
	for _, e := range want.Entries() {
		h, _ := pdq.ParseHash(e.Value)
		found := false
		for _, m := range got.LookupPDQ(h) {
			found = found || m.Entry.ID == e.ID
		}
		if found != e.Enabled {
			t.Fatalf("entry %s (enabled %v): matched %v after load", e.ID, e.Enabled, found)
		}
	}
	return got
}

func TestJournalReplayEqualsOperations(t *testing.T) {
	st, b, rng := newJournalBank(t, 200)
	journalOps(t, st, b, rng, 300)
	csvBefore, err := os.ReadFile(filepath.Join(st.Dir, "J.csv"))
	if err != nil {
		t.Fatal(err)
	}
	jp := filepath.Join(st.Dir, "J.journal")
	if fi, err := os.Stat(jp); err != nil || fi.Size() == 0 {
		t.Fatalf("no journal written: %v", err)
	}
	loadEqual(t, st, b)
	// Appends never touched the CSV file.
	if csvNow, _ := os.ReadFile(filepath.Join(st.Dir, "J.csv")); !bytes.Equal(csvNow, csvBefore) {
		t.Fatal("an append rewrote the CSV file")
	}
	// Count sees the journal's changes.
	total, on, err := st.Count(context.Background(), "J")
	if err != nil {
		t.Fatal(err)
	}
	wantOn := 0
	for _, e := range b.Entries() {
		if e.Enabled {
			wantOn++
		}
	}
	if total != b.Len() || on != wantOn {
		t.Fatalf("Count = %d, %d; want %d, %d", total, on, b.Len(), wantOn)
	}
}

// A bank created with no files yet is saved whole by its first Append.
func TestJournalAppendToUnsavedBank(t *testing.T) {
	st := &DirStore{Dir: t.TempDir()}
	b, err := NewBank(Info{Name: "fresh", Type: MD5})
	if err != nil {
		t.Fatal(err)
	}
	e, err := b.Add(Entry{Value: strings.Repeat("ab", 16), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Append(context.Background(), b, Change{Op: ChangeAdd, Entry: &e}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(st.Dir, "fresh.journal")); err == nil {
		t.Fatal("a bank without files got a journal instead of its files")
	}
	got, err := st.Load(context.Background(), "fresh")
	if err != nil || got.Len() != 1 {
		t.Fatalf("loaded %v, %v", got, err)
	}
}

func TestJournalCrashMidLine(t *testing.T) {
	st, b, rng := newJournalBank(t, 50)
	journalOps(t, st, b, rng, 40)
	jp := filepath.Join(st.Dir, "J.journal")
	whole, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	// One more add, cut in the middle of its line as by a crash before
	// the fsync: it was never acknowledged.
	acked := sortedEntries(b)
	h := pdq.Hash{1, 2, 3, 4}
	e, err := b.Add(Entry{ID: "lost", Value: h.String(), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Append(context.Background(), b, Change{Op: ChangeAdd, Entry: &e}); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	cut := len(whole) + (len(full)-len(whole))/2
	if err := os.WriteFile(jp, full[:cut], 0o640); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load(context.Background(), "J")
	if err != nil {
		t.Fatalf("a partial last line must be left out, not fail the load: %v", err)
	}
	if g := sortedEntries(got); !slices.Equal(g, acked) {
		t.Fatalf("after a cut last line: %d entries, want the %d acknowledged", len(g), len(acked))
	}
	// The next append cuts the partial line off and starts a new one.
	if err := b.Remove("lost"); err != nil {
		t.Fatal(err)
	}
	e2, err := b.Add(Entry{ID: "after", Value: pdq.Hash{5, 6, 7, 8}.String(), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Append(context.Background(), b, Change{Op: ChangeAdd, Entry: &e2}); err != nil {
		t.Fatal(err)
	}
	now, _ := os.ReadFile(jp)
	if !bytes.HasPrefix(now, whole) || bytes.Contains(now, []byte(`"lost"`)) {
		t.Fatalf("the partial line was not cut off before appending:\n%s", now[len(whole)-min(len(whole), 200):])
	}
	loadEqual(t, st, b)
}

func TestJournalCompaction(t *testing.T) {
	defer func(lo, hi int64) { compactMinBytes, compactMaxBytes = lo, hi }(compactMinBytes, compactMaxBytes)
	compactMinBytes = 4 << 10
	st, b, rng := newJournalBank(t, 300)
	jp := filepath.Join(st.Dir, "J.journal")
	csvInfo, _ := os.Stat(filepath.Join(st.Dir, "J.csv"))
	compacted := 0
	for range 60 {
		journalOps(t, st, b, rng, 5)
		if fi, err := os.Stat(jp); err != nil {
			compacted++
		} else if fi.Size() > max(compactMinBytes, csvInfo.Size()/10)+4<<10 {
			t.Fatalf("the journal grew to %d bytes beside a %d-byte CSV file without compaction", fi.Size(), csvInfo.Size())
		}
		csvInfo, _ = os.Stat(filepath.Join(st.Dir, "J.csv"))
	}
	if compacted == 0 {
		t.Fatal("300 changes never compacted the journal")
	}
	loadEqual(t, st, b)
	// Save is an explicit compaction.
	journalOps(t, st, b, rng, 3)
	if err := st.Compact(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(jp); err == nil {
		t.Fatal("the journal is still there after Compact")
	}
	loadEqual(t, st, b)
}

// A crash after compaction renamed the new CSV file but before it removed
// the journal: the journal is replayed over a file that holds its changes
// already, and nothing is applied twice.
func TestJournalReplayIdempotent(t *testing.T) {
	st, b, rng := newJournalBank(t, 100)
	journalOps(t, st, b, rng, 150)
	jp := filepath.Join(st.Dir, "J.journal")
	old, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jp, old, 0o640); err != nil {
		t.Fatal(err)
	}
	got := loadEqual(t, st, b)
	// Replayed twice over: still the same.
	if err := os.WriteFile(jp, append(old, bytes.SplitN(old, []byte("\n"), 2)[1]...), 0o640); err != nil {
		t.Fatal(err)
	}
	loadEqual(t, st, got)
}

func TestParseJournalErrors(t *testing.T) {
	add := `{"op":"add","entry":{"id":"a","value":"` + strings.Repeat("ab", 16) + `","enabled":true}}`
	for _, tc := range []struct {
		name, in, err string
		changes       int
		partial       bool
	}{
		{"empty", "", "", 0, false},
		{"header only", journalHeader + "\n", "", 0, false},
		{"changes", journalHeader + "\n" + add + "\n" + `{"op":"remove","id":"a"}` + "\n", "", 2, false},
		{"partial last line", journalHeader + "\n" + add + "\n" + `{"op":"rem`, "", 1, true},
		{"partial header", "basira-bank", "", 0, true},
		{"newer version", "basira-bank-journal v2\n" + add + "\n", "line 1", 0, false},
		{"bad middle line", journalHeader + "\n" + add + "\n{\"op\":\n" + add + "\n", "line 3", 0, false},
		{"unknown op", journalHeader + "\n" + `{"op":"drop","id":"a"}` + "\n", "unknown op", 0, false},
		{"add without id", journalHeader + "\n" + `{"op":"add","entry":{"value":"x"}}` + "\n", "line 2", 0, false},
		{"remove without id", journalHeader + "\n" + `{"op":"remove"}` + "\n", "needs an \"id\"", 0, false},
		{"unknown field", journalHeader + "\n" + `{"op":"remove","id":"a","x":1}` + "\n", "line 2", 0, false},
		{"too long", journalHeader + "\n" + strings.Repeat("x", maxJournalLine+1) + "\n", "longer than", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := ParseJournal(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(j.Changes) != tc.changes || j.Partial != tc.partial {
				t.Fatalf("%d changes, partial %v; want %d, %v", len(j.Changes), j.Partial, tc.changes, tc.partial)
			}
		})
	}
}

// A damaged line in the middle of a journal fails the load with the file
// and line, rather than loading a bank that silently lacks changes.
func TestJournalDamagedLoad(t *testing.T) {
	st, b, rng := newJournalBank(t, 10)
	journalOps(t, st, b, rng, 5)
	jp := filepath.Join(st.Dir, "J.journal")
	data, _ := os.ReadFile(jp)
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines[2] = []byte("garbage\n")
	if err := os.WriteFile(jp, bytes.Join(lines, nil), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := st.Load(context.Background(), "J")
	if err == nil || !strings.Contains(err.Error(), "J.journal") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v", err)
	}
}

func TestJournalDelete(t *testing.T) {
	st, b, rng := newJournalBank(t, 10)
	journalOps(t, st, b, rng, 5)
	if err := st.Delete(context.Background(), "J"); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(st.Dir, "J.*"))
	if len(left) != 0 {
		t.Fatalf("left after Delete: %v", left)
	}
}

func FuzzParseJournal(f *testing.F) {
	f.Add([]byte(journalHeader + "\n" + `{"op":"add","entry":{"id":"a","value":"` + bridge + `","enabled":true}}` + "\n"))
	f.Add([]byte(journalHeader + "\n" + `{"op":"disable","id":"a"}` + "\n" + `{"op":"remove","id":"a"}`))
	f.Add([]byte(journalHeader + "\n{\"op\":\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4*maxJournalLine {
			return
		}
		j, err := ParseJournal(bytes.NewReader(data))
		if err != nil {
			return
		}
		b, err := NewBank(Info{Name: "F", Type: PDQ, Threshold: 31})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range j.Changes {
			switch c.Op {
			case ChangeAdd:
				if c.Entry == nil || c.Entry.ID == "" {
					t.Fatalf("an add without an entry id passed: %+v", c)
				}
			case ChangeRemove, ChangeEnable, ChangeDisable:
				if c.ID == "" {
					t.Fatalf("a %s without an id passed", c.Op)
				}
			default:
				t.Fatalf("op %q passed", c.Op)
			}
			// Applying must not panic; a bad value is an error.
			_ = b.apply(c)
		}
	})
}

// A change too long for a journal line saves the bank whole, so that its
// journal always loads.
func TestJournalLongChangeSavesWhole(t *testing.T) {
	defer func(n int) { maxJournalLine = n }(maxJournalLine)
	maxJournalLine = 4096
	st := &DirStore{Dir: t.TempDir()}
	b, err := NewBank(Info{Name: "T", Type: Text, Threshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("كلمة أخرى هنا ", 500) // 12 KB
	e, err := b.Add(Entry{Value: long, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Append(context.Background(), b, Change{Op: ChangeAdd, Entry: &e}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(st.Dir, "T.journal")); err == nil {
		t.Fatal("a change longer than a journal line was journaled")
	}
	got, err := st.Load(context.Background(), "T")
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := got.Entry(e.ID); !ok || g.Value != strings.TrimSpace(long) {
		t.Fatalf("the long entry did not survive: %v", ok)
	}
}
