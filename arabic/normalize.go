package arabic

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/gentables -out confusables_table.go

// NormalizeOptions selects the orthographic unifications Normalize applies.
// Callers differ: search and matching want every unification, display and
// some classifiers want to keep taa marbuta or hamza seats.
type NormalizeOptions struct {
	// KeepTehMarbuta keeps ة (otherwise ة → ه, as Lucene does).
	KeepTehMarbuta bool
	// KeepAlefMaqsura keeps ى (otherwise ى → ي).
	KeepAlefMaqsura bool
	// KeepHamzaSeats keeps ؤ and ئ (otherwise ؤ → و, ئ → ي). Alef hamza
	// forms (أ إ آ ٱ) always become ا.
	KeepHamzaSeats bool
	// KeepLetterVariants keeps Persian, Urdu and Maghrebi letters
	// (ی ک ڭ گ ڤ پ چ ژ …) instead of mapping them to the basic Arabic letter.
	KeepLetterVariants bool
	// KeepDigits keeps Arabic-Indic and Extended Arabic-Indic digits instead
	// of mapping them to ASCII 0-9.
	KeepDigits bool
}

// Normalize applies Arabic orthographic normalization with the default
// options: NFKC (presentation forms, ligatures, fullwidth and mathematical
// letters), no diacritics or tatweel, every alef form → ا, ى → ي, ة → ه,
// ؤ → و, ئ → ي, Persian/Urdu/Maghrebi letter variants → basic letters,
// Arabic-Indic digits → ASCII, odd spaces → ' '. Case, punctuation,
// zero-width characters and Latin accents are kept: Fold removes those.
func Normalize(s string) string { return NormalizeWith(s, NormalizeOptions{}) }

