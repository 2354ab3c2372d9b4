package classify

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/basira-org/basira/arabic"
)

// Named lexicons (beside the jihadist lexicon of lexicon.go). A model
// trained with FeatureConfig.Lexicon naming one of lexiconSources gets,
// for each word (or two adjacent words) of a post found in it, one
// feature for the entry's category, scaled as a group of its own
// (groupDarija): what the training data teaches about a category carries
// over to the lexicon's words that the data never saw. The lexicons are
// written for Basira and embedded; their name carries a version, as
// changing the words changes what a model reads.

//go:embed darija_abuse.txt
var darijaAbuseText string

//go:embed darija_abuse_2.txt
var darijaAbuse2Text string

// lexiconSources are the lexicons a model may name. A version stays
// readable for the models trained with it.
var lexiconSources = map[string]*string{
	"darija-abuse-1": &darijaAbuseText,
	"darija-abuse-2": &darijaAbuse2Text,
}

// lexiconEndings names the lexicons whose vulgar words and slurs are also
// looked up without a possessive or object ending (ترمتك → ترمة), and
// whose training posts (lexiconTemplates) come with contrast posts: the
// same frames around an inoffensive word.
var lexiconEndings = map[string]bool{"darija-abuse-2": true}

// endingCats are the categories looked up without an ending: an insult
// noun with one is as often an animal or a thing (كلبي, حماري).
var endingCats = map[string]bool{"vulgar": true, "slur": true}

// lexicon maps a folded word, or two words joined by a space, to its
// category index; categories are in file order.
type namedLexicon struct {
	cats  []string
	words map[string]uint8
	// pairs holds the first words of two-word entries.
	pairs map[string]bool
	// endings: look words up without their enclitic too (stripEnding).
	endings bool
}

var namedLexicons sync.Map // name → *namedLexicon

// loadLexicon returns the lexicon name, parsed once.
func loadNamedLexicon(name string) (*namedLexicon, error) {
	if l, ok := namedLexicons.Load(name); ok {
		return l.(*namedLexicon), nil
	}
	src, ok := lexiconSources[name]
	if !ok {
		return nil, fmt.Errorf("unknown lexicon %q (this build has %s)", name, strings.Join(lexiconNames(), ", "))
	}
	l := parseNamedLexicon(*src)
	l.endings = lexiconEndings[name]
	namedLexicons.Store(name, l)
	return l, nil
}

func lexiconNames() []string {
	var out []string
	for n := range lexiconSources {
		out = append(out, n)
	}
	return out
}

// parseLexicon reads "[category]" headers and lines of entries separated
// by spaces, the words of a two-word entry joined by _. Arabic-script
// words are folded and Latin ones (Arabizi) transliterated, as tokenText
// gives them in a post.
func parseNamedLexicon(src string) *namedLexicon {
	l := &namedLexicon{words: map[string]uint8{}, pairs: map[string]bool{}}
	cat := -1
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			l.cats = append(l.cats, line[1:len(line)-1])
			cat = len(l.cats) - 1
			continue
		}
		if cat < 0 {
			continue
		}
		for _, entry := range strings.Fields(line) {
			var ws []string
			for _, w := range strings.Split(entry, "_") {
				ws = append(ws, lexWord(w))
			}
			if len(ws) > 1 {
				l.pairs[ws[0]] = true
			}
			key := strings.Join(ws[:min(len(ws), 2)], " ")
			if _, dup := l.words[key]; !dup {
				l.words[key] = uint8(cat)
			}
		}
	}
	return l
}

// lexWord returns one lexicon word as it is looked up: Arabic script
// folded, Arabizi in lower-case Latin letters (a post's Arabizi word is
// looked up as written, and by its transliteration among the
// Arabic-script entries).
func lexWord(w string) string {
	if isLatin(w) {
		return strings.ToLower(w)
	}
	return arabic.Fold(w)
}

func isLatin(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 0x80 {
			return false
		}
	}
	return w != ""
}

// lexiconFeatures emits one feature per lexicon category hit by a word (as
// written, an Arabizi word's transliteration, its clitic-stripped form) or
// two adjacent words of toks.
func (e *extractor) namedLexiconFeatures(toks []arabic.Token) {
	l := e.named
	for i := range toks {
		t := &toks[i]
		cat, ok := l.words[t.Text]
		if !ok && t.Translit != "" {
			cat, ok = l.words[t.Translit]
		}
		if !ok && t.Base != "" {
			cat, ok = l.words[t.Base]
		}
		if !ok && l.endings {
			for _, w := range [...]string{t.Text, t.Base} {
				if stem, cut := stripEnding(w); cut {
					if c, found := l.words[stem]; found && endingCats[l.cats[c]] {
						cat, ok = c, true
						break
					}
				}
			}
		}
		if !ok && i+1 < len(toks) {
			for _, w := range [...]string{t.Text, t.Translit, t.Base} {
				if w != "" && l.pairs[w] {
					if cat, ok = l.words[w+" "+toks[i+1].Text]; !ok && toks[i+1].Translit != "" {
						cat, ok = l.words[w+" "+toks[i+1].Translit]
					}
					if ok {
						break
					}
				}
			}
		}
		if ok {
			name := l.cats[cat]
			e.emit(fnvString(seed(groupDarija), name), groupDarija, "lexicon", name)
		}
	}
}

// arabicEndings are the possessive and object enclitics of Darija and
// MSA (folded), longest first.
var arabicEndings = [...]string{"كوم", "هوم", "كم", "هم", "ها", "نا", "ني", "ك", "ه", "و", "ي"}

// stripEnding removes one enclitic from folded word w, leaving at least
// three letters; a feminine ت before it becomes ه, the folded ة
// (ترمتك → ترمه).
func stripEnding(w string) (string, bool) {
	if !strings.ContainsFunc(w, func(r rune) bool { return r >= 0x0600 && r <= 0x06FF }) {
		return "", false
	}
	for _, e := range arabicEndings {
		stem, ok := strings.CutSuffix(w, e)
		if !ok || len(stem) < 6 {
			continue
		}
		if t, ok := strings.CutSuffix(stem, "ت"); ok {
			stem = t + "ه"
		}
		return stem, true
	}
	return "", false
}
