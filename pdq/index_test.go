package pdq

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func randomHash(r *rand.Rand) Hash {
	return Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
}

// flip returns h with n distinct random bits flipped.
func flip(r *rand.Rand, h Hash, n int) Hash {
	for _, b := range r.Perm(256)[:n] {
		h[b>>6] ^= 1 << (b & 63)
	}
	return h
}

func bruteForce(hs []Hash, alive func(int) bool, q Hash, radius int) []Match {
	var out []Match
	for id, h := range hs {
		if d := Distance(h, q); d <= radius && alive(id) {
			out = append(out, Match{ID: uint32(id), Distance: d})
		}
	}
	return out
}

func sortMatches(m []Match) []Match {
	slices.SortFunc(m, func(a, b Match) int { return int(a.ID) - int(b.ID) })
	return m
}

// TestIndexRecall checks that the index returns exactly what a brute-force
// scan returns, on random data and on clustered data (many near-duplicates
// around a few centres, where most candidates are real matches), at
// several radii, before and after removals and re-additions.
func TestIndexRecall(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type dataset struct {
		name    string
		hashes  []Hash
		queries []Hash
	}
	var sets []dataset
	{ // random
		var d dataset
		d.name = "random"
		for range 20000 {
			d.hashes = append(d.hashes, randomHash(r))
		}
		for i := range 200 {
			if i%2 == 0 {
				d.queries = append(d.queries, flip(r, d.hashes[r.IntN(len(d.hashes))], r.IntN(60)))
			} else {
				d.queries = append(d.queries, randomHash(r))
			}
		}
		sets = append(sets, d)
	}
	{ // clustered: 50 centres, 400 variants each at 0-48 bits
		var d dataset
		d.name = "clustered"
		var centres []Hash
		for range 50 {
			centres = append(centres, randomHash(r))
		}
		for range 20000 {
			d.hashes = append(d.hashes, flip(r, centres[r.IntN(len(centres))], r.IntN(49)))
		}
		for range 200 {
			d.queries = append(d.queries, flip(r, centres[r.IntN(len(centres))], r.IntN(40)))
		}
		sets = append(sets, d)
	}
	for _, d := range sets {
		t.Run(d.name, func(t *testing.T) {
			x := NewIndex()
			// Half by bulk load, half one at a time.
			if _, err := x.AddAll(d.hashes[:len(d.hashes)/2]); err != nil {
				t.Fatal(err)
			}
			for _, h := range d.hashes[len(d.hashes)/2:] {
				if _, err := x.Add(h); err != nil {
					t.Fatal(err)
				}
			}
			stored := slices.Clone(d.hashes)
			alive := func(id int) bool { return x.Has(uint32(id)) }
			check := func(stage string) {
				total := 0
				for _, radius := range []int{0, 10, 31, 40, 63} {
					for _, q := range d.queries {
						got := sortMatches(x.Query(q, radius, nil))
						want := sortMatches(bruteForce(stored, alive, q, radius))
						total += len(want)
						if !slices.Equal(got, want) {
							t.Fatalf("%s, radius %d: index found %d, brute force %d", stage, radius, len(got), len(want))
						}
					}
				}
				if total == 0 {
					t.Fatalf("%s: no query matched anything; the test would not catch a missed match", stage)
				}
			}
			check("after adding")
			for i := 0; i < len(stored); i += 3 {
				if !x.Remove(uint32(i)) {
					t.Fatalf("Remove(%d) = false", i)
				}
			}
			if x.Remove(0) {
				t.Fatal("removing twice succeeded")
			}
			check("after removing a third")
			for range 500 {
				h := flip(r, d.queries[r.IntN(len(d.queries))], r.IntN(20))
				id, err := x.Add(h)
				if err != nil {
					t.Fatal(err)
				}
				stored[id] = h
			}
			check("after re-adding")
		})
	}
}

func TestIndexSmallIsFlat(t *testing.T) {
	x := NewIndex()
	r := rand.New(rand.NewPCG(3, 4))
	h := randomHash(r)
	id, _ := x.Add(h)
	if got := x.Query(flip(r, h, 31), 31, nil); len(got) != 1 || got[0].ID != id || got[0].Distance != 31 {
		t.Fatalf("got %v", got)
	}
	if got := x.Query(flip(r, h, 32), 31, nil); len(got) != 0 {
		t.Fatalf("distance 32 matched at radius 31: %v", got)
	}
	if x.Len() != 1 || x.tables != nil {
		t.Fatalf("Len %d, tables built %v", x.Len(), x.tables != nil)
	}
}

// TestIndexGrowth adds hashes one at a time (each insert re-encodes its
// buckets, ids past 2^19 need escape words in buckets' first entries) and
// checks the answers against brute force on the way.
func TestIndexGrowth(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x := NewIndex()
	var stored []Hash
	var queries []Hash
	check := func(stage string) {
		for _, q := range queries {
			got := sortMatches(x.Query(q, DefaultRadius, nil))
			want := sortMatches(bruteForce(stored, func(int) bool { return true }, q, DefaultRadius))
			if !slices.Equal(got, want) || len(want) == 0 {
				t.Fatalf("%s: index found %d, brute force %d", stage, len(got), len(want))
			}
		}
	}
	for i := range 70000 {
		if i == 20000 {
			// Remove a few so that Add reuses ids in the middle of buckets.
			for id := uint32(5); id < 20000; id += 997 {
				x.Remove(id)
				stored[id] = Hash{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)} // never matched
			}
		}
		h := randomHash(r)
		id, err := x.Add(h)
		if err != nil {
			t.Fatal(err)
		}
		if int(id) < len(stored) {
			stored[id] = h // a reused id
		} else {
			stored = append(stored, h)
		}
		if i%1000 == 0 {
			queries = append(queries, flip(r, h, r.IntN(31)))
		}
		if i == 65535 {
			check("at 65,536")
		}
	}
	check("after growing")
}

// AddAll gives consecutive ids even after removals, and a second bulk
// load into a built index answers like brute force.
func TestIndexAddAllAfterRemove(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var hs []Hash
	for range 10000 {
		hs = append(hs, randomHash(r))
	}
	x := NewIndex()
	if _, err := x.AddAll(hs); err != nil {
		t.Fatal(err)
	}
	x.Remove(3)
	x.Remove(7)
	more := make([]Hash, 12000)
	for i := range more {
		more[i] = flip(r, hs[r.IntN(len(hs))], r.IntN(20))
	}
	first, err := x.AddAll(more)
	if err != nil || first != 10000 {
		t.Fatalf("AddAll after removals: first id %d, %v; want 10000", first, err)
	}
	all := append(slices.Clone(hs), more...)
	for i, h := range more[:200] {
		got := sortMatches(x.Query(h, DefaultRadius, nil))
		want := sortMatches(bruteForce(all, func(id int) bool { return x.Has(uint32(id)) }, h, DefaultRadius))
		if !slices.Equal(got, want) {
			t.Fatalf("query %d: index %d, brute force %d", i, len(got), len(want))
		}
		if !x.Has(first+uint32(i)) || x.Hash(first+uint32(i)) != h {
			t.Fatalf("id %d does not hold the %d-th added hash", first+uint32(i), i)
		}
	}
}