// NormalizeWith is Normalize with explicit options.
func NormalizeWith(s string, o NormalizeOptions) string {
	t := tableFor(o, false)
	// Fast path: nothing to change.
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if t.ascii[c].kind == kSpace && c != ' ' {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if e := t.lookup(r); e.kind == kDrop || e.kind == kSpace || e.out != "" || e.flags&fMark != 0 {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	otherMarks := false
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if t.ascii[c].kind == kSpace {
				c = ' '
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		e := t.lookup(r)
		switch {
		case e.kind == kDrop:
		case e.kind == kSpace:
			b.WriteByte(' ')
		case e.out != "":
			b.WriteString(e.out)
		default:
			if unicode.Is(unicode.Mn, r) {
				otherMarks = true
			}
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	out := b.String()
	if otherMarks {
		// A non-Arabic combining mark may compose with its base (e + ́ → é).
		out = norm.NFKC.String(out)
	}
	return out
}

// Rune kinds. In Normalize only kDrop and kSpace change the output; in Fold
// they also decide where words end.
const (
	kKeep  = iota // letter, digit or mark kept (possibly replaced by out)
	kBreak        // punctuation, symbol, emoji: ends a word
	kSpace        // a space of any kind: ends a word
	kDrop         // removed without ending a word: diacritics, tatweel, zero-width, bidi
	kSplit        // expands to several words (ﷺ): a word of its own
)

// Flags describe the folded output of a rune, for per-word decisions.
const (
	fLatin   = 1 << iota // ASCII letter after folding
	fArabic              // Arabic letter after folding
	fDigit               // ASCII digit after folding
	fOther               // letter of another script
	fPersian             // Persian/Urdu-specific letter before folding (پ چ ژ گ ی ک …)
	fMaghreb             // Maghrebi-specific letter before folding (ڭ ڤ ڨ ڢ ڧ)
	fUpper               // upper-case Latin letter before folding (Arabizi T=ط, S=ص …)
	fMark                // non-Arabic combining mark (Normalize recomposes with NFKC)
)

type rinfo struct {
	kind  uint8
	flags uint8
	// out replaces the rune when non-empty.
	out string
	// conf is the Latin look-alike used when the rune sits in a mostly
	// Latin word (Cyrillic а in pаypаl, Arabic ه in casهnه).
	conf byte
}

type table struct {
	ascii [128]rinfo
	dense [0x800]rinfo // U+0000..U+07FF: Latin, Greek, Cyrillic, Arabic
	pres  [0xFF00 - 0xFB00]rinfo
	extra map[rune]rinfo
	opts  NormalizeOptions
	fold  bool
}

func (t *table) lookup(r rune) rinfo {
	switch {
	case r < 0x800:
		return t.dense[r]
	case r >= 0xFB00 && r < 0xFF00:
		return t.pres[r-0xFB00]
	}
	if e, ok := t.extra[r]; ok {
		return e
	}
	return t.fallback(r)
}

// fallback classifies runes outside the precomputed ranges (emoji, CJK,
// other scripts).
func (t *table) fallback(r rune) rinfo {
	switch {
	case unicode.IsLetter(r):
		e := rinfo{kind: kKeep, flags: fOther}
		if t.fold && unicode.IsUpper(r) {
			e.out = string(unicode.ToLower(r))
		}
		return e
	case unicode.IsDigit(r):
		return rinfo{kind: kKeep, flags: fOther}
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		if t.fold {
			return rinfo{kind: kDrop}
		}
		return rinfo{kind: kKeep}
	case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r):
		if t.fold {
			return rinfo{kind: kDrop}
		}
		return rinfo{kind: kKeep}
	case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
		return rinfo{kind: kSpace}
	}
	return rinfo{kind: kBreak}
}

var (
	tablesMu sync.Mutex
	tables   = map[[2]any]*table{}
	defNorm  = sync.OnceValue(func() *table { return buildTable(NormalizeOptions{}, false) })
	defFold  = sync.OnceValue(func() *table { return buildTable(NormalizeOptions{}, true) })
)

func tableFor(o NormalizeOptions, fold bool) *table {
	if o == (NormalizeOptions{}) {
		if fold {
			return defFold()
		}
		return defNorm()
	}
	tablesMu.Lock()
	defer tablesMu.Unlock()
	k := [2]any{o, fold}
	if t := tables[k]; t != nil {
		return t
	}
	t := buildTable(o, fold)
	tables[k] = t
	return t
}

// extraRanges are the ranges above U+07FF whose runes need more than the
// fallback: Arabic Extended, small capitals, general punctuation (spaces,
// zero-width, bidi), letterlike and enclosed forms, fillers, mathematical
// alphanumerics and Arabic mathematical letters, tags.
var extraRanges = [][2]rune{
	{0x0800, 0x08FF}, {0x115F, 0x1160}, {0x1680, 0x1680}, {0x180B, 0x180F},
	{0x1D00, 0x1DBF}, {0x2000, 0x214F}, {0x2460, 0x24FF}, {0x3000, 0x3000},
	{0x3164, 0x3164}, {0xFF00, 0xFFEF}, {0x1D400, 0x1D7FF}, {0x1EE00, 0x1EEFF},
	{0x1F100, 0x1F1FF}, {0xE0000, 0xE007F}, {0xE0100, 0xE01EF},
}

func buildTable(o NormalizeOptions, fold bool) *table {
	t := &table{opts: o, fold: fold, extra: map[rune]rinfo{}}
	confLatin := map[rune]byte{}
	for i := 0; i+1 < len(confusableLatin); i += 2 {
		confLatin[confusableLatin[i]] = byte(confusableLatin[i+1])
	}
	confArabic := map[rune]rune{}
	for i := 0; i+1 < len(confusableArabic); i += 2 {
		confArabic[confusableArabic[i]] = confusableArabic[i+1]
	}
	for r := rune(0); r < 0x800; r++ {
		t.dense[r] = computeRune(r, o, fold, confLatin, confArabic)
		if r < 0x80 {
			t.ascii[r] = t.dense[r]
		}
	}
	for r := rune(0xFB00); r < 0xFF00; r++ {
		t.pres[r-0xFB00] = computeRune(r, o, fold, confLatin, confArabic)
	}
	for _, rg := range extraRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			if e := computeRune(r, o, fold, confLatin, confArabic); e != t.fallback(r) {
				t.extra[r] = e
			}
		}
	}
	for r, c := range confLatin {
		if r >= 0x800 && (r < 0xFB00 || r >= 0xFF00) {
			e := computeRune(r, o, fold, confLatin, confArabic)
			e.conf = c
			t.extra[r] = e
		}
	}
	return t
}

// invisible reports format and filler characters that Fold removes without
// ending a word.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x061C, r == 0x115F, r == 0x1160,
		r == 0x180E, r == 0x3164, r == 0xFEFF, r == 0xFFA0:
		return true
	case r >= 0x180B && r <= 0x180F, r >= 0x200B && r <= 0x200F,
		r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x206F,
		r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0000 && r <= 0xE007F,
		r >= 0xE0100 && r <= 0xE01EF:
		return true
	}
	return false
}

