package namematch

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize lower-cases s, removes accents (nicolás → nicolas) and turns
// punctuation into spaces, collapsing runs of spaces: "ANGLO-CARIBBEAN
// CO., LTD." → "anglo caribbean co ltd". Letters of other scripts are kept.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // no leading space
	for _, r := range norm.NFD.String(norm.NFKC.String(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // accents, Arabic diacritics
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f, ok := persianFold[r]; ok {
				r = f
			}
			b.WriteRune(unicode.ToLower(r))
			space = false
		case r == '\'' || r == '’' || r == 'ʿ' || r == 'ʾ' || r == '`' || r == 'ʻ':
			continue // 'Ubayd, Mu'min: the apostrophe marks ʿayn or hamza
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// persianFold maps Persian and Urdu letter forms, common in the UN's
// Taliban entries, to their Arabic equivalents.
var persianFold = map[rune]rune{
	'ی': 'ي', 'ې': 'ي', 'ے': 'ي', 'ک': 'ك', 'ہ': 'ه', 'ھ': 'ه', 'ۀ': 'ه', 'ە': 'ه', 'ٸ': 'ئ',
}

// ReorderSDN turns an individual's list name "LAST, First Middle" into
// "First Middle LAST"; names without exactly one comma are kept.
func ReorderSDN(name string) string {
	if strings.Count(name, ",") != 1 {
		return name
	}
	last, first, _ := strings.Cut(name, ",")
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" || last == "" {
		return name
	}
	return first + " " + last
}

// dropTokens are particles and legal forms that carry no identity: the
// Arabic article written apart (al-, el-), connectors, and company titles.
var dropTokens = map[string]bool{
	"al": true, "el": true, "ul": true, "al'": true, "il": true,
	"the": true, "of": true, "and": true, "for": true, "de": true, "du": true, "des": true, "la": true, "le": true, "et": true,
	"co": true, "ltd": true, "llc": true, "inc": true, "ltda": true, "llp": true, "plc": true, "corp": true, "sa": true,
	"dr": true, "mr": true, "mrs": true, "jr": true, "sr": true,
	"gmbh": true, "doo": true, "jsc": true, "pjsc": true, "ojsc": true, "cjsc": true, "fze": true, "fzco": true, "limited": true, "company": true,
}

// isArabicLetter covers the Arabic block letters (not digits or signs).
func isArabicLetter(r rune) bool {
	return r >= 0x0621 && r <= 0x064A || r >= 0x0671 && r <= 0x06D3 || r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFC
}

// Name is a name prepared for matching.
type Name struct {
	// Arabic is true when the name is written in Arabic script.
	Arabic bool
	// Tokens are the normalized words without particles (Latin names), or
	// a letter-by-letter romanization of the Arabic words (Arabic names);
	// tokens are compared only within one script.
	Tokens []string
	// Keys are phonetic consonant keys, comparable across scripts, one per
	// token ("" when a token has no consonant).
	Keys []string
	// AltKeys are, for Arabic tokens, a second key for the other common
	// reading (Persian and Urdu ث as s, ذ ض ظ as z; a final ة as t, as in
	// Jabhat), "" when there is none; nil for Latin names.
	AltKeys []string
}

// arabicDrop are legal forms and "company" in Arabic script, dropped as
// their Latin equivalents are.
var arabicDrop = map[string]bool{"شركة": true, "شركه": true, "لمتد": true, "ليمتد": true, "ليميتد": true, "المحدودة": true, "المحدوده": true, "ذ.م.م": true}

// arabicAltKeys are the letters whose reading differs between Arabic and
// Persian/Urdu names.
var arabicAltKeys = map[rune]byte{'ث': 's', 'ذ': 'z', 'ض': 'z', 'ظ': 'z'}

// Prepare normalizes a name for matching.
func Prepare(name string) Name {
	n := Normalize(name)
	arabic := 0
	latin := 0
	for _, r := range n {
		if isArabicLetter(r) {
			arabic++
		} else if r < 0x250 && unicode.IsLetter(r) {
			latin++
		}
	}
	words := strings.Fields(n)
	if arabic > latin {
		return prepareArabic(words)
	}
	return prepareLatin(words)
}

func prepareLatin(words []string) Name {
	var out Name
	for i := 0; i < len(words); i++ {
		w := words[i]
		if dropTokens[w] {
			continue
		}
		// "Abd al-Rahman", "Abdul Rahman", "Abdel Aziz": one name, as
		// عبد الرحمن is; the article glued to "abd" is removed by the key.
		if isAbdPrefix(w) && i+1 < len(words) {
			j := i + 1
			if dropTokens[words[j]] && j+1 < len(words) {
				j++
			}
			w += words[j]
			i = j
		}
		// "Saif al-Din", "Habib Ullah": a second part of a compound
		// name, written glued as often as apart (Saifuddin, Habibullah).
		if latinCompoundTail[w] && len(out.Tokens) > 0 {
			last := len(out.Tokens) - 1
			out.Tokens[last] += w
			out.Keys[last] = latinKey(out.Tokens[last])
			continue
		}
		out.Tokens = append(out.Tokens, w)
		out.Keys = append(out.Keys, latinKey(w))
	}
	return out
}

var latinCompoundTail = map[string]bool{
	"din": true, "deen": true, "dine": true, "uddin": true, "eddine": true, "eddin": true, "uddeen": true, "addin": true,
	"allah": true, "ullah": true, "ulla": true, "ollah": true, "llah": true, "lah": true,
}

// arabicCompoundTail are words that close a compound name (… الدين,
// … الله), joined to the word before them.
var arabicCompoundTail = map[string]bool{"الدين": true, "الله": true, "اللة": true, "لله": true}

func isAbdPrefix(w string) bool {
	switch w {
	case "abd", "abdul", "abdel", "abdal", "abdoul", "abdu", "abdur", "abdus", "abdol", "abdou", "abdil":
		return true
	}
	return false
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// latinKey reduces a Latin transliteration to its consonant skeleton in
// the same classes as arabicKey: digraphs first (kh→x, sh/ch→s, th→t,
// dh→d, gh→g, ph→f, dj→j), q/c→k, vowels and non-initial w/y dropped,
// doubled letters collapsed.
func latinKey(w string) string {
	if strings.HasPrefix(w, "abd") && len(w) > 3 {
		rest := strings.TrimLeft(w[3:], "aeiou")
		if len(rest) > 1 && rest[0] == 'l' && rest[1] != 'l' {
			rest = rest[1:] // abdulrahman, abdulahad: the article
		}
		return collapse("bd" + consonants(rest, false))
	}
	if strings.HasPrefix(w, "ou") && len(w) > 2 {
		w = "w" + w[2:] // French spelling of waw: Ould, Ouahid
	}
	return collapse(consonants(w, true))
}

func consonants(w string, initial bool) string {
	var b []byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch {
		case c == 'k' && next == 'h':
			b = append(b, 'x')
			i++
		case (c == 's' || c == 'c') && next == 'h':
			b = append(b, 's')
			i++
		case (c == 't' || c == 'd' || c == 'g' || c == 'p' || c == 'z') && next == 'h':
			m := map[byte]byte{'t': 't', 'd': 'd', 'g': 'g', 'p': 'f', 'z': 'z'}[c]
			b = append(b, m)
			i++
		case c == 'd' && next == 'j':
			b = append(b, 'j')
			i++
		case c == 'q' || c == 'c':
			b = append(b, 'k')
		case c == 'v':
			b = append(b, 'f')
		case isVowel(c):
		case c == 'w' || c == 'y':
			if i == 0 && initial {
				b = append(b, c)
			}
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return string(b)
}

func collapse(s string) string {
	if len(s) < 2 {
		return s
	}
	b := []byte{s[0]}
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1] {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// arabicKeys maps Arabic letters to the key classes; letters mapped to 0
// (alef, hamza forms, ʿayn, taa marbuta) vanish; waw and yaa are kept only
// word-initially (elsewhere they are mostly long vowels).
var arabicKeys = map[rune]byte{
	'ب': 'b', 'ت': 't', 'ث': 't', 'ج': 'j', 'ح': 'h', 'خ': 'x', 'د': 'd', 'ذ': 'd', 'ر': 'r', 'ز': 'z',
	'س': 's', 'ش': 's', 'ص': 's', 'ض': 'd', 'ط': 't', 'ظ': 'z', 'غ': 'g', 'ف': 'f', 'ق': 'k', 'ك': 'k',
	'ل': 'l', 'م': 'm', 'ن': 'n', 'ه': 'h', 'پ': 'p', 'چ': 's', 'گ': 'g', 'ڤ': 'f', 'ژ': 'z', 'ٹ': 't', 'ڈ': 'd', 'ڑ': 'r',
	'ا': 0, 'أ': 0, 'إ': 0, 'آ': 0, 'ٱ': 0, 'ء': 0, 'ئ': 0, 'ؤ': 0, 'ع': 0, 'ة': 0,
}

// arabicRoman is a one-letter-per-letter romanization for comparing Arabic
// names with each other.
var arabicRoman = map[rune]byte{
	'ا': 'a', 'أ': 'a', 'إ': 'a', 'آ': 'a', 'ٱ': 'a', 'ء': '\'', 'ئ': '\'', 'ؤ': '\'', 'ب': 'b', 'ت': 't',
	'ث': 'v', 'ج': 'j', 'ح': 'H', 'خ': 'x', 'د': 'd', 'ذ': '*', 'ر': 'r', 'ز': 'z', 'س': 's', 'ش': '$',
	'ص': 'S', 'ض': 'D', 'ط': 'T', 'ظ': 'Z', 'ع': 'E', 'غ': 'g', 'ف': 'f', 'ق': 'q', 'ك': 'k', 'ل': 'l',
	'م': 'm', 'ن': 'n', 'ه': 'h', 'و': 'w', 'ي': 'y', 'ى': 'y', 'ة': 'p', 'ی': 'y', 'ک': 'k',
}

func prepareArabic(words []string) Name {
	var out Name
	out.Arabic = true
	for i := 0; i < len(words); i++ {
		if arabicDrop[words[i]] {
			continue
		}
		w := stripArticle(words[i])
		if i+1 < len(words) && arabicCompoundTail[words[i+1]] {
			w += stripArticle(words[i+1])
			i++
		}
		abd := w == "عبد"
		if abd && i+1 < len(words) {
			i++
			w += stripArticle(words[i])
		} else if strings.HasPrefix(w, "عبدال") && len([]rune(w)) > 6 {
			w = "عبد" + strings.TrimPrefix(w, "عبدال")
		}
		var rom, key, alt []byte
		runes := []rune(w)
		for k, r := range runes {
			if c, ok := arabicRoman[r]; ok {
				rom = append(rom, c)
			}
			switch {
			case r == 'و' || r == 'ي' || r == 'ى':
				if k == 0 {
					c := map[rune]byte{'و': 'w', 'ي': 'y', 'ى': 'y'}[r]
					key, alt = append(key, c), append(alt, c)
				}
			case r == 'ة' && k == len(runes)-1:
				alt = append(alt, 't')
			default:
				if c, ok := arabicKeys[r]; ok && c != 0 {
					key = append(key, c)
					if a, ok := arabicAltKeys[r]; ok {
						c = a
					}
					alt = append(alt, c)
				}
			}
		}
		if len(rom) == 0 {
			continue
		}
		out.Tokens = append(out.Tokens, string(rom))
		k, a := collapse(string(key)), collapse(string(alt))
		if a == k {
			a = ""
		}
		out.Keys = append(out.Keys, k)
		out.AltKeys = append(out.AltKeys, a)
	}
	return out
}

// stripArticle removes the article ال from a word of three or more
// letters after it.
func stripArticle(w string) string {
	if rest, ok := strings.CutPrefix(w, "ال"); ok && len([]rune(rest)) >= 2 {
		return rest
	}
	return w
}
