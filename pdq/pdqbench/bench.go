// Package pdqbench measures the PDQ index on a synthetic bank of random
// hashes, to size a deployment: build time, lookups per second, memory per
// hash and recall against a brute-force scan (`basira bank bench`).
package pdqbench

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/basira-org/basira/pdq"
)

// Options size the measurement.
type Options struct {
	Size    int    // random hashes in the index
	Queries int    // lookups timed
	Radius  int    // Hamming radius of the lookups
	Check   int    // queries compared with a brute-force scan
	Seed    uint64 // random seed
	// Progress, when set, is told before the index is built.
	Progress func(msg string)
}

// Validate reports options the index cannot take.
func (o Options) Validate() error {
	if o.Size < 1 || o.Size > pdq.MaxLen {
		return fmt.Errorf("--size must be 1 to %d", pdq.MaxLen)
	}
	if o.Queries < 1 || o.Radius < 0 || o.Radius > 255 {
		return fmt.Errorf("--queries must be positive and --radius 0-255")
	}
	return nil
}

// Run builds the index, times the lookups and checks recall. The result
// is the JSON object `bank bench` prints; lookups_per_cpu_second is left
// out where CPU time cannot be measured. A recall below 1 is returned
// with an error (a bug in the index).
func Run(ctx context.Context, o Options) (map[string]any, error) {
	r := rand.New(rand.NewPCG(o.Seed, 99))
	before := heap()
	hs, qs := hashes(r, o)
	if o.Progress != nil {
		o.Progress(fmt.Sprintf("building an index of %d hashes…", o.Size))
	}
	start := time.Now()
	x := pdq.NewIndex()
	if _, err := x.AddAll(hs); err != nil {
		return nil, err
	}
	build := time.Since(start)
	// The generated hashes (hs) stay alive for the brute-force check.
	held := heap() - before - uint64(len(qs)+len(hs))*32
	found, elapsed, cpu, cpuOK, err := timeLookups(ctx, x, qs, o.Radius)
	if err != nil {
		return nil, err
	}
	recall, err := checkRecall(x, hs, qs[:min(o.Check, len(qs))], o.Radius)
	if err != nil {
		return nil, err
	}
	runtime.KeepAlive(hs)
	out := map[string]any{
		"size":                 o.Size,
		"radius":               o.Radius,
		"queries":              o.Queries,
		"build_seconds":        round(build.Seconds()),
		"lookups_per_second":   int(float64(o.Queries) / elapsed.Seconds()),
		"mean_lookup_micros":   round(float64(elapsed.Microseconds()) / float64(o.Queries)),
		"matches_found":        found,
		"checked_queries":      min(o.Check, len(qs)),
		"recall_vs_bruteforce": recall,
		"index_heap_mb":        round(float64(held) / 1e6),
		"bytes_per_hash":       round(float64(held) / float64(o.Size)),
	}
	if cpuOK && cpu > 0 {
		// Wall time counts waiting for a core on a busy machine; CPU time
		// does not.
		out["lookups_per_cpu_second"] = int(float64(o.Queries) / cpu.Seconds())
	}
	if recall != 1 {
		return out, fmt.Errorf("recall %.6f: the index missed matches a brute-force scan finds (a bug: please report it)", recall)
	}
	return out, nil
}

// hashes draws the bank and the queries: half random, half a stored hash
// with a few bits flipped, so lookups both miss and hit.
func hashes(r *rand.Rand, o Options) (hs, qs []pdq.Hash) {
	randomHash := func() pdq.Hash { return pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()} }
	hs = make([]pdq.Hash, o.Size)
	for i := range hs {
		hs[i] = randomHash()
	}
	qs = make([]pdq.Hash, o.Queries)
	for i := range qs {
		if i%2 == 0 {
			qs[i] = randomHash()
			continue
		}
		q := hs[r.IntN(len(hs))]
		for _, b := range r.Perm(256)[:r.IntN(max(1, o.Radius))] {
			q[b>>6] ^= 1 << (b & 63)
		}
		qs[i] = q
	}
	return hs, qs
}

func timeLookups(ctx context.Context, x *pdq.Index, qs []pdq.Hash, radius int) (found int, elapsed, cpu time.Duration, cpuOK bool, err error) {
	var dst []pdq.Match
	cpu0, cpuOK := processCPU()
	start := time.Now()
	for i, q := range qs {
		dst = x.Query(q, radius, dst[:0])
		found += len(dst)
		if i%1000 == 999 && ctx.Err() != nil {
			return 0, 0, 0, false, ctx.Err()
		}
	}
	elapsed = time.Since(start)
	cpu1, _ := processCPU()
	return found, elapsed, cpu1 - cpu0, cpuOK, nil
}

// checkRecall compares the index's answers with a brute-force scan of
// every stored hash.
func checkRecall(x *pdq.Index, hs, qs []pdq.Hash, radius int) (float64, error) {
	want, got := 0, 0
	for _, q := range qs {
		res := x.Query(q, radius, nil)
		ids := map[uint32]bool{}
		for _, m := range res {
			if ids[m.ID] {
				return 0, fmt.Errorf("the index returned hash %d twice (a bug: please report it)", m.ID)
			}
			ids[m.ID] = true
		}
		brute := 0
		for id, h := range hs {
			d := bits.OnesCount64(h[0]^q[0]) + bits.OnesCount64(h[1]^q[1]) + bits.OnesCount64(h[2]^q[2]) + bits.OnesCount64(h[3]^q[3])
			if d <= radius {
				brute++
				if ids[uint32(id)] {
					got++
				}
			}
		}
		want += brute
		if len(res) != brute {
			return 0, fmt.Errorf("the index returned %d hashes where a brute-force scan finds %d (a bug: please report it)", len(res), brute)
		}
	}
	if want == 0 {
		return 1, nil
	}
	return float64(got) / float64(want), nil
}

func round(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
