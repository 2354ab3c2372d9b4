package arabic

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Arabizi → Arabic script. Transliteration is one-to-many: vowels are
// written or not (kalb, klb → كلب), h is ه or ح, a final a is ا or ة.
// Each Latin segment has ranked options with a cost; TranslitCandidates
// returns the k cheapest spellings, Translit the cheapest. The output is in
// folded form (ة → ه, ڭ → ك, no hamza seats), like Token.Text.
//
// The rules are hand-written from the conventions of Moroccan Arabizi
// (3=ع 7=ح 9=ق 5=خ 8=غ 2=ء, ch/x=ش, kh=خ, gh=غ, ou=و, capital T/S/D/H for
// ط ص ض ح); no training data went into them.

type option struct {
	ar   string
	cost float32
}

type segRule struct {
	latin string
	// where the rule applies: 0 anywhere, 'i' word-initial, 'f' word-final
	pos  byte
	opts []option
}

// segRules are tried longest first at each position; the first rule whose
// Latin sequence and position match wins.
var segRules = []segRule{
	{"tch", 0, []option{{"تش", 0}}},
	{"ch", 0, []option{{"ش", 0}}},
	{"sh", 0, []option{{"ش", 0}}},
	{"kh", 0, []option{{"خ", 0}}},
	{"gh", 0, []option{{"غ", 0}}},
	{"th", 0, []option{{"ت", 0}, {"ث", 0.6}}},
	{"dh", 0, []option{{"ده", 0}, {"ض", 0.3}, {"ذ", 0.6}}},
	{"dj", 0, []option{{"دج", 0}, {"ج", 0.3}}},
	{"ck", 0, []option{{"ك", 0}}},
	{"3'", 0, []option{{"غ", 0}}},
	{"ou", 'i', []option{{"و", 0.2}, {"او", 0.3}}},
	{"ou", 0, []option{{"و", 0}}},
	{"oo", 0, []option{{"و", 0}}},
	{"aa", 0, []option{{"ا", 0}, {"اا", 0.8}}},
	{"ee", 0, []option{{"ي", 0}}},
	{"ii", 0, []option{{"ي", 0}}},
	{"ei", 0, []option{{"ي", 0}}},
	{"ai", 'f', []option{{"اي", 0}}},
	{"a", 'i', []option{{"ا", 0}, {"ع", 0.7}}},
	{"a", 'f', []option{{"ا", 0}, {"ه", 0.2}}},
	{"a", 0, []option{{"ا", 0}, {"", 0.4}}},
	{"e", 'i', []option{{"ا", 0}, {"", 0.5}}},
	{"e", 'f', []option{{"", 0}, {"ه", 0.4}, {"ي", 0.6}}},
	{"e", 0, []option{{"", 0}, {"ي", 0.5}, {"ا", 0.6}}},
	{"i", 'i', []option{{"ا", 0}, {"ي", 0.2}}},
	{"i", 0, []option{{"ي", 0}, {"", 0.7}}},
	{"o", 'i', []option{{"ا", 0}, {"او", 0.3}}},
	{"o", 0, []option{{"و", 0}, {"", 0.5}}},
	{"u", 'i', []option{{"ا", 0}, {"او", 0.3}}},
	{"u", 0, []option{{"و", 0}, {"", 0.5}}},
	{"y", 0, []option{{"ي", 0}}},
	{"w", 0, []option{{"و", 0}}},
	{"b", 0, []option{{"ب", 0}}},
	{"p", 0, []option{{"ب", 0}}},
	{"c", 0, []option{{"ك", 0}, {"س", 0.3}}},
	{"d", 0, []option{{"د", 0}, {"ض", 0.5}}},
	{"f", 0, []option{{"ف", 0}}},
	{"v", 0, []option{{"ف", 0}}},
	{"g", 0, []option{{"ك", 0}, {"ج", 0.5}, {"ق", 0.5}}},
	{"h", 0, []option{{"ه", 0}, {"ح", 0.3}}},
	{"j", 0, []option{{"ج", 0}}},
	{"k", 0, []option{{"ك", 0}, {"ق", 0.6}}},
	{"l", 0, []option{{"ل", 0}}},
	{"m", 0, []option{{"م", 0}}},
	{"n", 0, []option{{"ن", 0}}},
	{"q", 0, []option{{"ق", 0}}},
	{"r", 0, []option{{"ر", 0}}},
	{"s", 0, []option{{"س", 0}, {"ص", 0.5}}},
	{"t", 0, []option{{"ت", 0}, {"ط", 0.5}}},
	{"x", 0, []option{{"ش", 0}, {"كس", 0.5}}},
	{"z", 0, []option{{"ز", 0}, {"ظ", 0.7}}},
	{"2", 'i', []option{{"ا", 0}}},
	{"2", 0, []option{{"ء", 0}, {"ا", 0.3}}},
	{"3", 0, []option{{"ع", 0}}},
	{"4", 0, []option{{"ش", 0.3}, {"ذ", 0.5}}},
	{"5", 0, []option{{"خ", 0}}},
	{"6", 0, []option{{"ط", 0}}},
	{"7", 0, []option{{"ح", 0}}},
	{"8", 0, []option{{"غ", 0}, {"ه", 0.5}}},
	{"9", 0, []option{{"ق", 0}}},
}

