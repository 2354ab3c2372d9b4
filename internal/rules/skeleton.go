package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
)

// Skeleton matching. The transliteration of an Arabizi word is one best
// guess and often wrong on short vowels (jihad → جيهاد, not جهاد). So an
// Arabic-script rule word also goes in the trie under its consonant
// skeleton (arabic.ConsonantSkeleton: جهاد → جهد), as one more symbol
// that only Arabizi tokens (Token.Translit set) look up: Arabic-script and
// French or English tokens pay nothing, and the cost stays flat in the
// number of rules. A skeleton is coarser than a word, so only skeletons of
// at least minSkeletonLetters letters go in: shorter ones name too many
// words (docs/rules.md, BENCHMARKS.md "## Rules"). Only the terms of rules
// that are loose (`arabizi:`, Rule.Loose) get skeleton paths; a rule that
// is exact has terms of its own without them (compile.go).

// minSkeletonLetters is the shortest skeleton, in letters, that a rule
// word is put in the trie under. A variable so the recall test can measure
// other lengths (0 turns skeleton matching off).
var minSkeletonLetters = 3

// maxSkeletonBytes bounds the skeletons put in the trie (16 Arabic
// letters), so a longer token skeleton is turned away without a lookup.
const maxSkeletonBytes = 32

// skeletonOf returns the skeleton rule word w goes in the trie under, or
// "": none when the skeleton is too short, or when w ends in a vowel
// letter, whose loss would merge grammatical forms the rules tell apart
// (the imperative اضربوا with the noun اضراب, شاهدوا with شهيد).
func skeletonOf(w string) string {
	if minSkeletonLetters <= 0 || w == "" {
		return ""
	}
	last, _ := utf8.DecodeLastRuneInString(w)
	switch last {
	case 'ا', 'و', 'ي', 'ى':
		return ""
	}
	sk := arabic.ConsonantSkeleton(w)
	if utf8.RuneCountInString(sk) < minSkeletonLetters || len(sk) > maxSkeletonBytes {
		return ""
	}
	return sk
}

// isArabicWord reports whether folded word w is written in Arabic letters
// (its first letter is in U+0600..U+06FF).
func isArabicWord(w string) bool {
	return w != "" && (w[0] == 0xD8 || w[0] == 0xD9 || w[0] == 0xDA || w[0] == 0xDB)
}

// skeletonSyms appends the skeleton symbols of an Arabizi token: the
// skeleton of its transliteration tr (matching a rule word's skeleton) and
// of tr without clitics b (matching also a rule word's clitic-stripped
// skeleton), as for words. The skeletons are built in a stack buffer: this
// runs for every Arabizi token of every post.
func (s *Set) skeletonSyms(dst []int32, start int, tr, b string) []int32 {
	// A skeleton of n letters needs a word of at least 2n bytes (Arabic
	// letters are two): most Darija words (wach, chi, f, ana) are shorter
	// and cost one comparison.
	if len(tr) < 2*minSkeletonLetters {
		return dst
	}
	var buf [64]byte
	if p, ok := s.skelLookup(appendSkeleton(buf[:0], tr)); ok && p.exact >= 0 && !contains(dst[start:], p.exact) {
		dst = append(dst, p.exact)
	}
	// Without clitics, only when what was stripped ends in the article
	// (l, el, bel: ل ال بال …), and only a rule word's clitic-stripped
	// skeleton: other clitic letters of a transliteration are often root
	// letters (fasad → فاساد → اساد), so ljihad meets الجهاد but fasad
	// never meets الاسود.
	if b == tr || !strings.HasSuffix(tr[:len(tr)-len(b)], "ل") {
		return dst
	}
	if p, ok := s.skelLookup(appendSkeleton(buf[:0], b)); ok && p.base >= 0 && !contains(dst[start:], p.base) {
		dst = append(dst, p.base)
	}
	return dst
}

// skelLookup returns the symbols of skeleton sk, or ok=false.
func (s *Set) skelLookup(sk []byte) (symPair, bool) {
	if len(sk) == 0 || len(sk) > maxSkeletonBytes || !s.filter.has(string(sk)) {
		return symPair{}, false
	}
	p, ok := s.skels[string(sk)]
	return p, ok
}

// appendSkeleton appends arabic.ConsonantSkeleton(w) to dst for a valid
// UTF-8 w, without allocating and byte by byte: the letters it drops are
// two bytes each, and 0xD8/0xD9 are never continuation bytes
// (TestAppendSkeletonMatchesArabic and FuzzAppendSkeleton keep the two the
// same).
func appendSkeleton(dst []byte, w string) []byte {
	if w == "" {
		return dst
	}
	_, n := utf8.DecodeRuneInString(w)
	dst = append(dst, w[:n]...)
	rest := w[n:]
	if len(rest) >= 2 && rest[len(rest)-2] == 0xD9 && rest[len(rest)-1] == 0x87 { // ه
		rest = rest[:len(rest)-2]
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if i+1 < len(rest) {
			switch {
			case c == 0xD8 && (rest[i+1] == 0xA7 || rest[i+1] == 0xA1), // ا ء
				c == 0xD9 && (rest[i+1] == 0x88 || rest[i+1] == 0x8A || rest[i+1] == 0x89): // و ي ى
				i++
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}
