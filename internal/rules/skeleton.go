package rules

import (
	"slices"
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

// foldEmphatics makes plain skeletons fold the emphatic letters to the
// plain ones Arabizi writes for them (arabic.FoldEmphatics: ض→د, ط→ت,
// ص→س, ح→ه …), as call keys always do. Off: on DODa it finds 6 more of
// the pack's 90 Arabizi spellings but lets 103 more spellings of other
// words meet a pack word (BENCHMARKS.md). A variable so the recall test
// can measure it.
var foldEmphatics = false

// skeletonOf returns the skeleton rule word w goes in the trie under, or
// "": none when the skeleton is too short, or when w ends in a vowel
// letter, whose loss would merge grammatical forms the rules tell apart
// (the imperative اضربوا with the noun اضراب, شاهدوا with شهيد): such
// words get call keys instead (callKeysOf).
func skeletonOf(w string) string {
	if minSkeletonLetters <= 0 || w == "" {
		return ""
	}
	last, _ := utf8.DecodeLastRuneInString(w)
	switch last {
	case 'ا', 'و', 'ي', 'ى':
		return ""
	}
	sk := refSkeleton(w, false)
	if utf8.RuneCountInString(sk) < minSkeletonLetters || len(sk) > maxSkeletonBytes {
		return ""
	}
	return sk
}

// refSkeleton is the skeleton of w as the trie keys it: the consonant
// skeleton, with the emphatics folded when foldEmphatics is set. The stem
// of a call key (call) always folds them and keeps a final ه, a root
// letter there (دبه of dbeho, ذبحوا), not the ة a skeleton drops.
// appendSkeleton computes the same without allocating.
func refSkeleton(w string, call bool) string {
	var sk string
	if call && strings.HasSuffix(w, "ه") {
		sk = arabic.ConsonantSkeleton(w + "ب")
		sk = sk[:len(sk)-len("ب")]
	} else {
		sk = arabic.ConsonantSkeleton(w)
	}
	if call || foldEmphatics {
		sk = arabic.FoldEmphatics(sk)
	}
	return sk
}

// Call keys. Calls are plural imperatives (انضموا, قاتلوا, سيروا), and
// Darija writes them, and its past and present plurals, with a final o/ou
// (ndmo, 9atlo, siro, tla7qo): a final vowel that the consonant skeleton
// drops, which is why words ending in a vowel letter get no skeleton. A
// call key keeps that ending: the skeleton of the word without its final
// و/وا or ي, and without the initial ا of an imperative (انضموا →
// نضم, like Darija's ndmo), followed by the ending letter (انضموا →
// ندمو with emphatics folded, ndmo → ندمو → ندمو). The ending keeps the
// imperative اضربوا (دربو) apart from the noun اضراب (درب), and a key
// never equals a plain skeleton (a skeleton has no vowel letter after its
// first). A verb of form VIII (التحق, اجتمع) is also keyed with its first
// two letters swapped, as Darija says it (tla7qo → تلاحقو, tjm3o).

// useCallKeys turns call keys on; a variable so the recall test can
// measure without them.
var useCallKeys = true

// callKeysOf returns the call keys rule word w goes in the trie under
// (none, one, or two for form VIII).
func callKeysOf(w string) []string {
	if !useCallKeys || minSkeletonLetters <= 0 || w == "" {
		return nil
	}
	var keys []string
	var buf [64]byte
	if k := appendCallKey(buf[:0], w, false); len(k) > 0 {
		keys = append(keys, string(k))
	}
	if k := appendCallKey(buf[:0], w, true); len(k) > 0 && !slices.Contains(keys, string(k)) {
		keys = append(keys, string(k))
	}
	return keys
}

// appendCallKey appends the call key of folded word w to dst, or nothing
// when w has none (no vowel ending, or a key shorter than
// minSkeletonLetters letters); swap keys the form VIII reading اCتCC… as
// تCCC…, and appends nothing for a word not of that shape.
func appendCallKey(dst []byte, w string, swap bool) []byte {
	var end string
	switch {
	case strings.HasSuffix(w, "وا"):
		end, w = "و", w[:len(w)-len("وا")]
	case strings.HasSuffix(w, "و"):
		end, w = "و", w[:len(w)-len("و")]
	case strings.HasSuffix(w, "ي"):
		end, w = "ي", w[:len(w)-len("ي")]
	default:
		return dst
	}
	alif := strings.HasPrefix(w, "ا") && len(w) > len("ا")
	if alif {
		w = w[len("ا"):]
	}
	n := len(dst)
	if swap {
		// اCتCC…: C is one two-byte Arabic letter, then ت, then two
		// letters or more (اقتلوا, whose ت is a root letter, is not swapped).
		if !alif || len(w) < 8 || !isArabicWord(w) || w[2:4] != "ت" {
			return dst
		}
		var sw [maxSkeletonBytes + 8]byte
		if len(w) > len(sw) {
			return dst
		}
		b := append(append(append(sw[:0], "ت"...), w[:2]...), w[4:]...)
		dst = appendSkeleton(dst, string(b), true)
	} else {
		dst = appendSkeleton(dst, w, true)
	}
	if utf8.RuneCount(dst[n:])+1 < minSkeletonLetters || len(dst)-n+len(end) > maxSkeletonBytes {
		return dst[:n]
	}
	return append(dst, end...)
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
	if p, ok := s.skelLookup(appendSkeleton(buf[:0], tr, false)); ok && p.exact >= 0 && !contains(dst[start:], p.exact) {
		dst = append(dst, p.exact)
	}
	// Without clitics, only when what was stripped ends in the article
	// (l, el, bel: ل ال بال …), and only a rule word's clitic-stripped
	// skeleton: other clitic letters of a transliteration are often root
	// letters (fasad → فاساد → اساد), so ljihad meets الجهاد but fasad
	// never meets الاسود.
	if p, ok := s.skelLookup(appendCallKey(buf[:0], tr, false)); ok && p.exact >= 0 && !contains(dst[start:], p.exact) {
		dst = append(dst, p.exact)
	}
	if b == tr || !strings.HasSuffix(tr[:len(tr)-len(b)], "ل") {
		return dst
	}
	if p, ok := s.skelLookup(appendSkeleton(buf[:0], b, false)); ok && p.base >= 0 && !contains(dst[start:], p.base) {
		dst = append(dst, p.base)
	}
	if p, ok := s.skelLookup(appendCallKey(buf[:0], b, false)); ok && p.base >= 0 && !contains(dst[start:], p.base) {
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

// appendSkeleton appends refSkeleton(w, call) to dst for a valid UTF-8 w,
// without allocating and byte by byte: the letters it drops or folds are
// two bytes each, and 0xD8/0xD9 are never continuation bytes
// (TestAppendSkeletonMatchesArabic and FuzzAppendSkeleton keep the two the
// same).
func appendSkeleton(dst []byte, w string, call bool) []byte {
	if w == "" {
		return dst
	}
	fold := call || foldEmphatics
	_, n := utf8.DecodeRuneInString(w)
	if n == 2 {
		dst = appendFolded(dst, w[0], w[1], fold)
	} else {
		dst = append(dst, w[:n]...)
	}
	rest := w[n:]
	if !call && len(rest) >= 2 && rest[len(rest)-2] == 0xD9 && rest[len(rest)-1] == 0x87 { // ه
		rest = rest[:len(rest)-2]
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if i+1 < len(rest) && (c == 0xD8 || c == 0xD9) {
			switch {
			case c == 0xD8 && (rest[i+1] == 0xA7 || rest[i+1] == 0xA1), // ا ء
				c == 0xD9 && (rest[i+1] == 0x88 || rest[i+1] == 0x8A || rest[i+1] == 0x89): // و ي ى
			default:
				dst = appendFolded(dst, c, rest[i+1], fold)
			}
			i++
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// appendFolded appends the two-byte letter c0 c1, folded as by
// arabic.FoldEmphatics when fold is set.
func appendFolded(dst []byte, c0, c1 byte, fold bool) []byte {
	if fold && c0 == 0xD8 {
		switch c1 {
		case 0xB6, 0xB0, 0xB8: // ض ذ ظ → د
			c1 = 0xAF
		case 0xB7, 0xAB: // ط ث → ت
			c1 = 0xAA
		case 0xB5: // ص → س
			c1 = 0xB3
		case 0xAD: // ح → ه
			c0, c1 = 0xD9, 0x87
		}
	}
	return append(dst, c0, c1)
}
