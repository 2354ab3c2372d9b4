package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/rules"
	"github.com/basira-org/basira/internal/server/hma"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
	"github.com/basira-org/basira/pdq"
)

// TestCopiesInStep: the embedded sample posts are a copy of the project's
// testdata/posts.jsonl (a testdata folder cannot be embedded from here); a
// change there must be copied here (cp testdata/posts.jsonl internal/demo/).
func TestCopiesInStep(t *testing.T) {
	for _, c := range []struct {
		orig string
		got  []byte
	}{{"../../testdata/posts.jsonl", postsJSONL}} {
		want, err := os.ReadFile(c.orig)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, c.got) {
			t.Errorf("internal/demo's copy of %s is out of date: copy it again", c.orig)
		}
	}
}

func TestDemoData(t *testing.T) {
	ps, err := Posts(post.NewPseudonymizer([]byte("k")))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 47 {
		t.Fatalf("%d demo posts, want 47", len(ps))
	}
	ids := map[string]bool{}
	for _, p := range ps {
		if p.Platform == "" || ids[p.Platform+"/"+p.ID] || p.Source != "demo" {
			t.Fatalf("post %+v: platform missing, duplicate or wrong source", p)
		}
		ids[p.Platform+"/"+p.ID] = true
	}
	fcs, err := FactChecks()
	if err != nil || len(fcs) != 3 || fcs[0].Rating != claims.RatingFalse {
		t.Fatalf("fact-checks: %v %+v", err, fcs)
	}
	// The image posts: d04 and d05 match the bank (PDQ distance <= 31),
	// d06 does not.
	bank := []pdq.Hash{}
	for _, e := range Bank() {
		h, err := pdq.ParseHash(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		bank = append(bank, h)
	}
	want := map[string]bool{"d04": true, "d05": true, "d06": false}
	for _, p := range ps {
		w, ok := want[p.ID]
		if !ok {
			continue
		}
		h, err := pdq.ParseHash(p.Media[0].PDQ)
		if err != nil {
			t.Fatal(err)
		}
		best := 256
		for _, b := range bank {
			best = min(best, pdq.Distance(h, b))
		}
		if (best <= 31) != w {
			t.Errorf("post %s: nearest bank hash at distance %d, want match=%v", p.ID, best, w)
		}
	}
}

// TestRulePackFlagsDemo: the pack compiles and flags the campaign posts
// and none of the benign demo posts.
func TestRulePackFlagsDemo(t *testing.T) {
	path, err := WriteRules(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rs, errs, err := rules.LoadPaths([]string{path})
	if err != nil || len(errs) > 0 {
		t.Fatalf("rule pack: %v %v", err, errs)
	}
	set, err := rules.Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := Posts(nil)
	flagged := map[string]bool{}
	for _, p := range ps {
		if len(set.Match(arabic.Analyze(p.Text))) > 0 {
			flagged[p.ID] = true
		}
	}
	for _, id := range []string{"d01", "d02", "d03", "p17", "p23", "p24"} {
		if !flagged[id] {
			t.Errorf("%s not flagged by the demo pack", id)
		}
	}
	for _, id := range []string{"p01", "p02", "p03", "d06", "d10"} {
		if flagged[id] {
			t.Errorf("benign %s flagged by the demo pack", id)
		}
	}
}

type storeSink struct{ db store.Store }

func (s storeSink) Accept(ctx context.Context, source string, posts []*post.Post) error {
	_, err := s.db.PutPosts(ctx, source, source, posts)
	return err
}

func TestSeedIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fc := claims.NewFileStore(filepath.Join(dir, "factchecks.jsonl"))
	reloaded := 0
	tg := Targets{Sink: storeSink{db}, FactChecks: fc, FactChecksChanged: func(context.Context) error { reloaded++; return nil }}
	for range 2 {
		sum, err := Seed(ctx, tg)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Posts != 47 || sum.FactChecks != 3 {
			t.Fatalf("summary %+v", sum)
		}
	}
	c, err := db.Counts(ctx)
	if err != nil || c.Posts != 47 {
		t.Fatalf("after two seeds the store holds %d posts (%v), want 47", c.Posts, err)
	}
	all, err := fc.All(ctx)
	if err != nil || len(all) != 3 || reloaded != 2 {
		t.Fatalf("fact-checks %d (%v), reloads %d", len(all), err, reloaded)
	}
	p, err := db.FindPost(ctx, "telegram", "d01")
	if err != nil || !slices.Contains([]string{"demo"}, p.Source) {
		t.Fatalf("d01: %+v %v", p, err)
	}
}

// TestSeedBanks: the demo bank goes into real hashmatch banks (through the
// API's adapter), once, and the demo image posts match it.
func TestSeedBanks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := &hashmatch.DirStore{Dir: dir}
	banks := hma.NewBanks(st, nil, nil)
	for i := range 2 {
		sum, err := SeedReference(ctx, Targets{Banks: banks})
		if err != nil {
			t.Fatal(err)
		}
		if (i == 0 && (sum.BankHashes != 2 || sum.BankExists)) || (i == 1 && (sum.BankHashes != 0 || !sum.BankExists)) {
			t.Fatalf("seed %d: %+v", i, sum)
		}
	}
	loaded, err := hashmatch.LoadAll(ctx, st)
	if err != nil || len(loaded) != 1 || loaded[0].Len() != 2 {
		t.Fatalf("bank folder after seeding: %v %v", loaded, err)
	}
	m := hashmatch.NewMatcher(loaded...)
	ps, _ := Posts(nil)
	for _, p := range ps {
		if len(p.Media) == 0 {
			continue
		}
		ms, err := m.Lookup(hashmatch.PDQ, p.Media[0].PDQ)
		if err != nil {
			t.Fatal(err)
		}
		if want := p.ID != "d06"; (len(ms) > 0) != want || (want && ms[0].Entry.Label != "violent-extremist-propaganda") {
			t.Errorf("post %s: matches %+v", p.ID, ms)
		}
	}
}
