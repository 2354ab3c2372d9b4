package arabic

import "sync"

// Latin-script languages other than English, French and Arabizi have no
// training data here, so the model would call them en, fr or ary-Latn.
// Their most frequent function words, written for Basira, mark them: a
// text with several of these and fewer English or French ones is und.
// Words shared with English, French or Arabizi (de, la, en, que, die, is,
// el, al, y, ma, bu …) are left out.
var otherLatinWords = lazySetOf(
	// Spanish
	"los", "las", "por", "con", "para", "del", "como", "pero", "muy", "también", "está", "son",
	"hay", "una", "uno", "esta", "este", "porque", "cuando",
	// Portuguese
	"não", "com", "dos", "das", "mais", "foi", "são", "muito", "isso", "você", "ele", "ela",
	// Italian
	"gli", "che", "non", "è", "per", "sono", "della", "anche", "più", "questo",
	// German
	"der", "das", "und", "ist", "nicht", "ein", "eine", "ich", "mit", "auf", "für", "von", "zu",
	"den", "dem", "sie", "wir", "auch", "sich", "nach", "wie", "aber", "oder",
	// Dutch
	"het", "een", "van", "dat", "niet", "zijn", "voor", "met", "ook", "maar",
	// Turkish
	"bir", "ve", "için", "ile", "çok", "var", "ama", "gibi", "daha", "olarak", "değil",
	// Indonesian / Malay
	"yang", "dan", "ini", "itu", "dengan", "untuk", "tidak", "dari", "akan",
)

// englishFrenchWords are frequent English and French function words.
var englishFrenchWords = lazySetOf(
	"the", "and", "of", "to", "is", "in", "it", "that", "for", "you", "was", "with", "on", "are",
	"this", "be", "have", "not", "but", "they", "at", "from", "by", "or", "we", "an", "will",
	"le", "la", "les", "de", "des", "et", "un", "une", "est", "que", "qui", "dans", "pour", "pas",
	"sur", "au", "du", "ce", "il", "elle", "je", "nous", "vous", "avec", "mais", "ou", "son", "sa",
)

// lazySetOf builds the set on first use: folding needs the fold table,
// whose construction would otherwise run in init for every command.
func lazySetOf(words ...string) func() map[string]bool {
	return sync.OnceValue(func() map[string]bool { return setOf(words...) })
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		// Fold removes accents, as it does for the words it compares.
		m[Fold(w)] = true
	}
	return m
}

// otherLatin reports a Latin-script text that looks like another language
// than English, French or Arabizi: at least two of those function words,
// more than English/French ones, one word in eight, and no Arabizi digits.
func (s *scanner) otherLatin(folded string) bool {
	other, enfr, words, arabizi := 0, 0, 0, false
	enfrSet, otherSet := englishFrenchWords(), otherLatinWords()
	for _, sp := range s.spans {
		if sp.flags&fLatin == 0 {
			continue
		}
		words++
		w := folded[sp.ts:sp.te]
		arabizi = arabizi || looksArabizi(w)
		switch {
		case enfrSet[w]:
			enfr++
		case otherSet[w]:
			other++
		}
	}
	return !arabizi && other >= 2 && other > enfr && 8*other >= words
}
