// Package arabic is Basira's text engine for Arabic-language social media:
// normalization, evasion folding, tokens with clitics, stems, Arabizi
// transliteration and language identification. Matching happens on folded
// forms; offsets always point back into the original text for display.
//
// The hot path is Analyze: one pass over the text through precomputed rune
// tables (no regular expressions), pooled buffers, and three allocations
// per post (the Doc, the folded string, the token slice).
package arabic

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
	// Translit is, for a Latin-script word that looks like Arabizi (the text
	// is ary-Latn, the word mixes letters with the Arabizi digits
	// 2 3 5 7 8 9, or it is a frequent Darija word such as wach, dyal,
	// bzaf), its best Arabic-script transliteration, normalized and folded
	// like Text; "" otherwise. A rule term written in Arabic script
	// thus also matches its common Arabizi spellings.
	Translit string
}

// Doc is the analysis of one text, computed once per post and shared by
// every detector.
type Doc struct {
	Original string
	// Folded is the normalized, folded text: tokens joined by single spaces.
	// It equals Fold(Original).
	Folded string
	Tokens []Token
	// Lang is one of ar, ary, arq-aeb, ar-dialect, ary-Latn, fr, en, und
	// (langid.go).
	Lang string
	// LangConf is the confidence of Lang, in [0, 1] (0 for und).
	LangConf float32
}

// Analyze normalizes, folds and tokenizes text and identifies its language.
func Analyze(text string) *Doc {
	return AnalyzeInto(&Doc{}, text)
}

// AnalyzeInto is Analyze writing into d, whose token slice is reused when
// it is large enough: a caller that analyses post after post (one Doc per
// worker) saves the allocation of the tokens. Everything d held before is
// overwritten; the strings of the new Doc are fresh, so they may outlive d.
func AnalyzeInto(d *Doc, text string) *Doc {
	s := scanners.Get().(*scanner)
	s.reset()
	s.scan(text)
	toks := d.Tokens[:0]
	*d = Doc{Original: text, Folded: string(s.buf)}
	if len(s.spans) > 0 {
		if cap(toks) >= len(s.spans) {
			toks = toks[:len(s.spans)]
			clear(toks)
		} else {
			toks = make([]Token, len(s.spans))
		}
		d.Tokens = toks
		for i := range s.spans {
			sp := &s.spans[i]
			w := d.Folded[sp.ts:sp.te]
			// Fields written one by one into the fresh slice: cheaper than
			// copying a whole Token while the collector is marking.
			tk := &toks[i]
			tk.Text, tk.Start, tk.End = w, sp.start, sp.end
			if sp.flags&fArabic != 0 {
				sp.base = 1
				// Most words are too short or do not start with a proclitic
				// letter: StripClitics is called for the others only.
				if len(w) >= 8 && (w[0] == 0xD8 || w[0] == 0xD9) && cliticIndex[w[0]-0xD8][w[1]] != 0 {
					b := StripClitics(w)
					if len(b) != len(w) {
						tk.Base = b
					}
					sp.base = 1 + len(w) - len(b)
				}
			}
		}
	}
	d.Lang, d.LangConf = s.lang(d.Folded)
	s.translit(d, text)
	if cap(s.buf) <= 1<<16 && cap(s.spans) <= 1<<12 {
		scanners.Put(s)
	}
	return d
}

// Fold is Normalize plus evasion defence, for matching: Latin lower-cased
// and without accents, zero-width and bidi controls removed, elongation
// collapsed (داااعش → داعش), spaced-out letters re-joined (د ا ع ش → داعش),
// cross-script look-alikes in Latin words mapped to Latin (pаypаl → paypal),
// punctuation and symbols dropped. The result is the words of s separated
// by single spaces; it equals Analyze(s).Folded. Never show it as text.
func Fold(s string) string {
	sc := scanners.Get().(*scanner)
	sc.reset()
	sc.scan(s)
	out := string(sc.buf)
	if cap(sc.buf) <= 1<<16 && cap(sc.spans) <= 1<<12 {
		scanners.Put(sc)
	}
	return out
}
