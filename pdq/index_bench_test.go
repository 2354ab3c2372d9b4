package pdq

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"testing"
)

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIndexQuery: lookups at radius 31 on N random hashes, one core.
// Half the queries are random (the common case: no match), half are stored
// hashes with 0-30 bits flipped (one match each). It reports the heap held
// by the index (bytes/hash) and build time.
func BenchmarkIndexQuery(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if n > 1_000_000 && testing.Short() {
				b.Skip("10M hashes need 1 GB and a minute; skipped with -short")
			}
			r := rand.New(rand.NewPCG(7, 8))
			before := heapInUse()
			hs := make([]Hash, n)
			for i := range hs {
				hs[i] = randomHash(r)
			}
			queries := make([]Hash, 1024)
			for i := range queries {
				if i%2 == 0 {
					queries[i] = randomHash(r)
				} else {
					queries[i] = flip(r, hs[r.IntN(n)], r.IntN(31))
				}
			}
			c0 := cpuNow()
			x := NewIndex()
			if _, err := x.AddAll(hs); err != nil {
				b.Fatal(err)
			}
			build := cpuNow() - c0
			hs = nil
			held := heapInUse() - before - uint64(len(queries))*32
			var dst []Match
			i := 0
			c0 = cpuNow()
			for b.Loop() {
				dst = x.Query(queries[i&1023], DefaultRadius, dst[:0])
				i++
			}
			cpu := cpuNow() - c0
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "lookups/cpu-s")
			b.ReportMetric(float64(held)/float64(n), "heap-bytes/hash")
			b.ReportMetric(float64(held)/1e6, "heap-MB")
			b.ReportMetric(build.Seconds(), "build-cpu-s")
			runtime.KeepAlive(x)
		})
	}
}

// BenchmarkFlatScan8x1M is the reference's flat-scan figure: 8 query hashes
// against 1M stored hashes, every distance computed (ns/op is for all 8).
func BenchmarkFlatScan8x1M(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	hs := make([]Hash, 1_000_000)
	for i := range hs {
		hs[i] = randomHash(r)
	}
	var qs [8]Hash
	for i := range qs {
		qs[i] = randomHash(r)
	}
	var hits int
	c0 := cpuNow()
	for b.Loop() {
		hits += flatScan8(hs, &qs, DefaultRadius)
	}
	b.ReportMetric(float64(cpuNow()-c0)/float64(b.N)/1e6, "cpu-ms/op")
	runtime.KeepAlive(hits)
}

// flatScan8 counts stored hashes within radius of each of 8 queries,
// reading the stored hashes once.
func flatScan8(hs []Hash, qs *[8]Hash, radius int) int {
	n := 0
	for i := range hs {
		h := &hs[i]
		for k := range qs {
			q := &qs[k]
			d := bits.OnesCount64(h[0]^q[0]) + bits.OnesCount64(h[1]^q[1]) +
				bits.OnesCount64(h[2]^q[2]) + bits.OnesCount64(h[3]^q[3])
			if d <= radius {
				n++
			}
		}
	}
	return n
}

// BenchmarkIndexAdd: adding one hash to an index of 1M (one bucket per
// table is decoded, extended and re-encoded).
func BenchmarkIndexAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	hs := make([]Hash, 1_000_000)
	for i := range hs {
		hs[i] = randomHash(r)
	}
	x := NewIndex()
	if _, err := x.AddAll(hs); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.Add(randomHash(r)); err != nil {
			b.Fatal(err)
		}
	}
}