// upperRules: in a word that also has lower-case letters, these capitals
// mark the emphatic consonants (loTilat → لوطيلات).
var upperRules = map[byte]string{'T': "ط", 'S': "ص", 'D': "ض", 'H': "ح", 'Z': "ظ"}

var rulesByFirst = func() [128][]segRule {
	var idx [128][]segRule
	for _, r := range segRules {
		idx[r.latin[0]] = append(idx[r.latin[0]], r)
	}
	for c := range idx {
		sort.SliceStable(idx[c], func(i, j int) bool { return len(idx[c][i].latin) > len(idx[c][j].latin) })
	}
	return idx
}()

// segments splits one Latin word (original case kept) into option lists,
// appended to segs.
func segments(word string, segs [][]option) [][]option {
	hasLower := false
	for i := 0; i < len(word); i++ {
		if word[i] >= 'a' && word[i] <= 'z' {
			hasLower = true
			break
		}
	}
	// Lower-case ASCII only, byte for byte, so that lw and word keep the
	// same offsets (strings.ToLower may change the length of other text).
	lw := word
	if strings.ContainsFunc(word, func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
		b := []byte(word)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		lw = string(b)
	}
	var prevLatin string
	for i := 0; i < len(lw); {
		c := lw[i]
		if c >= 128 {
			i++
			continue
		}
		// A capital marks an emphatic consonant inside a word, or at its start
		// before another consonant (Dbe3 → ضبع); DaynaSor's D is only a capital.
		if hasLower && (i > 0 || i+1 < len(lw) && !isVowel(lw[i+1])) {
			if ar, ok := upperRules[word[i]]; ok {
				if prevLatin != lw[i:i+1] {
					segs = append(segs, []option{{ar, 0}})
				}
				prevLatin = lw[i : i+1]
				i++
				continue
			}
		}
		// A doubled consonant at the start is the assimilated article:
		// rraya → الرايه, lla → اللا.
		if i == 0 && len(lw) > 2 && lw[1] == c && !isVowel(c) && c >= 'a' && c <= 'z' && c != 'w' && c != 'y' {
			segs = append(segs, []option{{"ال", 0}, {"", 0.3}})
		}
		matched := false
		for _, r := range rulesByFirst[c] {
			if !strings.HasPrefix(lw[i:], r.latin) {
				continue
			}
			end := i + len(r.latin)
			switch r.pos {
			case 'i':
				if i != 0 {
					continue
				}
			case 'f':
				if end != len(lw) || i == 0 {
					continue
				}
			}
			// A doubled consonant is one letter with shadda, which is not written.
			if r.latin == prevLatin && len(r.latin) == 1 && !isVowel(c) && !(c >= '0' && c <= '9') {
				matched = true
				i = end
				break
			}
			segs = append(segs, r.opts)
			prevLatin = r.latin
			i = end
			matched = true
			break
		}
		if !matched {
			i++
		}
	}
	return segs
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// maxCandidateWord bounds the words TranslitCandidates enumerates.
const maxCandidateWord = 64

// TranslitCandidates returns up to k Arabic-script spellings of one Arabizi
// word, most likely first, in folded form. Non-Latin characters are
// ignored; it returns nil for a word with no Latin letters or digits.
func TranslitCandidates(word string, k int) []string {
	if k <= 0 {
		return nil
	}
	if len(word) > maxCandidateWord {
		// Spelling variants of a very long "word" are meaningless and would
		// cost quadratic time: give the best spelling only.
		if w := translitWord(word); w != "" {
			return []string{w}
		}
		return nil
	}
	segs := segments(word, nil)
	if len(segs) == 0 {
		return nil
	}
	type cand struct {
		s    string
		cost float32
	}
	beam := []cand{{"", 0}}
	width := max(k*4, 8)
	for _, opts := range segs {
		next := make([]cand, 0, len(beam)*len(opts))
		for _, b := range beam {
			for _, o := range opts {
				next = append(next, cand{b.s + o.ar, b.cost + o.cost})
			}
		}
		sort.SliceStable(next, func(i, j int) bool { return next[i].cost < next[j].cost })
		if len(next) > width {
			next = next[:width]
		}
		beam = next
	}
	out := make([]string, 0, k)
	seen := map[string]bool{}
	for _, b := range beam {
		if b.s == "" || seen[b.s] {
			continue
		}
		seen[b.s] = true
		out = append(out, b.s)
		if len(out) == k {
			break
		}
	}
	return out
}

// translitWord returns the cheapest spelling of one word without
// allocating candidate lists.
func translitWord(word string) string {
	var arr [32][]option
	segs := segments(word, arr[:0])
	var buf [128]byte
	b := buf[:0]
	for _, opts := range segs {
		b = append(b, opts[0].ar...)
	}
	return string(b)
}

// Translit transliterates the Latin-script (Arabizi) words of s to Arabic
// script and returns the folded text: words separated by single spaces,
// Arabizi words in Arabic script, other words folded as by Fold.
func Translit(s string) string {
	d := Analyze(s)
	var b strings.Builder
	for i, t := range d.Tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case t.Translit != "":
			b.WriteString(t.Translit)
		case isLatinWord(t.Text):
			if w := translitWord(t.Text); w != "" {
				b.WriteString(w)
				continue
			}
			b.WriteString(t.Text)
		default:
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// isLatinWord reports a folded word made of ASCII letters and digits with
// at least one letter.
func isLatinWord(w string) bool {
	letter := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// looksArabizi reports a Latin word that mixes letters with an Arabizi
// digit (3lik, sa2al, m9adin), which marks Arabizi whatever the language of
// the rest of the text.
func looksArabizi(w string) bool {
	letters, dig := 0, false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			letters++
		case c == '2' || c == '3' || c == '5' || c == '7' || c == '8' || c == '9':
			dig = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return dig && letters >= 1
}

// arabiziWords are Darija words in Arabizi frequent enough to mark a word
// as Arabizi inside a French or English text (c'est la hogra, wach had chi
// normal?), written for Basira. English and French words are left out.
var arabiziWords = map[string]bool{
	"wach": true, "wash": true, "hadchi": true, "hadi": true, "dyal": true, "dial": true,
	"dyali": true, "dyalek": true, "dyalo": true, "bzaf": true, "bezaf": true, "daba": true,
	"kayn": true, "kayna": true, "kayen": true, "machi": true, "mashi": true, "walo": true,
	"chi": true, "chno": true, "chnou": true, "achno": true, "3lach": true, "kifach": true,
	"fen": true, "ghadi": true, "bghit": true, "bghina": true, "mzyan": true,
	"mezyan": true, "khoya": true, "khouya": true, "sahbi": true, "nta": true, "nti": true,
	"ntouma": true, "7na": true, "hna": true, "hoghra": true, "hogra": true, "wakha": true,
	"safi": true, "yallah": true, "inchallah": true, "wallah": true, "lhamdulillah": true,
	"lmakhzen": true, "makhzen": true, "flous": true, "lflous": true, "drari": true, "bnadem": true,
}

// translit fills Token.Translit for the Arabizi words of d.
func (s *scanner) translit(d *Doc, text string) {
	all := d.Lang == LangArabizi
	for i := range d.Tokens {
		t := &d.Tokens[i]
		if !isLatinWord(t.Text) {
			continue
		}
		if inLinkOrHandle(text, t) {
			continue
		}
		if all || looksArabizi(t.Text) || arabiziWords[t.Text] {
			// The original spelling keeps case (T=ط, S=ص) when it folds
			// to the same letters; otherwise use the folded word.
			orig := text[t.Start:t.End]
			if len(orig) != len(t.Text) || !isASCII(orig) {
				orig = t.Text
			}
			t.Translit = translitWord(orig)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ConsonantSkeleton drops the letters that Arabizi spellings write or omit
// at will — the long-vowel letters ا و ي, hamza ء, and a final ه (ة) — from
// a folded Arabic-script word, keeping its first letter. Comparing
// skeletons lets a rule term (جهاد) meet the transliteration of an Arabizi
// spelling (jihad → جيهاد): both give جهد. It is coarser than Text: use it
// as an extra, lower-confidence match.
func ConsonantSkeleton(w string) string {
	if w == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(w)
	b := make([]byte, 0, len(w))
	b = append(b, w[:n]...)
	rest := w[n:]
	rest = strings.TrimSuffix(rest, "ه")
	for _, r := range rest {
		switch r {
		case 'ا', 'و', 'ي', 'ء', 'ى':
			continue
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// FoldEmphatics maps each emphatic or interdental letter to the plain
// letter that Arabizi most often writes for it, so that spellings which
// lose the distinction still compare equal: ض ذ ظ → د (d), ط ث → ت (t),
// ص → س (s), ح → ه (h). Use it on skeletons, never on text to show.
func FoldEmphatics(w string) string {
	if !strings.ContainsAny(w, "ضذظطثصح") {
		return w
	}
	return emphaticFolder.Replace(w)
}

var emphaticFolder = strings.NewReplacer("ض", "د", "ذ", "د", "ظ", "د", "ط", "ت", "ث", "ت", "ص", "س", "ح", "ه")

// inLinkOrHandle reports a token that is part of a link (https, t.co/Ab3x7)
// or a handle (@user_3) rather than a word.
func inLinkOrHandle(text string, t *Token) bool {
	switch t.Text {
	case "http", "https", "www":
		return true
	}
	if t.Start > 0 {
		switch text[t.Start-1] {
		case '/', '@':
			return true
		case '.':
			return t.End < len(text) && text[t.End] == '/'
		}
	}
	return false
}
