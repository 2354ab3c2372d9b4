package rules

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
)

// Regular expressions run on the post text folded character by character
// (lower case; diacritics, tatweel and invisible characters removed;
// letter variants and presentation forms unified; runs of three or more
// equal letters collapsed to one, as arabic.Fold does) with punctuation and
// spacing kept, so that URLs, handles and wallet addresses stay intact. Each
// output byte remembers the original offset it came from, for evidence.

// foldRanges are the blocks whose characters are folded from a table
// indexed by code point (built once): Latin-1 and Latin Extended, Arabic,
// Arabic Supplement, general punctuation and invisible characters, Arabic
// presentation forms, fullwidth forms. Anything else calls arabic.Fold.
var foldRanges = [][2]rune{{0x80, 0x24F}, {0x0600, 0x06FF}, {0x0750, 0x077F}, {0x2000, 0x206F}, {0xFB50, 0xFDFF}, {0xFE70, 0xFEFF}, {0xFF00, 0xFFEF}}

var (
	runeFoldOnce  sync.Once
	runeFoldTable [][]string // per range, per code point
)

// foldRune folds one character as arabic.Fold would.
func foldRune(r rune) string {
	runeFoldOnce.Do(func() {
		runeFoldTable = make([][]string, len(foldRanges))
		for i, rg := range foldRanges {
			t := make([]string, rg[1]-rg[0]+1)
			for c := rg[0]; c <= rg[1]; c++ {
				t[c-rg[0]] = foldOne(c)
			}
			runeFoldTable[i] = t
		}
	})
	for i, rg := range foldRanges {
		if r < rg[0] {
			break
		}
		if r <= rg[1] {
			return runeFoldTable[i][r-rg[0]]
		}
	}
	return foldOne(r)
}

// foldOne folds a single character. arabic.Fold drops punctuation and
// spaces (it returns words); regexes need them, so they are kept here, with
// every kind of space written as a plain one.
func foldOne(r rune) string {
	if f := arabic.Fold(string(r)); f != "" {
		return f
	}
	switch {
	case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
		return " "
	case unicode.IsPunct(r) || unicode.IsSymbol(r):
		return string(r)
	}
	return "" // invisible controls, marks, tatweel
}

// regexText builds the text regexes run on and, for each of its bytes, the
// offset in the original text it came from (plus one final entry for the
// end of the text).
func regexText(orig string, buf []byte, offs []int32) ([]byte, []int32) {
	buf = buf[:0]
	offs = offs[:0]
	var last rune // last letter written
	run := 0      // how many times in a row it was seen
	emit := func(o rune, at int) {
		if isLetter(o) {
			if o == last {
				run++
				switch {
				case run == 3:
					// Elongation: take back the second copy, as Fold keeps one.
					n := utf8.RuneLen(o)
					buf = buf[:len(buf)-n]
					offs = offs[:len(offs)-n]
					return
				case run > 3:
					return
				}
			} else {
				last, run = o, 1
			}
		} else {
			last, run = 0, 0
		}
		n := len(buf)
		buf = utf8.AppendRune(buf, o)
		for range len(buf) - n {
			offs = append(offs, int32(at))
		}
	}
	for i := 0; i < len(orig); {
		r, n := rune(orig[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(orig[i:])
		}
		at := i
		i += n
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			emit(r, at)
			continue
		}
		f := foldRune(r)
		if len(f) == n && f == orig[at:i] && !isLetter(r) {
			// Kept as it is and cannot be elongation: copy the bytes.
			last, run = 0, 0
			buf = append(buf, f...)
			for range len(f) {
				offs = append(offs, int32(at))
			}
			continue
		}
		for _, o := range f {
			emit(o, at)
		}
	}
	offs = append(offs, int32(len(orig)))
	return buf, offs
}

// isLetter is unicode.IsLetter with the common cases first.
func isLetter(r rune) bool {
	switch {
	case r < 0x80:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	case r >= 0x0621 && r <= 0x064A:
		return true
	}
	return unicode.IsLetter(r)
}
