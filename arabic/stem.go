package arabic

import (
	"strings"
	"unicode/utf8"

	snowball "github.com/blevesearch/snowballstem"
	snowballar "github.com/blevesearch/snowballstem/arabic"
)

// Light stemmer affixes, as in Lucene's ArabicStemmer (Larkey, Ballesteros
// and Connell, "Light Stemming for Arabic Information Retrieval"), in
// folded form: ة is already ه.
var (
	stemPrefixes = []string{"ال", "وال", "بال", "كال", "فال", "لل", "و"}
	stemSuffixes = []string{"ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"}
)

// Stem is a light stemmer in the manner of Lucene's ArabicStemmer: it folds
// word, removes one prefix group (ال وال بال كال فال لل و) and then each
// of the suffixes ها ان ات ون ين يه ية ه ة ي in turn, keeping at least two
// letters. Non-Arabic words are returned folded.
func Stem(word string) string {
	w := Fold(word)
	if strings.IndexByte(w, ' ') >= 0 || w == "" || w[0] < 0xD8 || w[0] > 0xDB {
		return w
	}
	return lightStem(w)
}

// lightStem stems an already folded Arabic word.
func lightStem(w string) string {
	n := utf8.RuneCountInString(w)
	for _, p := range stemPrefixes {
		pl := utf8.RuneCountInString(p)
		if strings.HasPrefix(w, p) && !(pl == 1 && n < 4) && n >= pl+2 {
			w = w[len(p):]
			n -= pl
			break
		}
	}
	for _, suf := range stemSuffixes {
		sl := utf8.RuneCountInString(suf)
		if strings.HasSuffix(w, suf) && n >= sl+2 {
			w = w[:len(w)-len(suf)]
			n -= sl
		}
	}
	return w
}

// SnowballStem stems one word with the Snowball Arabic stemmer (through
// github.com/blevesearch/snowballstem). It applies Snowball's own
// normalization and matches the Snowball reference vocabulary exactly; it
// does not fold first (call Fold yourself if you want both).
func SnowballStem(word string) string {
	env := snowball.NewEnv(word)
	snowballar.Stem(env)
	return env.Current()
}
