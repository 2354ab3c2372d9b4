package app

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/pdq"
)

// BenchmarkBankChangeVisible measures the time from one hash added to a
// 300,000-entry bank to a post carrying it being matched by the banks
// detector:
//   - reload: the detector rebuilt from the bank folder, as the file
//     watcher did for every API change (the watch interval, up to 2 s, not
//     counted);
//   - incremental: the entry added to the bank the detector shares with
//     the API (hashmatch.Shared);
//   - save: writing the bank whole to its files, which the API did before
//     it answered until bank journals; now it appends to the bank's journal
//     (BenchmarkAPIAdd in internal/server/hma) and a whole save is the
//     journal's compaction.
func BenchmarkBankChangeVisible(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	randHash := func() string {
		var h pdq.Hash
		for w := range h {
			h[w] = rng.Uint64()
		}
		return h.String()
	}
	const size = 300_000
	bk, err := hashmatch.NewBank(hashmatch.Info{Name: "big", Type: hashmatch.PDQ, Threshold: 31})
	if err != nil {
		b.Fatal(err)
	}
	es := make([]hashmatch.Entry, size)
	for i := range es {
		es[i] = hashmatch.Entry{Value: randHash(), Label: "violent-extremist-propaganda", Source: "bench", Enabled: true}
	}
	if _, errs := bk.AddMany(es); len(errs) > 0 {
		b.Fatal(errs[0])
	}
	st := &hashmatch.DirStore{Dir: dir}
	if err := st.Save(ctx, bk); err != nil {
		b.Fatal(err)
	}
	mods, host := testModules(b, "--banks", dir, "--finance=false", "--default-rules=false")
	matches := func(d detect.Detector, hash string) {
		sigs, err := d.Detect(ctx, &detect.Input{Post: &post.Post{ID: "p", Media: []post.Media{{PDQ: hash}}}})
		if err != nil || len(sigs) != 1 {
			b.Fatalf("the added hash matched %v, %v", sigs, err)
		}
	}
	b.Run("reload", func(b *testing.B) {
		// The folder holds the new hash already: each round rebuilds the
		// detector from it, as a reload does.
		h := randHash()
		if _, err := bk.Add(hashmatch.Entry{Value: h, Enabled: true}); err != nil {
			b.Fatal(err)
		}
		if err := st.Save(ctx, bk); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			pipe, err := mods.Build(ctx, host)
			if err != nil {
				b.Fatal(err)
			}
			matches(pipe.Detectors()[0], h)
		}
	})
	b.Run("save", func(b *testing.B) {
		for b.Loop() {
			if err := st.Save(ctx, bk); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("incremental", func(b *testing.B) {
		d := hashmatch.NewDetector(hashmatch.NewMatcher(bk), "")
		for b.Loop() {
			h := randHash()
			if _, err := bk.Add(hashmatch.Entry{Value: h, Enabled: true}); err != nil {
				b.Fatal(err)
			}
			matches(d, h)
		}
	})
}
