// Package pdq computes Meta's PDQ perceptual image hash in pure Go: a 256-bit
// hash and a 0-100 quality score, compatible with the C++ reference
// implementation, plus the hashes of the 8 dihedral transforms (rotations
// and flips) and a Hamming-distance index for matching against millions of
// hashes.
//
// Hashes are written as 64 lowercase hexadecimal characters, in the order
// the reference prints them. Two hashes match when their Hamming distance
// is at most 31 (DefaultRadius); hashes with quality below 50 are usually
// discarded as too flat to be meaningful (MinQuality).
package pdq

import (
	"encoding/hex"
	"fmt"
	"math/bits"
	"strings"
)

// DefaultRadius is the usual match threshold: two PDQ hashes within this
// Hamming distance are taken as the same picture.
const DefaultRadius = 31

// MinQuality is the quality below which a hash is usually discarded.
const MinQuality = 50

// Hash is a 256-bit PDQ hash. Word 0 holds the first 16 hexadecimal
// characters of the reference's text form, word 3 the last 16.
type Hash [4]uint64

// String returns the 64 lowercase hexadecimal characters of h.
func (h Hash) String() string {
	var b [32]byte
	for i, w := range h {
		for k := range 8 {
			b[i*8+k] = byte(w >> (56 - 8*k))
		}
	}
	return hex.EncodeToString(b[:])
}

// ParseHash reads a hash written as 64 hexadecimal characters (either case,
// surrounding spaces ignored).
func ParseHash(s string) (Hash, error) {
	s = strings.TrimSpace(s)
	if len(s) != 64 {
		return Hash{}, fmt.Errorf("pdq hash %q: want 64 hexadecimal characters, got %d", clip(s), len(s))
	}
	var b [32]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return Hash{}, fmt.Errorf("pdq hash %q: not hexadecimal", clip(s))
	}
	var h Hash
	for i := range h {
		for k := range 8 {
			h[i] = h[i]<<8 | uint64(b[i*8+k])
		}
	}
	return h, nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Distance returns the Hamming distance between a and b (0-256).
func Distance(a, b Hash) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// setBit sets bit k of the hash as the reference numbers them: bit k is
// the k-th DCT coefficient in row-major order (i*16+j), stored in 16-bit
// word k/16, and words are printed from the last to the first.
func (h *Hash) setBit(k int) {
	q := k >> 4
	h[3-q>>2] |= 1 << ((q&3)*16 + k&15)
}

// Bit reports whether coefficient k (0-255, row-major over the 16x16 DCT
// block) is above the median.
func (h Hash) Bit(k int) bool {
	q := k >> 4
	return h[3-q>>2]>>((q&3)*16+k&15)&1 == 1
}
