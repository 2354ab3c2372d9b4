package retrieve

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
)

// Text is the analysis of one claim or post as retrieval sees it. All
// forms come from the arabic text engine; this file only chooses which of
// its outputs each retrieval field uses.
type Text struct {
	// Words are the folded tokens, in order.
	Words []string
	// Stems are the stems of Words, in order (same length).
	Stems []string
	// Numbers are the tokens holding a digit, with digits in ASCII.
	Numbers []string
	// Caps are folded Latin-script tokens written with a capital initial:
	// a cheap stand-in for named entities in English and French.
	Caps []string
	// Date is when the text was posted or the claim checked, if known.
	Date *time.Time
	// Arabic is true when most words are in Arabic script (Arabizi words
	// count as Arabic through their transliteration).
	Arabic bool
	// base are the stems without the Darija, Arabizi-skeleton and synonym
	// forms added for matching (see BaseStems).
	base []string
}

// BaseStems returns the stems of the text's own words (and of Arabizi
// words' transliterations), without the forms added so that Darija,
// Arabizi and synonyms meet MSA claims: for comparing posts with each
// other (clustering), where those forms would join unrelated posts.
func (t *Text) BaseStems() []string { return t.base }

// Analyze prepares text for retrieval. date may be nil.
func Analyze(text string, date *time.Time) *Text {
	return AnalyzeDoc(arabic.Analyze(text), date)
}

// AnalyzeDoc is Analyze for a text the engine has already analysed (the
// detector pipeline analyses each post once).
func AnalyzeDoc(doc *arabic.Doc, date *time.Time) *Text {
	text := doc.Original
	toks := doc.Tokens
	t := &Text{
		Words: make([]string, 0, len(toks)),
		Stems: make([]string, 0, len(toks)),
		Date:  date,
	}
	var arabicWords, latinWords int
	for _, tok := range toks {
		w := tok.Text
		if isNoise(w) {
			continue
		}
		t.Words = append(t.Words, w)
		st := stem(tok)
		t.Stems = append(t.Stems, st)
		t.base = append(t.base, st)
		if r, _ := utf8.DecodeRuneInString(w); r >= 0x600 && r < 0x700 {
			arabicWords++
			// Darija and MSA forms of the same word meet (darija.go).
			if darijaOn {
				for _, v := range darijaVariants(w) {
					t.add(v)
				}
			}
			t.addSynonyms(st)
			if c := verbCore(st); c != "" && verbCoreAll {
				t.Words = append(t.Words, c)
				t.Stems = append(t.Stems, c)
			}
		} else if tok.Translit != "" {
			// An Arabizi word: match its Arabic-script spellings too (the
			// engine's best and runner-up: Arabizi spelling is loose).
			arabicWords++
			t.Words = append(t.Words, tok.Translit)
			t.Stems = append(t.Stems, arabic.SnowballStem(tok.Translit))
			t.base = append(t.base, arabic.SnowballStem(tok.Translit))
			alts := arabic.TranslitCandidates(tok.Text, 2)
			for _, alt := range alts {
				if alt != tok.Translit {
					t.Words = append(t.Words, alt)
					t.Stems = append(t.Stems, arabic.SnowballStem(alt))
					t.base = append(t.base, arabic.SnowballStem(alt))
				}
			}
			for _, alt := range append(alts, tok.Translit) {
				if !darijaOn {
					break
				}
				for _, v := range arabiziVariants(alt) {
					t.add(v)
				}
			}
		} else {
			latinWords++
		}
		if hasDigit(w) {
			t.Numbers = append(t.Numbers, asciiDigits(w))
		}
		if r, _ := utf8.DecodeRuneInString(text[tok.Start:tok.End]); r < 0x250 && unicode.IsUpper(r) && len(w) > 1 {
			t.Caps = append(t.Caps, w)
		}
	}
	t.Arabic = arabicWords > 0 && arabicWords >= latinWords
	return t
}

// add appends an extra Arabic-script word and its stem (and the stem's
// verb core), once.
func (t *Text) add(w string) {
	if w == "" || slices.Contains(t.Words, w) {
		return
	}
	st := arabic.SnowballStem(w)
	t.Words = append(t.Words, w)
	t.Stems = append(t.Stems, st)
	t.addSynonyms(st)
	if c := verbCore(st); c != "" && !slices.Contains(t.Stems, c) {
		t.Words = append(t.Words, c)
		t.Stems = append(t.Stems, c)
	}
}

// addSynonyms appends the news-synonym groups of stem st (synonyms.go).
func (t *Text) addSynonyms(st string) {
	if !synonymsOn {
		return
	}
	for _, h := range synonymStem()[st] {
		if !slices.Contains(t.Stems, h) {
			t.Words = append(t.Words, h)
			t.Stems = append(t.Stems, h)
		}
	}
}

// isNoise drops tokens that say nothing about a claim: link fragments
// (pic.twitter.com/…, https) and one-letter Latin tokens.
func isNoise(w string) bool {
	switch w {
	case "pic", "twitter", "com", "https", "http", "www", "t", "co", "amp":
		return true
	}
	return len(w) == 1 && w[0] < 0x80
}

// stem returns the stem used for matching: the engine's Snowball stem for
// Arabic, and a light suffix stripping for Latin-script words.
func stem(tok arabic.Token) string {
	w := tok.Text
	if r, _ := utf8.DecodeRuneInString(w); r < 0x250 {
		return latinStem(w)
	}
	switch stemMode {
	case 1:
		return arabic.Stem(w)
	case 2:
		return arabic.SnowballStem(w)
	}
	if tok.Base != "" {
		return tok.Base
	}
	return w
}

var stemMode = 2

// verbCoreAll adds the verb core of every Arabic stem, not only of the
// Darija and Arabizi forms (a switch for experiments on the training
// splits).
var verbCoreAll = false

// darijaOn adds the Darija and Arabizi forms (darija.go); a switch for
// experiments on the training splits.
var darijaOn = true

// latinStem strips the commonest English/French plural and verb endings so
// that "vaccines" meets "vaccine". It is deliberately light.
func latinStem(w string) string {
	n := len(w)
	switch {
	case n > 5 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing"):
		return w[:n-3]
	case n > 4 && strings.HasSuffix(w, "ed"):
		return w[:n-2]
	case n > 4 && strings.HasSuffix(w, "es") && !strings.HasSuffix(w, "ses"):
		return w[:n-1]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:n-1]
	}
	return w
}

func hasDigit(w string) bool {
	for _, r := range w {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// asciiDigits writes Arabic-Indic and Persian digits as ASCII digits so
// that numbers compare across scripts.
func asciiDigits(w string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		}
		return r
	}, w)
}

// tweetDate is compiled on first use rather than in every command's init.
var tweetDate = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(January|February|March|April|May|June|July|August|September|October|November|December) (\d{1,2}), (\d{4})\s*"?\s*$`)
})

// TrailingDate reads the "— Name (@handle) Month D, YYYY" date that quoted
// tweets end with (the CheckThat! English queries are written this way); it
// returns nil when the text does not end with one.
func TrailingDate(text string) *time.Time {
	m := tweetDate().FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	t, err := time.Parse("January 2, 2006", m[1]+" "+m[2]+", "+m[3])
	if err != nil {
		return nil
	}
	return &t
}