// arabicDiacritic reports tashkeel, Quranic annotation marks and other
// Arabic combining marks.
func arabicDiacritic(r rune) bool {
	switch {
	case r >= 0x0610 && r <= 0x061A, r >= 0x064B && r <= 0x065F, r == 0x0670,
		r >= 0x06D6 && r <= 0x06DC, r >= 0x06DF && r <= 0x06E4, r == 0x06E7,
		r == 0x06E8, r >= 0x06EA && r <= 0x06ED, r >= 0x08D3 && r <= 0x08FF,
		r >= 0x0898 && r <= 0x089F, r >= 0x08CA && r <= 0x08E1:
		return true
	}
	return false
}

// mapArabic applies the orthographic unifications to one rune after NFKC.
// It returns the replacement (possibly r itself) and whether r is dropped.
func mapArabic(r rune, o NormalizeOptions) (rune, bool) {
	if arabicDiacritic(r) || r == 0x0640 {
		return 0, true
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ', 0x0672, 0x0673, 0x0675:
		return 'ا', false
	case 0x0674: // high hamza
		return 'ء', false
	case 'ى':
		if !o.KeepAlefMaqsura {
			return 'ي', false
		}
	case 'ة', 0x06C3:
		if !o.KeepTehMarbuta {
			return 'ه', false
		}
		return 'ة', false
	case 'ؤ':
		if !o.KeepHamzaSeats {
			return 'و', false
		}
	case 'ئ':
		if !o.KeepHamzaSeats {
			return 'ي', false
		}
	case 0x066B: // Arabic decimal separator
		return '.', false
	case 0x066C: // Arabic thousands separator
		return ',', false
	case 0x066A: // Arabic percent sign
		return '%', false
	}
	if !o.KeepLetterVariants {
		switch r {
		case 0x06CC, 0x06D0, 0x06D2, 0x06D3, 0x06CD, 0x06CE, 0x0620, 0x063D, 0x063E, 0x063F:
			return 'ي', false
		case 0x06A9, 0x06AA, 0x06AB, 0x06AC, 0x06AD, 0x06AE, 0x06AF, 0x06B0, 0x06B1, 0x06B2, 0x06B3, 0x06B4, 0x063B, 0x063C:
			return 'ك', false
		case 0x06BE, 0x06C0, 0x06C1, 0x06C2, 0x06D5, 0x06FF:
			return 'ه', false
		case 0x06A4, 0x06A5, 0x06A1, 0x06A2, 0x06A3, 0x06A6:
			return 'ف', false
		case 0x06A7, 0x06A8, 0x066F:
			return 'ق', false
		case 0x067E, 0x066E, 0x067B, 0x0680:
			return 'ب', false
		case 0x0686, 0x0687, 0x0683, 0x0684:
			return 'ج', false
		case 0x0698, 0x0691, 0x0692:
			return 'ز', false
		case 0x06BA, 0x06BB, 0x06B9, 0x06BC, 0x06BD:
			return 'ن', false
		case 0x0679, 0x067A, 0x067C, 0x067F:
			return 'ت', false
		// Letters by their dots, as CAMeL Tools' arclean reads them.
		case 0x067D:
			return 'ث', false
		case 0x0685:
			return 'خ', false
		case 0x069C, 0x06FA:
			return 'ش', false
		case 0x069D, 0x06FB:
			return 'ص', false
		case 0x069E, 0x06FC:
			return 'ض', false
		case 0x069F:
			return 'ظ', false
		case 0x06A0:
			return 'غ', false
		case 0x06BF:
			return 'ج', false
		case 0x0678:
			return 'ي', false
		case 0x0676, 0x0677:
			return 'و', false
		case 0x06FE:
			return 'م', false
		case 0x06FD:
			return 'ء', false
		case 0x0688, 0x0689, 0x068A, 0x068F, 0x0690:
			return 'د', false
		case 0x06C4, 0x06C5, 0x06C6, 0x06C7, 0x06C8, 0x06C9, 0x06CA, 0x06CB, 0x06CF:
			return 'و', false
		}
	}
	if !o.KeepDigits {
		switch {
		case r >= 0x0660 && r <= 0x0669:
			return '0' + (r - 0x0660), false
		case r >= 0x06F0 && r <= 0x06F9:
			return '0' + (r - 0x06F0), false
		}
	}
	return r, false
}

