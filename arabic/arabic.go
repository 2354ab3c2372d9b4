// Package arabic is Basira's text engine for Arabic-language social media:
// normalization, evasion folding, tokens with clitics, stems, Arabizi
// transliteration and language identification. Matching happens on folded
// forms; offsets always point back into the original text for display.
package arabic

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one word of a text. Text is its normalized, folded form (what
// matching compares); Start and End are byte offsets of the word in the
// original text (what evidence shows).
type Token struct {
	Text  string
	Start int
	End   int
	// Base is Text with Arabic proclitics (و ف ب ل ك ال …) removed, or ""
	// when there is nothing to remove. Matchers try both.
	Base string
}

// Doc is the analysis of one text, computed once per post and shared by
// every detector.
type Doc struct {
	Original string
	// Folded is the normalized, folded text: tokens joined by single spaces.
	Folded string
	Tokens []Token
	// Lang is one of ar, ary, ary-Latn, fr, en, und.
	Lang string
}

// Analyze normalizes, folds and tokenizes text and identifies its language.
func Analyze(text string) *Doc {
	toks := Tokenize(text)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return &Doc{Original: text, Folded: b.String(), Tokens: toks, Lang: DetectLang(text)}
}

// Tokenize splits text into words and returns each word's folded form with
// its offsets in text.
func Tokenize(text string) []Token {
	var toks []Token
	start := -1
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = appendToken(toks, text, start, i)
			start = -1
		}
	}
	if start >= 0 {
		toks = appendToken(toks, text, start, len(text))
	}
	return toks
}

func appendToken(toks []Token, text string, start, end int) []Token {
	f := Fold(text[start:end])
	if f == "" {
		return toks
	}
	t := Token{Text: f, Start: start, End: end}
	if b := StripClitics(f); b != f {
		t.Base = b
	}
	return append(toks, t)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == 0x0640 || r == 0x200C || r == 0x200D
}

// Normalize applies Arabic orthographic normalization: it removes
// diacritics and tatweel and unifies alef forms and alef maqsura.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640:
			continue
		case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
			r = 'ا'
		case r == 'ى':
			r = 'ي'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Fold is Normalize plus evasion defence for matching: lower case, no
// zero-width or bidi controls, letter elongation collapsed.
func Fold(s string) string {
	s = Normalize(s)
	var b strings.Builder
	var prev, prev2 rune
	for _, r := range s {
		if r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			continue
		}
		r = unicode.ToLower(r)
		if r == prev && r == prev2 {
			continue
		}
		prev2, prev = prev, r
		b.WriteRune(r)
	}
	return b.String()
}

// StripClitics removes common Arabic proclitics from a folded word, keeping
// at least three letters.
func StripClitics(w string) string {
	for _, p := range []string{"وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك"} {
		if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= 3 {
			return rest
		}
	}
	return w
}

// DetectLang identifies the language of text: ar, ary, ary-Latn, fr, en
// or und.
func DetectLang(text string) string {
	arabicLetters, latin := 0, 0
	for _, r := range text {
		switch {
		case r >= 0x0600 && r <= 0x06FF:
			arabicLetters++
		case unicode.IsLetter(r) && r < 0x0250:
			latin++
		}
	}
	switch {
	case arabicLetters == 0 && latin == 0:
		return "und"
	case arabicLetters >= latin:
		return "ar"
	}
	return "und"
}
