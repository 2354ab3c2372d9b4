// Package textsig computes near-duplicate signatures of short texts (posts)
// and finds stored texts that a new one copies, even after the edits people
// make to slip past exact matching: evasion spellings (folded away by the
// arabic package), a few words moved, emojis, hashtags, links and mentions
// added or removed.
//
// A signature is a MinHash of the text's shingles: word unigrams and
// character 4-grams of the folded text, so that a changed word costs only
// the few shingles that contain it. The fraction of equal MinHash values of
// two signatures estimates the Jaccard similarity of their shingle sets;
// Index finds candidates by LSH banding and keeps those at or above a
// threshold. DefaultThreshold was chosen on a near-duplicate set built from
// Arabic tweets (docs/hashing.md).
package textsig

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/basira-org/basira/arabic"
)

// Size is the number of MinHash values in a signature.
const Size = 128

// Bands and Rows split a signature for LSH: two signatures become candidates
// when all Rows values of at least one band agree.
const (
	Bands = 32
	Rows  = Size / Bands
)

// DefaultThreshold is the estimated Jaccard similarity from which a text is
// taken as a near-duplicate of a stored one.
const DefaultThreshold = 0.5

// MinWords is the fewest words (after links, mentions and hashtags are
// removed) a text needs to get a signature: shorter texts match too much
// to be evidence.
const MinWords = 4

// Signature is a MinHash signature.
type Signature [Size]uint32

// ErrTooShort is returned for texts with fewer than MinWords words.
var ErrTooShort = errors.New("text too short for a near-duplicate signature")

var (
	// Compiled on first use rather than in every command's init.
	urlRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`) })
	mentionRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[@#][\p{L}\p{N}_\x{0640}]+`) })
)

// Clean removes what posts add or change without changing what they say:
// links, @mentions and #hashtags.
func Clean(text string) string {
	text = urlRe().ReplaceAllString(text, " ")
	return mentionRe().ReplaceAllString(text, " ")
}

// Shingles returns the distinct 64-bit hashes of the shingles of text:
// folded word unigrams and character 4-grams of the folded text.
func Shingles(text string) []uint64 {
	sh, _ := shingles(text)
	return sh
}

func shingles(text string) ([]uint64, int) {
	doc := arabic.Analyze(Clean(text))
	seen := make(map[uint64]struct{}, 2*len(doc.Tokens)+8)
	var out []uint64
	add := func(kind byte, s string) {
		h := fnv64(kind, s)
		if _, dup := seen[h]; !dup {
			seen[h] = struct{}{}
			out = append(out, h)
		}
	}
	for _, t := range doc.Tokens {
		add('w', t.Text)
	}
	rs := []rune(" " + doc.Folded + " ")
	for i := 0; i+4 <= len(rs); i++ {
		add('c', string(rs[i:i+4]))
	}
	return out, len(doc.Tokens)
}

// fnv64 is FNV-1a over a kind byte and s; stable across runs.
func fnv64(kind byte, s string) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is the splitmix64 finalizer: a good 64-bit permutation.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// salts are the per-function keys of the MinHash family. They are fixed so
// that signatures stay comparable across runs, machines and versions.
var salts = func() (s [Size]uint64) {
	for i := range s {
		s[i] = mix(uint64(i+1) * 0x9e3779b97f4a7c15)
	}
	return s
}()

// Of returns the signature of text, or ErrTooShort.
func Of(text string) (Signature, error) {
	sh, words := shingles(text)
	if words < MinWords {
		return Signature{}, ErrTooShort
	}
	return FromShingles(sh), nil
}

// FromShingles returns the MinHash signature of a shingle set.
func FromShingles(sh []uint64) Signature {
	var sig Signature
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	for _, x := range sh {
		for i, salt := range salts {
			if v := uint32(mix(x ^ salt)); v < sig[i] {
				sig[i] = v
			}
		}
	}
	return sig
}

// Similarity estimates the Jaccard similarity of the texts behind a and b
// (0-1).
func Similarity(a, b *Signature) float64 {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / Size
}

// String writes the signature as "mh1:" and 1,024 hexadecimal characters,
// a form banks can store and share without the text itself.
func (s *Signature) String() string {
	var b [Size * 4]byte
	for i, v := range s {
		binary.BigEndian.PutUint32(b[i*4:], v)
	}
	return "mh1:" + hex.EncodeToString(b[:])
}

// ParseSignature reads the form String writes.
func ParseSignature(s string) (Signature, error) {
	var sig Signature
	body, ok := strings.CutPrefix(strings.TrimSpace(s), "mh1:")
	if !ok || len(body) != Size*8 {
		return sig, fmt.Errorf("text signature: want \"mh1:\" and %d hexadecimal characters", Size*8)
	}
	b, err := hex.DecodeString(body)
	if err != nil {
		return sig, fmt.Errorf("text signature: not hexadecimal")
	}
	for i := range sig {
		sig[i] = binary.BigEndian.Uint32(b[i*4:])
	}
	return sig, nil
}