// smallCapitals are the Latin small capitals that confusables.txt does not
// map to a Latin letter (ᴀ ɴ …); folding reads them as the letter.
var smallCapitals = map[rune]rune{
	0x1D00: 'a', 0x0299: 'b', 0x1D05: 'd', 0x1D07: 'e', 0x0262: 'g', 0x029C: 'h',
	0x1D0A: 'j', 0x1D0B: 'k', 0x029F: 'l', 0x1D0D: 'm', 0x0274: 'n', 0x1D18: 'p',
	0x0280: 'r', 0x1D1B: 't', 0x1D1C: 'u', 0x1D20: 'v', 0x1D21: 'w', 0x028F: 'y', 0x1D22: 'z',
}

// persianLetter reports letters of Persian, Urdu, Pashto, Kurdish and
// Uyghur that Arabic and Darija do not use: text with them may be one of
// those languages (language ID then allows fa/ur, reported as und).
func persianLetter(r rune) bool {
	switch r {
	case 0x067E, 0x0686, 0x0698, 0x06AF, 0x06A9, 0x06CC, 0x06C0, 0x06D2, 0x06C1, 0x06BE, 0x06BA, 0x0679, 0x0688, 0x0691,
		0x067C, 0x0681, 0x0685, 0x0689, 0x0693, 0x069A, 0x0696, 0x06AB, 0x06BC, 0x06CD, 0x06D0, // Pashto
		0x0695, 0x06B5, 0x06C6, 0x06CE, 0x06D5, // Kurdish
		0x06C7, 0x06C8, 0x06CB: // Uyghur
		return true
	}
	return false
}

func maghrebiLetter(r rune) bool {
	switch r {
	case 0x06AD, 0x06A4, 0x06A5, 0x06A8, 0x06A2, 0x06A7:
		return true
	}
	return false
}

