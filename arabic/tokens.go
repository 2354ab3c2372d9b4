package arabic

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// span is a token under construction: offsets in the original text and in
// the folded buffer.
type span struct {
	start, end int // original text
	ts, te     int // folded buffer
	flags      uint8
	// lt and tt: a tatweel right before or after the word (قـ ـمـ ـار: a
	// word deliberately split with tatweel).
	lt, tt bool
	// base is 1 + the byte length of the proclitics StripClitics removes,
	// once known (0: not computed yet).
	base int
}

// scanner folds and splits a text in one pass. Scanners are pooled: the
// buffers are reused from post to post, so Analyze allocates only its
// results.
type scanner struct {
	buf    []byte
	spans  []span
	rejoin bool       // a run of >= 3 single letters was seen
	feats  []uint32   // language-ID feature hashes (reused)
	marker bool       // features saw a Darija marker word
	words  *wordCache // language-ID sums per word spelling (see score2)
}

var scanners = sync.Pool{New: func() any { return &scanner{buf: make([]byte, 0, 512), spans: make([]span, 0, 64)} }}

// wordState tracks elongation inside one word.
type wordState struct {
	last      rune
	runLen    int
	secondPos int  // buffer position of the second copy in a run
	before    rune // rune before the current run
	prev      rune
}

func (s *scanner) reset() {
	s.buf = s.buf[:0]
	s.spans = s.spans[:0]
	s.rejoin = false
}

// scan folds text into s.buf (tokens separated by single spaces) and
// records the tokens in s.spans.
func (s *scanner) scan(text string) {
	t := defFold()
	singles := 0 // consecutive single-letter tokens at the tail
	i := 0
	for i < len(text) {
		c := text[i]
		var e rinfo
		n := 1
		if c < utf8.RuneSelf {
			e = t.ascii[c]
		} else {
			var r rune
			r, n = decodeRune(text, i)
			e = t.lookup(r)
		}
		switch e.kind {
		case kKeep, kDrop:
			before := len(s.spans)
			if c >= utf8.RuneSelf {
				// ة and ى end a word: a word glued after them
				// (الدولةالاسلامية, علىالارض) is a word of its own.
				for _, b := range finalLetterBreaks(text, i) {
					i = s.word(t, text[:b], i)
				}
			}
			if i > 0 && text[i-1] == '#' {
				// A CamelCase Latin hashtag is several words
				// (#RemainingAndExpanding): each part is a token with its
				// own span.
				for _, b := range camelBreaks(text, i) {
					i = s.word(t, text[:b], i)
				}
			}
			i = s.word(t, text, i)
			if len(s.spans) > before {
				// Single letters are one or two bytes: most words are
				// ruled out without the call.
				if sp := &s.spans[len(s.spans)-1]; sp.te-sp.ts <= 2 && isSingle(s, len(s.spans)-1) {
					singles++
					if singles >= 3 {
						s.rejoin = true
					}
				} else {
					singles = 0
				}
			}
		case kSplit:
			for _, w := range strings.Fields(e.out) {
				s.addText(i, i+n, w)
			}
			singles = 0
			i += n
		default:
			i += n
		}
	}
	if s.rejoin {
		s.rejoinLetters(text)
	}
}

// addText appends a token whose folded form is given (expansions of
// ligatures such as ﷺ, which cover several words).
func (s *scanner) addText(start, end int, w string) {
	if len(s.buf) > 0 {
		s.buf = append(s.buf, ' ')
	}
	ts := len(s.buf)
	s.buf = append(s.buf, w...)
	var fl uint8
	r, _ := utf8.DecodeRuneInString(w)
	if r >= 0x0600 && r <= 0x06FF {
		fl = fArabic
	}
	s.spans = append(s.spans, span{start: start, end: end, ts: ts, te: len(s.buf), flags: fl})
}

