package hashmatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
	"github.com/basira-org/basira/pdq"
)

const bridge = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"

func mustBank(t *testing.T, info Info) *Bank {
	t.Helper()
	b, err := NewBank(info)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBankPDQLookup(t *testing.T) {
	b := mustBank(t, Info{Name: "isis-media", Type: PDQ, Threshold: 31})
	e, err := b.Add(Entry{Value: strings.ToUpper(bridge), Label: "violent-extremist-propaganda", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if e.Value != bridge || e.ID == "" {
		t.Fatalf("stored %+v", e)
	}
	h, _ := pdq.ParseHash(bridge)
	near := h
	near[0] ^= 0xFFFF // 16 bits away
	far := h
	far[1] ^= 0xFFFFFFFF // 32 bits away
	tests := []struct {
		name string
		h    pdq.Hash
		want int
	}{{"same", h, 1}, {"16 bits", near, 1}, {"32 bits", far, 0}}
	for _, tt := range tests {
		if got := b.LookupPDQ(tt.h); len(got) != tt.want {
			t.Errorf("%s: %d matches, want %d", tt.name, len(got), tt.want)
		}
	}
	if err := b.SetEnabled(e.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := b.LookupPDQ(h); len(got) != 0 {
		t.Errorf("disabled entry matched: %v", got)
	}
	if err := b.SetEnabled(e.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := b.LookupPDQ(near); len(got) != 1 || got[0].Distance != 16 || got[0].Entry.Label != "violent-extremist-propaganda" {
		t.Errorf("re-enabled: %+v", got)
	}
	if err := b.Remove(e.ID); err != nil || b.Len() != 0 || len(b.LookupPDQ(h)) != 0 {
		t.Errorf("Remove: %v, len %d", err, b.Len())
	}
	if err := b.Remove(e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	if _, err := b.Add(Entry{Value: "abc", Enabled: true}); err == nil {
		t.Error("a short hash was accepted")
	}
}

func TestSafeListVerdict(t *testing.T) {
	bad := mustBank(t, Info{Name: "third-party", Type: MD5})
	safe := mustBank(t, Info{Name: "news-footage", Type: MD5, Safe: true})
	v := "0123456789abcdef0123456789abcdef"
	if _, err := bad.Add(Entry{Value: v, Label: "propaganda", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(bad, safe)
	got, err := m.Lookup(MD5, strings.ToUpper(v))
	if err != nil {
		t.Fatal(err)
	}
	if flag, s := Verdict(got); len(flag) != 1 || len(s) != 0 {
		t.Fatalf("before safe-listing: flag %v safe %v", flag, s)
	}
	if _, err := safe.Add(Entry{Value: v, Note: "TV news report", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	got, _ = m.Lookup(MD5, v)
	if flag, s := Verdict(got); len(flag) != 0 || len(s) != 1 || s[0].Bank != "news-footage" {
		t.Fatalf("after safe-listing: flag %v safe %v", flag, s)
	}
	_ = bad.Update(func(i *Info) { i.Disabled = true })
	got, _ = m.Lookup(MD5, v)
	if len(got) != 1 {
		t.Fatalf("disabled bank still matches: %v", got)
	}
}

func TestTextBank(t *testing.T) {
	b := mustBank(t, Info{Name: "texts", Type: Text})
	if b.Info().Threshold != 0.5 {
		t.Fatalf("default threshold %v", b.Info().Threshold)
	}
	orig := "انضموا إلى صفوف المجاهدين في الجبهة الآن قبل فوات الأوان فالجنة تنتظركم"
	if _, err := b.Add(Entry{Value: orig, Label: "recruitment", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(b)
	got, err := m.Lookup(Text, "🔥 انضموا الى صفوف المجاهديـــن في الجبهة الآن قبل فوات الاوان فالجنة تنتظركم #عاجل")
	if err != nil || len(got) != 1 || got[0].Entry.Label != "recruitment" {
		t.Fatalf("edited copy: %v %v", got, err)
	}
	got, _ = m.Lookup(Text, "الجيش يعلن عن فتح باب التطوع في صفوفه للشباب من أجل حماية الحدود")
	if len(got) != 0 {
		t.Fatalf("unrelated text matched: %v", got)
	}
}

func TestDirStore(t *testing.T) {
	ctx := context.Background()
	s := &DirStore{Dir: t.TempDir()}
	b := mustBank(t, Info{Name: "b1", Type: PDQ, Threshold: 20, Description: "test"})
	e, _ := b.Add(Entry{Value: bridge, Label: "x", Note: "has, comma \"and quotes\"", Enabled: true})
	_, _ = b.Add(Entry{Value: strings.Repeat("0f", 32), Enabled: false})
	if err := s.Save(ctx, b); err != nil {
		t.Fatal(err)
	}
	back, err := s.Load(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if back.Info() != b.Info() || back.Len() != 2 {
		t.Fatalf("loaded %+v (%d entries)", back.Info(), back.Len())
	}
	got, _ := back.Entry(e.ID)
	if got != e {
		t.Fatalf("entry %+v, want %+v", got, e)
	}
	if total, on, err := s.Count(ctx, "b1"); err != nil || total != 2 || on != 1 {
		t.Fatalf("Count: %d entries, %d enabled, %v; want 2, 1", total, on, err)
	}
	infos, _ := s.List(ctx)
	if len(infos) != 1 || infos[0].Name != "b1" {
		t.Fatalf("List %v", infos)
	}
	if _, err := s.Load(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load missing: %v", err)
	}
	if _, err := s.Load(ctx, "../etc"); err == nil {
		t.Fatal("path in bank name accepted")
	}
	if err := s.Delete(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if infos, _ := s.List(ctx); len(infos) != 0 {
		t.Fatalf("after Delete: %v", infos)
	}
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		comma         rune
		entries, errs int
		skipped       int
	}{
		{"positional", bridge + ",propaganda,gifct,seen 2024\n", ',', 1, 0, 0},
		{"header and comments", "# list\nlabel,hash\nx," + bridge + "\n\ny,zz\n", ',', 1, 1, 0},
		{"tsv with type", "hash\ttype\n" + bridge + "\tpdq\n0123456789abcdef0123456789abcdef\tmd5\n", '\t', 1, 0, 1},
		{"bad enabled", "hash,enabled\n" + bridge + ",maybe\n", ',', 0, 1, 0},
	}
	for _, tt := range tests {
		res, err := ParseCSV(strings.NewReader(tt.in), tt.comma, PDQ)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(res.Entries) != tt.entries || len(res.Errors) != tt.errs || res.Skipped != tt.skipped {
			t.Errorf("%s: %d entries, %v errors, %d skipped", tt.name, len(res.Entries), res.Errors, res.Skipped)
		}
	}
	if _, err := ParseCSV(strings.NewReader(strings.Repeat("a", MaxRecordBytes+10)), ',', PDQ); err == nil {
		t.Error("a record over the limit was accepted")
	}
}

func TestTAT(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "tat_v2_sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ParseTAT(f, PDQ)
	if err != nil {
		t.Fatal(err)
	}
	// 101 as it is, 103 deleted: kept disabled; 102 (MD5) and 105 (TMK)
	// of other types; 104's hash is bad.
	if len(res.Entries) != 2 || res.Entries[0].ID != "tat-101" || res.Entries[0].Label != "islamist" || !res.Entries[0].Enabled ||
		res.Entries[1].ID != "tat-103" || res.Entries[1].Enabled {
		t.Fatalf("entries %+v", res.Entries)
	}
	if len(res.Deleted) != 0 || res.Skipped != 2 || len(res.Errors) != 1 {
		t.Fatalf("deleted %v skipped %d errors %v", res.Deleted, res.Skipped, res.Errors)
	}
	var buf bytes.Buffer
	if err := WriteTAT(&buf, PDQ, res.Entries); err != nil {
		t.Fatal(err)
	}
	back, err := ParseTAT(&buf, PDQ)
	if err != nil || len(back.Entries) != 2 || back.Entries[0] != res.Entries[0] || back.Entries[1] != res.Entries[1] {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	for _, bad := range []string{"", "[]", `{"results": 3}`, `{"other": []}`, `{"count": "x", "results": []}`} {
		if _, err := ParseTAT(strings.NewReader(bad), PDQ); err == nil {
			t.Errorf("ParseTAT(%q) accepted", bad)
		}
	}
}

// TestLookupFile hashes a reference image and finds it, and its edited
// copies, in a bank holding the original's reference hash.
func TestLookupFile(t *testing.T) {
	dir := refdata.Path(t, "pdq/pdq/data/bridge-mods")
	b := mustBank(t, Info{Name: "b", Type: PDQ, Threshold: 31})
	_, _ = b.Add(Entry{Value: bridge, Label: "propaganda", Enabled: true})
	m := NewMatcher(b)
	h := pdq.NewHasher()
	for _, f := range []string{"aaa-orig.jpg", "blur-a-lot.jpg", "shrink-a-lot.jpg", "square-256x256.jpg"} {
		fh, err := HashFile(filepath.Join(dir, f), h)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.LookupFile(fh); len(got) != 1 {
			t.Errorf("%s: %d matches", f, len(got))
		}
	}
	fh := HashBytes([]byte("not an image"), h)
	if fh.PDQ != nil || fh.PDQErr == nil || len(m.LookupFile(fh)) != 0 {
		t.Errorf("text file: %+v", fh)
	}
}

// TestDihedralLookup: a mirrored or rotated copy of a banked photo matches
// only when dihedral hashes are asked for, and names its transform.
func TestDihedralLookup(t *testing.T) {
	dir := refdata.Path(t, "pdq/pdq/data/reg-test-input/dih")
	b := mustBank(t, Info{Name: "b", Type: PDQ, Threshold: 31})
	_, _ = b.Add(Entry{Value: bridge, Label: "propaganda", Enabled: true})
	m := NewMatcher(b)
	for _, f := range []string{"bridge-2-rotate-90.jpg", "bridge-5-flipx.jpg", "bridge-7-flip-plus-1.jpg"} {
		plain, err := HashFile(filepath.Join(dir, f), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.LookupFile(plain); len(got) != 0 {
			t.Errorf("%s matched without dihedral hashes: %v", f, got)
		}
		fh, err := HashFileDihedral(filepath.Join(dir, f), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := m.LookupFile(fh)
		if len(got) != 1 || got[0].Transform == "" || got[0].Distance > 16 {
			t.Errorf("%s with dihedral hashes: %+v", f, got)
		}
	}
	orig, _ := HashFileDihedral(filepath.Join(dir, "bridge-1-original.jpg"), nil)
	if got := m.LookupFile(orig); len(got) != 1 || got[0].Transform != "" {
		t.Errorf("original: %+v", got)
	}
}

func TestAddMany(t *testing.T) {
	b := mustBank(t, Info{Name: "bulk", Type: PDQ, Threshold: 31})
	h, _ := pdq.ParseHash(bridge)
	var es []Entry
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 6000 {
		x := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()} // ~128 bits from anything
		es = append(es, Entry{ID: fmt.Sprintf("n%d", i), Value: x.String(), Label: "noise", Enabled: true})
	}
	es = append(es,
		Entry{ID: "bridge", Value: bridge, Label: "propaganda", Enabled: true},
		Entry{ID: "off", Value: bridge, Enabled: false},
		Entry{ID: "bad", Value: "123", Enabled: true},
		Entry{ID: "bridge", Value: bridge, Enabled: true},
	)
	added, errs := b.AddMany(es)
	if added != 6002 || len(errs) != 2 {
		t.Fatalf("added %d, errors %v", added, errs)
	}
	got := b.LookupPDQ(h)
	if len(got) != 1 || got[0].Entry.ID != "bridge" || got[0].Entry.Label != "propaganda" {
		t.Fatalf("lookup after AddMany: %d matches, first %+v", len(got), got[0])
	}
	if err := b.SetEnabled("off", true); err != nil {
		t.Fatal(err)
	}
	if err := b.Remove("bridge"); err != nil {
		t.Fatal(err)
	}
	if got := b.LookupPDQ(h); len(got) != 1 || got[0].Entry.ID != "off" {
		t.Fatalf("after enabling one and removing the other: %+v", got)
	}
	if e, ok := b.Entry("n42"); !ok || e.Value != es[42].Value || e.Label != "noise" {
		t.Fatalf("entry n42: %+v", e)
	}
}

// Lookups may run while entries are added, disabled and removed (run
// with -race to check the locking).
func TestBankConcurrent(t *testing.T) {
	b := mustBank(t, Info{Name: "c", Type: PDQ, Threshold: 31})
	h, _ := pdq.ParseHash(bridge)
	_, _ = b.Add(Entry{ID: "fixed", Value: bridge, Enabled: true})
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if got := b.LookupPDQ(h); len(got) == 0 {
					t.Error("the fixed entry disappeared")
					return
				}
			}
		}()
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 6000 {
		id := fmt.Sprintf("x%d", i)
		_, _ = b.Add(Entry{ID: id, Value: pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}.String(), Enabled: true})
		if i%3 == 0 {
			_ = b.SetEnabled(id, false)
		}
		if i%5 == 0 {
			_ = b.Remove(id)
		}
	}
	close(done)
	wg.Wait()
}