// computeRune derives a rune's table entry: NFKC, then the Arabic
// unifications, then (when folding) case folding, accent removal and
// confusables.
func computeRune(r rune, o NormalizeOptions, fold bool, confLatin map[rune]byte, confArabic map[rune]rune) rinfo {
	var e rinfo
	if persianLetter(r) {
		e.flags |= fPersian
	}
	if maghrebiLetter(r) {
		e.flags |= fMaghreb
	}
	if r < 0x80 && r >= 'A' && r <= 'Z' {
		e.flags |= fUpper
	}
	if !fold && unicode.Is(unicode.Mn, r) && !arabicDiacritic(r) {
		e.flags |= fMark
	}
	if c, ok := confLatin[r]; ok && fold && !unicode.IsLetter(r) {
		// A symbol that looks like a Latin letter (⍺) is read as the letter.
		return rinfo{kind: kKeep, flags: fLatin, out: string(rune(c))}
	}
	if fold && invisible(r) {
		e.kind = kDrop
		return e
	}
	if r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 ||
		unicode.Is(unicode.Zs, r) || r == 0x2028 || r == 0x2029 {
		if r == '\n' && !fold {
			return rinfo{kind: kKeep}
		}
		if r == '\t' && !fold {
			return rinfo{kind: kKeep}
		}
		e.kind = kSpace
		return e
	}
	orig := r
	if fold {
		// Rare Arabic-script letters fold to the basic letter they look like,
		// unless the explicit unifications below already handle them.
		if c, ok := confArabic[r]; ok {
			if m, _ := mapArabic(r, o); m == r {
				r = c
			}
		}
		if c, ok := smallCapitals[r]; ok {
			r = c
		}
	}
	s := string(r)
	switch {
	case r >= 0x0674 && r <= 0x0678:
		// ٵ ٶ ٷ ٸ decompose to a letter + high hamza under NFKC; mapArabic
		// maps them whole, as a hamza seat.
	case r == 0xFDFD:
		// ﷽ has no compatibility decomposition.
		s = "بسم الله الرحمن الرحيم"
	default:
		if n := norm.NFKC.String(s); n != s {
			s = n
		}
	}
	var b strings.Builder
	letters, digits, others := 0, 0, 0
	for _, c := range s {
		m, drop := mapArabic(c, o)
		if drop {
			continue
		}
		if fold {
			if invisible(m) {
				continue
			}
			if unicode.Is(unicode.Mn, m) || unicode.Is(unicode.Me, m) {
				continue
			}
			if m >= 0x80 && m < 0x250 && unicode.IsLetter(m) {
				// Latin with accents: é → e, ß → ss, ø → o.
				d := norm.NFD.String(string(m))
				var bb strings.Builder
				for _, x := range d {
					if !unicode.Is(unicode.Mn, x) {
						bb.WriteRune(x)
					}
				}
				switch m {
				case 'ß', 'ẞ':
					bb.Reset()
					bb.WriteString("ss")
				case 'ø', 'Ø':
					bb.Reset()
					bb.WriteString("o")
				case 'đ', 'Đ':
					bb.Reset()
					bb.WriteString("d")
				case 'ł', 'Ł':
					bb.Reset()
					bb.WriteString("l")
				case 'æ', 'Æ':
					bb.Reset()
					bb.WriteString("ae")
				case 'œ', 'Œ':
					bb.Reset()
					bb.WriteString("oe")
				case 'ı':
					bb.Reset()
					bb.WriteString("i")
				}
				b.WriteString(strings.ToLower(bb.String()))
				letters++
				continue
			}
			m = unicode.ToLower(m)
		}
		switch {
		case m < 0x80 && (m >= 'a' && m <= 'z' || m >= 'A' && m <= 'Z'):
			letters++
		case m < 0x80 && m >= '0' && m <= '9':
			digits++
		case unicode.IsLetter(m) || unicode.IsDigit(m) || unicode.Is(unicode.Mn, m):
			others++
		}
		b.WriteRune(m)
	}
	out := b.String()
	switch {
	case out == "":
		e.kind = kDrop
		return e
	case fold && strings.Contains(strings.TrimSpace(out), " "):
		e.kind = kSplit
	case fold && strings.TrimSpace(out) == "":
		e.kind = kSpace
		return e
	case letters+digits+others == 0:
		e.kind = kBreak
	default:
		e.kind = kKeep
	}
	if fold && e.kind == kKeep {
		out = strings.TrimSpace(out)
	}
	if out != string(orig) {
		e.out = out
	}
	if e.kind == kKeep {
		first, _ := utf8.DecodeRuneInString(out)
		switch {
		case first < 0x80 && (first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z'):
			e.flags |= fLatin
		case first >= '0' && first <= '9':
			e.flags |= fDigit
		case first >= 0x0600 && first <= 0x06FF:
			if unicode.IsLetter(first) {
				e.flags |= fArabic
			} else {
				e.flags |= fOther
			}
		default:
			e.flags |= fOther
		}
	}
	if c, ok := confLatin[orig]; ok && fold {
		e.conf = c
	}
	return e
}