// word folds the word starting at text[i] and returns where it ends.
func (s *scanner) word(t *table, text string, i int) int {
	sep := len(s.buf)
	if sep > 0 {
		s.buf = append(s.buf, ' ')
	}
	ts := len(s.buf)
	var st wordState
	var flags uint8
	first, lastEnd := -1, i
	nLatin, nArabic, nConf, nOther, nOtherConf := 0, 0, 0, 0, 0
	j := i
	var slow rinfo // entries that are not in the dense tables
	for j < len(text) {
		c := text[j]
		// e points into the table rather than copying the entry.
		var e *rinfo
		n := 1
		r := rune(c)
		switch {
		case c < utf8.RuneSelf:
			e = &t.ascii[c]
		case c >= 0xC2 && c < 0xE0 && j+1 < len(text) && text[j+1]&0xC0 == 0x80:
			// Two-byte runes (Arabic, accented Latin) decoded and looked up
			// inline: the hot path of Arabic text.
			r, n = rune(c&0x1F)<<6|rune(text[j+1]&0x3F), 2
			e = &t.dense[r]
		default:
			r, n = decodeRune(text, j)
			slow = t.lookup(r)
			e = &slow
		}
		if e.kind != kKeep {
			if e.kind == kDrop {
				j += n
				continue
			}
			// A decimal or thousands separator between digits stays in the
			// number (12.5, 1,000, ١٢٫٥).
			if e.kind == kBreak && st.prev >= '0' && st.prev <= '9' && j+n < len(text) && (r == '.' || r == ',' || r == 0x066B || r == 0x066C) {
				if nextIsDigit(text[j+n:]) {
					sep := byte('.')
					if r == ',' || r == 0x066C {
						sep = ','
					}
					s.buf = append(s.buf, sep)
					st.prev, st.last, st.runLen = rune(sep), rune(sep), 1
					j += n
					continue
				}
			}
			// A censoring mark inside a word (دا*عش, cas*ino, ع*يد) does not
			// split it: letters of one script on both sides, two letters on
			// at least one side (c.a-s_i*n.o is spaced-out letters), and at
			// most three on at least one side (الله*الوطن*الملك are words).
			if (r == '*' || r == 0x00B7 || r == 0x2022) && len(s.buf) > ts {
				before := min(utf8.RuneCount(s.buf[ts:]), 4)
				after := 0
				for k := j + n; k < len(text) && after < 4; {
					nr, nn := decodeRune(text, k)
					if !sameScriptLetter(st.prev, t.lookup(nr)) {
						break
					}
					after++
					k += nn
				}
				if after > 0 && (before >= 2 || after >= 2) && (before <= 3 || after <= 3) {
					j += n
					continue
				}
			}
			break
		}
		if first < 0 {
			first = j
		}
		lastEnd = j + n
		flags |= e.flags
		switch {
		case e.flags&fLatin != 0:
			nLatin++
		case e.flags&fArabic != 0:
			nArabic++
			if e.conf != 0 {
				nConf++
			}
		case e.flags&fOther != 0:
			nOther++
			if e.conf != 0 {
				nConf++
				nOtherConf++
			}
		}
		o := r
		switch out := e.out; {
		case out == "":
		case len(out) == 1 && out[0] < utf8.RuneSelf:
			o = rune(out[0])
		case len(out) == 2 && out[0] >= 0xC2 && out[0] < 0xE0:
			o = rune(out[0]&0x1F)<<6 | rune(out[1]&0x3F)
		default:
			for _, o := range out {
				s.emit(&st, o)
			}
			j += n
			continue
		}
		if o != st.last && o < 0x800 {
			// emit for the common case, inline: a rune that starts a new
			// run is written as is.
			st.before, st.last, st.runLen, st.prev = st.prev, o, 1, o
			if o < utf8.RuneSelf {
				s.buf = append(s.buf, byte(o))
			} else {
				s.buf = append(s.buf, byte(0xC0|o>>6), byte(0x80|o&0x3F))
			}
		} else {
			s.emit(&st, o)
		}
		j += n
	}
	if len(s.buf) == ts {
		s.buf = s.buf[:sep]
		return j
	}
	if nConf > 0 && ((nLatin > 0 && nLatin >= nArabic) || (nLatin == 0 && nArabic == 0 && nOtherConf == nOther)) {
		// A look-alike of another script inside a Latin word (pаypаl,
		// casهnه) or a word made only of look-alikes (сазіпо): fold to Latin.
		s.buf = s.buf[:ts]
		st = wordState{}
		for k := first; k < lastEnd; {
			r, n := utf8.DecodeRuneInString(text[k:])
			e := t.lookup(r)
			k += n
			switch {
			case e.kind != kKeep:
			case e.conf != 0 && (e.flags&(fArabic|fOther) != 0 || r >= 0x80):
				s.emit(&st, rune(e.conf))
			case e.out == "":
				s.emit(&st, r)
			default:
				for _, o := range e.out {
					s.emit(&st, o)
				}
			}
		}
		flags = flags&^(fOther|fArabic) | fLatin
	}
	sp := span{start: first, end: lastEnd, ts: ts, te: len(s.buf), flags: flags}
	sp.lt = first >= i+2 && text[first-2:first] == "ـ"
	sp.tt = j >= lastEnd+2 && text[lastEnd:lastEnd+2] == "ـ"
	if n := len(s.spans); sp.lt && n > 0 && s.spans[n-1].tt {
		s.rejoin = true
	}
	s.spans = append(s.spans, sp)
	return j
}

