package pdq

import (
	"math/bits"
	"math/rand/v2"
	"runtime"
	"testing"
)

func flatScan8Hoist(hs []Hash, qs *[8]Hash, radius int) int {
	n := 0
	for i := range hs {
		h0, h1, h2, h3 := hs[i][0], hs[i][1], hs[i][2], hs[i][3]
		for k := range qs {
			q := &qs[k]
			d := bits.OnesCount64(h0^q[0]) + bits.OnesCount64(h1^q[1]) +
				bits.OnesCount64(h2^q[2]) + bits.OnesCount64(h3^q[3])
			if d <= radius {
				n++
			}
		}
	}
	return n
}

// blocked: per block of stored hashes that fits L1, one query at a time
// with its words in registers, 2 stored hashes per iteration.
func flatScan8Blocked(hs []Hash, qs *[8]Hash, radius int) int {
	n := 0
	const block = 512
	for s := 0; s < len(hs); s += block {
		blk := hs[s:min(s+block, len(hs))]
		for k := range qs {
			q0, q1, q2, q3 := qs[k][0], qs[k][1], qs[k][2], qs[k][3]
			i := 0
			for ; i+1 < len(blk); i += 2 {
				a, b := &blk[i], &blk[i+1]
				da := bits.OnesCount64(a[0]^q0) + bits.OnesCount64(a[1]^q1) + bits.OnesCount64(a[2]^q2) + bits.OnesCount64(a[3]^q3)
				db := bits.OnesCount64(b[0]^q0) + bits.OnesCount64(b[1]^q1) + bits.OnesCount64(b[2]^q2) + bits.OnesCount64(b[3]^q3)
				if da <= radius {
					n++
				}
				if db <= radius {
					n++
				}
			}
			for ; i < len(blk); i++ {
				a := &blk[i]
				if bits.OnesCount64(a[0]^q0)+bits.OnesCount64(a[1]^q1)+bits.OnesCount64(a[2]^q2)+bits.OnesCount64(a[3]^q3) <= radius {
					n++
				}
			}
		}
	}
	return n
}

func BenchmarkFlatVariants(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	hs := make([]Hash, 1_000_000)
	for i := range hs {
		hs[i] = randomHash(r)
	}
	var qs [8]Hash
	for i := range qs {
		qs[i] = randomHash(r)
	}
	qs[3] = hs[77]
	for _, v := range []struct {
		name string
		f    func([]Hash, *[8]Hash, int) int
	}{{"plain", flatScan8}, {"hoist", flatScan8Hoist}, {"blocked", flatScan8Blocked}} {
		b.Run(v.name, func(b *testing.B) {
			var hits int
			c0 := cpuNow()
			for b.Loop() {
				hits += v.f(hs, &qs, DefaultRadius)
			}
			b.ReportMetric(float64(cpuNow()-c0)/float64(b.N)/1e6, "cpu-ms/op")
			runtime.KeepAlive(hits)
		})
	}
}