// emit writes one folded rune, collapsing elongation: a run of three or
// more identical letters becomes one (داااعش → داعش, salaaaam → salam),
// except lam, which keeps two (الللله → الله). Digits collapse only when
// they continue a Latin letter (Arabizi sa3333ida → sa3ida), never in
// numbers (1000).
func (s *scanner) emit(st *wordState, r rune) {
	if r == st.last {
		st.runLen++
	} else {
		st.before = st.prev
		st.last = r
		st.runLen = 1
	}
	st.prev = r
	switch st.runLen {
	case 1:
	case 2:
		st.secondPos = len(s.buf)
	default:
		if r >= '0' && r <= '9' {
			b := st.before
			if !arabiziDigit(r) || !(b >= 'a' && b <= 'z') {
				break
			}
		}
		if st.runLen == 3 && r != 'ل' {
			s.buf = s.buf[:st.secondPos]
		}
		return
	}
	switch {
	case r < utf8.RuneSelf:
		s.buf = append(s.buf, byte(r))
	case r < 0x800:
		s.buf = append(s.buf, byte(0xC0|r>>6), byte(0x80|r&0x3F))
	default:
		s.buf = utf8.AppendRune(s.buf, r)
	}
}

func arabiziDigit(r rune) bool {
	switch r {
	case '2', '3', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// letterScript: 1 Arabic letter, 2 Latin letter, 3 Arabizi digit, 0 other.
func letterScript(r rune) int {
	switch {
	case r >= 'a' && r <= 'z':
		return 2
	case arabiziDigit(r):
		return 3
	case r >= 0x0621 && r <= 0x064A:
		return 1
	}
	return 0
}

// spacingGap reports whether g (between two letters) is only spacing or
// the separators people put between spaced-out letters (. - _ * ·).
func spacingGap(g string) bool {
	if g == "" {
		return false
	}
	n := 0
	for _, r := range g {
		n++
		if n > 3 {
			return false
		}
		switch r {
		case ' ', '\t', '.', '-', '_', '*', '·', '•', '+', '~', '|', '/', 0x0640, 0x00A0, 0x202F:
			continue
		}
		if invisible(r) {
			continue
		}
		return false
	}
	return true
}

// rejoinLetters merges runs of three or more spaced-out single letters
// (د ا ع ش), and pieces of a word split with tatweel (قـ ـمـ ـار), into one
// token spanning the original pieces, and compacts the buffer accordingly.
func (s *scanner) rejoinLetters(text string) {
	out := s.spans[:0]
	w := 0 // write position in buf
	for i := 0; i < len(s.spans); {
		j := i + 1
		tsplit := false
		for j < len(s.spans) {
			a, b := s.spans[j-1], s.spans[j]
			if a.tt && b.lt && a.flags&fArabic != 0 && b.flags&fArabic != 0 && a.end <= b.start && spacingGap(text[a.end:b.start]) {
				tsplit = true
				j++
				continue
			}
			if isSingle(s, j-1) && isSingle(s, j) && sameRun(s, j-1, j, text) {
				j++
				continue
			}
			break
		}
		// A final و followed by an ordinary word is the conjunction, not the
		// last letter: د ا ع ش و الدولة → داعش و الدوله.
		if !tsplit && j-i >= 4 && j < len(s.spans) && !isSingle(s, j) {
			if sp := s.spans[j-1]; string(s.buf[sp.ts:sp.te]) == "و" {
				j--
			}
		}
		letters, distinct := 0, false
		first, _ := utf8.DecodeRune(s.buf[s.spans[i].ts:s.spans[i].te])
		for k := i; k < j; k++ {
			r, _ := utf8.DecodeRune(s.buf[s.spans[k].ts:s.spans[k].te])
			if s := letterScript(r); s == 1 || s == 2 {
				letters++
			}
			distinct = distinct || r != first
		}
		// One letter repeated (و و و, ههه ههه) is not a spelled-out word.
		if !tsplit && (j-i < 3 || letters < 2 || !distinct) {
			j = i + 1
		}
		if len(out) > 0 {
			s.buf[w] = ' '
			w++
		}
		ts := w
		var flags uint8
		for k := i; k < j; k++ {
			sp := s.spans[k]
			w += copy(s.buf[w:], s.buf[sp.ts:sp.te])
			flags |= sp.flags
		}
		out = append(out, span{start: s.spans[i].start, end: s.spans[j-1].end, ts: ts, te: w, flags: flags})
		i = j
	}
	s.spans = out
	s.buf = s.buf[:w]
}

func isSingle(s *scanner, k int) bool {
	sp := s.spans[k]
	if sp.te-sp.ts > 2 { // single letters are one or two bytes
		return false
	}
	r, n := utf8.DecodeRune(s.buf[sp.ts:sp.te])
	return n == sp.te-sp.ts && letterScript(r) != 0
}

func sameRun(s *scanner, a, b int, text string) bool {
	ra, _ := utf8.DecodeRune(s.buf[s.spans[a].ts:s.spans[a].te])
	rb, _ := utf8.DecodeRune(s.buf[s.spans[b].ts:s.spans[b].te])
	sa, sb := letterScript(ra), letterScript(rb)
	if sa == 3 {
		sa = 2
	}
	if sb == 3 {
		sb = 2
	}
	return sa == sb && s.spans[a].end <= s.spans[b].start && spacingGap(text[s.spans[a].end:s.spans[b].start])
}

// Tokenize splits text into words and returns each word's folded form with
// its byte offsets in text. It is Analyze(text).Tokens.
func Tokenize(text string) []Token { return Analyze(text).Tokens }

// cliticsByFirst are the proclitic groups StripClitics removes, longest
// first, grouped by their first letter (folded form: alef forms unified).
var cliticsByFirst = map[string][]string{
	"و": {"وبال", "وكال", "ولل", "وال", "و"},
	"ف": {"فبال", "فلل", "فال", "ف"},
	"ب": {"بال", "ب"},
	"ك": {"كال"},
	"ل": {"لل", "ل"},
	"ا": {"ال"},
	"د": {"دال"},
}

// clitic is one proclitic as a masked comparison of a word's first eight
// bytes (proclitics are at most four Arabic letters).
type clitic struct {
	mask, val uint64
	n         int // byte length
}

// cliticGroups holds cliticsByFirst in order, and cliticIndex maps the two
// bytes of a word's first letter (0xD8 or 0xD9, then the second byte) to
// its group (0: none), for the hot path.
var cliticGroups, cliticIndex = func() (g [8][5]clitic, idx [2][256]uint8) {
	n := uint8(1)
	for k, v := range cliticsByFirst {
		for i, p := range v {
			var b [8]byte
			copy(b[:], p)
			g[n][i] = clitic{mask: ^uint64(0) >> (64 - 8*len(p)), val: le64(b[:]), n: len(p)}
		}
		idx[k[0]-0xD8][k[1]] = n
		n++
	}
	return g, idx
}()

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// StripClitics removes one Arabic proclitic group (و ف ب ل, ال and their
// combinations with و ف ب ك ل, Darija دال) from a folded word, keeping at
// least three letters, so لداعش and والداعشي meet داعش. A bare ك is not
// removed (كتاب is not ك + تاب). It returns w when nothing is removed. The
// result is a substring of w (no allocation).
func StripClitics(w string) string {
	if len(w) < 8 || (w[0] != 0xD8 && w[0] != 0xD9) { // < 4 Arabic letters, or not Arabic
		return w
	}
	gi := cliticIndex[w[0]-0xD8][w[1]]
	if gi == 0 {
		return w
	}
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	g := &cliticGroups[gi]
	for i := range g {
		c := &g[i]
		if c.n == 0 {
			break
		}
		if len(w) >= c.n+6 && x&c.mask == c.val {
			// At least three letters remain: 12 bytes always hold three
			// runes (at most four bytes each); shorter rests are counted.
			if rest := w[c.n:]; len(rest) >= 12 || utf8.RuneCountInString(rest) >= 3 {
				return rest
			}
		}
	}
	return w
}

// nextIsDigit reports whether t starts with an ASCII, Arabic-Indic
// (U+0660..0669) or Extended Arabic-Indic (U+06F0..06F9) digit.
func nextIsDigit(t string) bool {
	switch {
	case t == "":
		return false
	case t[0] >= '0' && t[0] <= '9':
		return true
	case len(t) >= 2 && t[0] == 0xD9 && t[1] >= 0xA0 && t[1] <= 0xA9:
		return true
	case len(t) >= 2 && t[0] == 0xDB && t[1] >= 0xB0 && t[1] <= 0xB9:
		return true
	}
	return false
}

// decodeRune decodes the rune at text[i], with a fast path for the
// two-byte sequences of Arabic, Latin-1, Greek and Cyrillic text.
func decodeRune(text string, i int) (rune, int) {
	c := text[i]
	if c >= 0xC2 && c < 0xE0 && i+1 < len(text) {
		if c1 := text[i+1]; c1&0xC0 == 0x80 {
			return rune(c&0x1F)<<6 | rune(c1&0x3F), 2
		}
	}
	return utf8.DecodeRuneInString(text[i:])
}

// sameScriptLetter reports whether the folded rune prev and the next rune
// (its table entry) are letters of the same script, Arabic or Latin.
func sameScriptLetter(prev rune, next rinfo) bool {
	switch {
	case next.kind != kKeep:
		return false
	case prev >= 'a' && prev <= 'z':
		return next.flags&fLatin != 0
	case prev >= 0x0621 && prev <= 0x064A:
		return next.flags&fArabic != 0
	}
	return false
}

// maxCamelParts bounds the words one hashtag is split into.
const maxCamelParts = 8

// camelBreaks returns where the ASCII CamelCase word at text[i] (right
// after a '#') splits into words: before an upper-case letter that follows
// a lower-case one (WilayatHims) and before the last capital of a run that
// a lower-case letter follows (ISISNews → ISIS News). A word without a
// lower-to-upper change (#ISIS, #khilafah) does not split. The word's end
// is not included.
func camelBreaks(text string, i int) []int {
	var out []int
	for k := i + 1; k < len(text) && len(out) < maxCamelParts-1; k++ {
		c, p := text[k], text[k-1]
		if !isASCIIAlnum(c) {
			break
		}
		if !isUpper(c) || !isASCIIAlnum(p) {
			continue
		}
		if isLower(p) || (isUpper(p) && k+1 < len(text) && isLower(text[k+1]) && k-1 > i) {
			out = append(out, k)
		}
	}
	return out
}

func isUpper(c byte) bool      { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool      { return c >= 'a' && c <= 'z' }
func isASCIIAlnum(c byte) bool { return isUpper(c) || isLower(c) || (c >= '0' && c <= '9') }

// maxGluedWords bounds the words one glued run is split into.
const maxGluedWords = 8

// finalLetterBreaks returns where the Arabic word at text[i] splits
// because a letter that only ends words (ة teh marbuta, ى alef maqsura)
// is followed by another Arabic letter: words written without the space
// between them, by haste or to dodge a filter. Diacritics and tatweel
// after the final letter stay with it.
func finalLetterBreaks(text string, i int) []int {
	var out []int
	final := false // the last letter seen ends words
	for j := i; j < len(text) && len(out) < maxGluedWords-1; {
		r, n := utf8.DecodeRuneInString(text[j:])
		switch {
		case r == 0x0640 || (r >= 0x064B && r <= 0x065F) || r == 0x0670:
			// Tatweel and diacritics: part of the letter before.
		case r == 0x0629 || r == 0x0649:
			final = true
		case (r >= 0x0621 && r <= 0x064A) || (r >= 0x0671 && r <= 0x06D3):
			if final {
				out = append(out, j)
			}
			final = false
		default:
			return out
		}
		j += n
	}
	return out
}
