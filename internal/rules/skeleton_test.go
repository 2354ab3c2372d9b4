package rules

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/refdata"
)

// TestSkeletonMatching: an Arabic-script term meets the Arabizi spellings
// whose best transliteration gets the short vowels wrong, through the
// consonant skeleton; Arabic-script words never match by skeleton, short
// skeletons and words ending in a vowel letter are not used, and the
// clitic-stripped skeleton is tried only after an article.
func TestSkeletonMatching(t *testing.T) {
	s := mustSet(t, `defaults: {arabizi: loose}
rules:
  - id: jihad
    label: recruitment
    severity: high
    any: ["جهاد"]
  - id: al-jihad
    label: recruitment
    severity: high
    any: ["الجهاد"]
  - id: mujahidin
    label: glorification
    severity: high
    any: ["المجاهدين"]
  - id: dawla
    label: recruitment
    severity: high
    any: ["دولة"]
  - id: strike
    label: incitement
    severity: high
    any: ["اضربوا"]
  - id: lions
    label: glorification
    severity: high
    any: ["الاسود"]
`)
	for _, c := range []struct {
		text string
		want []string
	}{
		{"yallah nmchiw l jihad a khoya", []string{"jihad"}}, // جيهاد → جهد
		{"ana m3a jihaad f sabil allah", []string{"jihad"}},
		{"ana jihadi o nmout 3la dinna", []string{"jihad"}},     // جيهادي → جهد: the skeleton drops a final vowel letter
		{"yallah nmchiw ljihad a khoya", []string{"al-jihad"}},  // لجيهاد: article, then جهد, the base skeleton of الجهاد
		{"salam 3la lmoujahidin dyalna", []string{"mujahidin"}}, // لموجاهيدين: article, then مجهدن
		{"جيهاد", nil},                          // Arabic script is matched as written, never by skeleton
		{"lyoum dawla katsayb triq", nil},       // دولة has a two-letter skeleton (دل): not used
		{"lkhedma dyal iDrab f lmo9awala", nil}, // اضربوا ends in a vowel letter: no skeleton, so no اضراب
		{"had fasad dial lmassoulin", nil},      // فاساد: the stripped ف is a root letter; only an article counts
	} {
		doc := arabic.Analyze(c.text)
		var got []string
		for _, m := range s.Match(doc) {
			got = append(got, m.Rule.ID)
		}
		if !slices.Equal(got, c.want) {
			var tr []string
			for _, tk := range doc.Tokens {
				tr = append(tr, tk.Text+"→"+tk.Translit)
			}
			t.Errorf("%q (lang %s, %v): fired %v, want %v", c.text, doc.Lang, tr, got, c.want)
		}
	}
	// Off (the figure before skeletons), the same Arabizi spellings miss.
	defer func(n int) { minSkeletonLetters = n }(minSkeletonLetters)
	minSkeletonLetters = 0
	s = mustSet(t, "rules:\n  - id: jihad\n    label: recruitment\n    severity: high\n    arabizi: loose\n    any: [\"جهاد\"]\n")
	if ms := s.Match(arabic.Analyze("yallah nmchiw l jihad a khoya")); len(ms) > 0 {
		t.Errorf("without skeletons جهاد matches jihad: the test no longer shows what skeletons add")
	}
}

// TestArabiziSwitch: `arabizi: exact` keeps a rule to transliterations
// (da3ech → داعش) and away from skeletons (jihad → جيهاد ≠ جهاد); loose
// adds skeletons; the file default applies to rules without their own;
// auto (unset) is loose for a rule that needs two words and exact for one
// that one word fires; exceptions are loose whatever the rule says.
func TestArabiziSwitch(t *testing.T) {
	s := mustSet(t, `defaults: {arabizi: exact}
rules:
  - id: exact
    label: recruitment
    severity: high
    any: ["جهاد", "داعش"]
  - id: loose
    label: recruitment
    severity: high
    arabizi: loose
    any: ["جهاد"]
  - id: auto-one-word
    label: recruitment
    severity: high
    arabizi: auto
    any: ["جهاد"]
  - id: auto-near
    label: recruitment
    severity: high
    arabizi: auto
    near: {terms: ["نمشيو", "جهاد"], within: 3}
  - id: exact-near
    label: recruitment
    severity: high
    near: {terms: ["نمشيو", "جهاد"], within: 3}
  - id: exact-with-exception
    label: recruitment
    severity: high
    any: ["ساحات"]
    none: ["جهاد"]
`)
	for _, c := range []struct {
		text string
		want []string
	}{
		{"yallah nmchiw l jihad a khoya", []string{"loose", "auto-near"}},
		{"yallah nmchiw l da3ech a khoya", []string{"exact"}},                                     // the transliteration meets داعش in an exact rule
		{"nmchiw l جهاد", []string{"exact", "loose", "auto-one-word", "auto-near", "exact-near"}}, // Arabic script: every rule
		{"sa7at jihad", []string{"loose"}},                                                        // exact-with-exception: ساحات by transliteration, but the exception جهاد by skeleton
		{"sa7at dyal lfoot", []string{"exact-with-exception"}},
	} {
		var got []string
		for _, m := range s.Match(arabic.Analyze(c.text)) {
			got = append(got, m.Rule.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q fired %v, want %v", c.text, got, c.want)
		}
	}
}

// TestSkeletonBenignArabizi: everyday Arabizi sentences that share
// consonants with the pack's Arabic terms do not fire the example pack.
func TestSkeletonBenignArabizi(t *testing.T) {
	s := loadPack(t)
	for _, text := range []string{
		"lyoum jahd bzaf f lkhedma, bghit nrta7",
		"had lmojahid dial lfoot dar match zwin",
		"khouya mcha l cham l sou9 ychri lkhodra",
		"kan3ref wa7ed smito jihad, drari mzyanin",
		"dawla dyalna khassha t3awn l fellah",
	} {
		if ms := s.Match(arabic.Analyze(text)); len(ms) > 0 {
			t.Errorf("%q fired %s", text, ms[0].Rule.ID)
		}
	}
}

// TestAppendSkeletonMatchesArabic keeps the allocation-free skeleton of
// the scan the same as arabic.ConsonantSkeleton.
func TestAppendSkeletonMatchesArabic(t *testing.T) {
	for _, w := range []string{"", "ا", "ه", "جهاد", "جيهاد", "الجهاد", "لجيهاد", "مجاهدين", "الدولة", "دوله", "اوه", "ءاء", "ياي", "x", "jihad", "بيعة", "ذبح", "دبه", "ه", "ضه", "حطص", "ظاه"} {
		for _, call := range []bool{false, true} {
			if got, want := string(appendSkeleton(nil, w, call)), refSkeleton(w, call); got != want {
				t.Errorf("appendSkeleton(%q, %v) = %q, want %q", w, call, got, want)
			}
		}
	}
}

func FuzzAppendSkeleton(f *testing.F) {
	for _, w := range []string{"جهاد", "الدولة", "\xd9", "ه", "ذبحه"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if !utf8.ValidString(w) {
			return // transliterations are valid UTF-8
		}
		for _, call := range []bool{false, true} {
			if got, want := string(appendSkeleton(nil, w, call)), refSkeleton(w, call); got != want {
				t.Errorf("appendSkeleton(%q, %v) = %q, want %q", w, call, got, want)
			}
		}
	})
}

// arabiziDoc analyses one Arabizi word as it is in an Arabizi post: the
// token gets its transliteration even when the word alone does not look
// like Arabizi (in an ary-Latn post every Latin word does).
func arabiziDoc(w string) *arabic.Doc {
	doc := arabic.Analyze(w)
	for i := range doc.Tokens {
		if doc.Tokens[i].Translit == "" {
			doc.Tokens[i].Translit = arabic.Translit(doc.Tokens[i].Text)
		}
	}
	return doc
}

type wordPair struct{ latin, ar string }

// dodaPairs reads the DODa v2 word pairs (CC BY-NC: evaluation only, read
// in place) whose Latin side is one word and Arabic side one token.
func dodaPairs(t *testing.T) []wordPair {
	path := refdata.Path(t, "arabic/arabizi/doda_v2_word_pairs.CC-BY-NC-4.0.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []wordPair
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.Split(sc.Text(), "\t")
		if len(l) < 2 || strings.HasPrefix(l[0], "#") || strings.Contains(strings.TrimSpace(l[0]), " ") {
			continue
		}
		toks := arabic.Tokenize(l[1])
		if len(toks) != 1 || !isArabicWord(toks[0].Text) {
			continue
		}
		out = append(out, wordPair{strings.TrimSpace(l[0]), toks[0].Text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// recall counts, over word pairs: n whose Arabic word has a rule, found
// where that rule fires on the Arabizi spelling, wrong the rules of other
// words that fire on them, and stray the spellings of words without a rule
// that fire some rule.
type recall struct{ n, found, wrong, stray int }

// measureRecall compiles one rule per Arabic word, loose when loose says
// so (nil: every word), and runs each pair's Arabizi word through it.
func measureRecall(t *testing.T, words []string, loose map[string]bool, pairs []wordPair) recall {
	idx := map[string]int{}
	var rs []*Rule
	for _, w := range words {
		if _, ok := idx[w]; ok {
			continue
		}
		idx[w] = len(rs)
		mode := ArabiziExact
		if loose == nil || loose[w] {
			mode = ArabiziLoose
		}
		rs = append(rs, &Rule{ID: fmt.Sprint("w", len(rs)), Label: "benign", Severity: Low, Any: []string{w}, Arabizi: mode})
	}
	s, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	var r recall
	for _, p := range pairs {
		i, ok := idx[p.ar]
		if !ok {
			if len(s.Match(arabiziDoc(p.latin))) > 0 {
				r.stray++
			}
			continue
		}
		r.n++
		for _, m := range s.Match(arabiziDoc(p.latin)) {
			if m.Rule == rs[i] {
				r.found++
			} else {
				r.wrong++
			}
		}
	}
	return r
}

// TestSkeletonRecallDODa measures what skeleton matching adds on DODa v2
// word pairs, for the Arabic-script words of the example pack found there
// and for every Arabic word of DODa, at several skeleton lengths: found is
// an Arabizi spelling matching its own word's rule, wrong a match of
// another word's rule (a homograph or a false positive). The pack's words
// are measured all loose and as the pack sets them (`arabizi:` per rule: a
// word is loose when one of the rules using it is).
func TestSkeletonRecallDODa(t *testing.T) {
	pairs := dodaPairs(t)
	rs, _, err := LoadPaths([]string{examplePack})
	if err != nil {
		t.Fatal(err)
	}
	var packWords []string
	packLoose := map[string]bool{}
	for _, r := range rs {
		terms := slices.Clone(r.Any)
		for _, g := range r.All {
			terms = append(terms, g...)
		}
		if r.Near != nil {
			for _, g := range r.Near.Terms {
				terms = append(terms, g...)
			}
		}
		for _, term := range terms {
			for _, tk := range arabic.Tokenize(term) {
				if isArabicWord(tk.Text) {
					packWords = append(packWords, tk.Text)
					packLoose[tk.Text] = packLoose[tk.Text] || r.Loose()
				}
			}
		}
	}
	var dodaWords []string
	for _, p := range pairs {
		dodaWords = append(dodaWords, p.ar)
	}
	defer func(n int) { minSkeletonLetters = n }(minSkeletonLetters)
	results := map[int][3]recall{}
	for _, n := range []int{0, 2, 3, 4} {
		minSkeletonLetters = n
		pack, all := measureRecall(t, packWords, nil, pairs), measureRecall(t, dodaWords, nil, pairs)
		shipped := measureRecall(t, packWords, packLoose, pairs)
		results[n] = [3]recall{pack, all, shipped}
		t.Logf("min skeleton %d (0 = off): pack words all loose: %d of %d Arabizi spellings found, %d wrong, %d spellings of other words hit a pack word; as the pack sets arabizi: %d found, %d wrong, %d stray; all DODa words: %d of %d found (%.3f), %d wrong",
			n, pack.found, pack.n, pack.wrong, pack.stray, shipped.found, shipped.wrong, shipped.stray, all.found, all.n, float64(all.found)/float64(max(all.n, 1)), all.wrong)
	}
	off, on := results[0], results[3]
	if off[1].n < 30000 {
		t.Fatalf("read %d DODa pairs, want over 30,000: did the data change?", off[1].n)
	}
	if on[0].found <= off[0].found || on[1].found <= off[1].found {
		t.Errorf("skeleton matching found nothing more: off %v, on %v", off, on)
	}
}

// BenchmarkSkeletonArabizi runs the example pack over 2,000 everyday
// Arabizi sentences (DODa, MIT set), where every Latin word has a
// transliteration and so is looked up by skeleton too, with skeleton
// matching off and on: the per-token cost of the skeleton lookups, alone
// and with the analysis every post gets.
func BenchmarkSkeletonArabizi(b *testing.B) {
	path := refdata.Path(b, "arabic/arabizi/doda_mit_sentences_arabizi_english.tsv")
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	var docs []*arabic.Doc
	var texts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(docs) < 2000 {
		l := strings.Split(sc.Text(), "\t")
		if len(l) < 2 || strings.HasPrefix(l[0], "#") {
			continue
		}
		texts = append(texts, l[0])
		docs = append(docs, arabic.Analyze(l[0]))
	}
	f.Close()
	rs, _, err := LoadPaths([]string{examplePack})
	if err != nil {
		b.Fatal(err)
	}
	defer func(n int) { minSkeletonLetters = n }(minSkeletonLetters)
	for _, n := range []int{0, 3} {
		minSkeletonLetters = n
		s, err := Compile(rs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("minSkeleton=%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				s.Match(docs[i%len(docs)])
				i++
			}
			reportPostsPerSecond(b, i)
		})
		b.Run(fmt.Sprintf("analyze+match/minSkeleton=%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				s.Match(arabic.Analyze(texts[i%len(texts)]))
				i++
			}
			reportPostsPerSecond(b, i)
		})
	}
}

// TestCallKeys: Arabizi calls and plurals with a final o/ou (ndmo, siro,
// 9atlo, dbe7o, tla7qo) meet the Arabic-script plural imperatives of the
// rules through call keys, whatever emphatic letter the Arabizi loses
// (d for ض and ذ, 7 or h for ح); singular and noun forms do not meet the
// plural imperative, and without call keys none of them match.
func TestCallKeys(t *testing.T) {
	src := `defaults: {arabizi: loose}
rules:
  - {id: join, label: recruitment, severity: high, any: ["انضموا"]}
  - {id: join-darija, label: recruitment, severity: high, any: ["انضمو"]}
  - {id: rally, label: recruitment, severity: high, any: ["التحقوا"]}
  - {id: go, label: recruitment, severity: high, any: ["سيروا"]}
  - {id: go-one, label: recruitment, severity: high, any: ["سير"]}
  - {id: fight, label: incitement, severity: high, any: ["قاتلوا"]}
  - {id: slaughter, label: incitement, severity: high, any: ["اذبحوا"]}
  - {id: strike, label: incitement, severity: high, any: ["اضربوا"]}
  - {id: daeshi, label: glorification, severity: high, any: ["داعشي"]}
`
	s := mustSet(t, src)
	cases := []struct {
		text string
		want []string
	}{
		{"ndmo", []string{"join", "join-darija"}},
		{"ndmou", []string{"join", "join-darija"}},
		{"indammo", []string{"join", "join-darija"}},
		{"tla7qo", []string{"rally"}}, // form VIII, first two letters swapped as Darija says it
		{"tla7qou", []string{"rally"}},
		{"siro", []string{"go"}},
		{"sirou", []string{"go"}},
		{"sir", []string{"go-one"}}, // the singular, through its transliteration only
		{"9atlo", []string{"fight"}},
		{"qatlou", []string{"fight"}},
		{"dbe7o", []string{"slaughter"}}, // د for ذ, 7 for ح
		{"dbeho", []string{"slaughter"}}, // h for ح
		{"Dorbo", []string{"strike"}},
		{"dorbo", []string{"strike"}},
		{"da3echi", []string{"daeshi"}},
		{"iDrab", nil}, // the noun اضراب: no ending, no call key
		{"dbe7", nil},  // the singular does not meet the plural imperative
		{"9atl", nil},
	}
	check := func(s *Set, c struct {
		text string
		want []string
	}) {
		t.Helper()
		doc := arabiziDoc(c.text)
		var got []string
		for _, m := range s.Match(doc) {
			got = append(got, m.Rule.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q (→ %s): fired %v, want %v", c.text, doc.Tokens[0].Translit, got, c.want)
		}
	}
	for _, c := range cases {
		check(s, c)
	}
	defer func(b bool) { useCallKeys = b }(useCallKeys)
	useCallKeys = false
	s = mustSet(t, src)
	for _, c := range cases[:len(cases)-3] {
		if c.text == "sir" || c.text == "da3echi" {
			continue // the transliteration meets سير; داعيشي has no call key to lose
		}
		c.want = nil
		check(s, c)
	}
}

// TestCallKeysInPack: the Arabizi calls to join a group that the example
// pack missed (issue 11) fire its Darija recruitment rule.
func TestCallKeysInPack(t *testing.T) {
	s := loadPack(t)
	for _, text := range []string{"ndmo l da3ich daba", "ndmou l dawla dial lkhilafa", "tla7qo b lmojahidin f cham"} {
		var got []string
		for _, m := range s.Match(arabic.Analyze(text)) {
			got = append(got, m.Rule.ID)
		}
		if !slices.Contains(got, "recruit-call-darija") {
			t.Errorf("%q fired %v, want recruit-call-darija", text, got)
		}
	}
}

// TestCallKeyRecallDODa measures call keys and emphatic folding on DODa
// v2 word pairs: recall of all DODa words and of those ending in a vowel
// letter (where call keys apply), and for the example pack's words (as the
// pack sets arabizi:) the spellings of other words that hit a pack word.
func TestCallKeyRecallDODa(t *testing.T) {
	pairs := dodaPairs(t)
	var vowelPairs []wordPair
	var dodaWords, vowelWords []string
	for _, p := range pairs {
		dodaWords = append(dodaWords, p.ar)
		last, _ := utf8.DecodeLastRuneInString(p.ar)
		if last == 'و' || last == 'ي' {
			vowelPairs = append(vowelPairs, p)
			vowelWords = append(vowelWords, p.ar)
		}
	}
	packWords, packLoose := packTerms(t)
	defer func(f, c bool) { foldEmphatics, useCallKeys = f, c }(foldEmphatics, useCallKeys)
	type res struct{ all, vowel, pack recall }
	got := map[[2]bool]res{}
	for _, cfg := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		foldEmphatics, useCallKeys = cfg[0], cfg[1]
		r := res{measureRecall(t, dodaWords, nil, pairs), measureRecall(t, vowelWords, nil, vowelPairs), measureRecall(t, packWords, packLoose, pairs)}
		got[cfg] = r
		t.Logf("fold emphatics %v, call keys %v: all DODa words %d of %d found (%.3f), %d wrong; words ending in و/ي %d of %d (%.3f), %d wrong; pack as shipped %d of %d found, %d stray",
			cfg[0], cfg[1], r.all.found, r.all.n, float64(r.all.found)/float64(r.all.n), r.all.wrong,
			r.vowel.found, r.vowel.n, float64(r.vowel.found)/float64(r.vowel.n), r.vowel.wrong, r.pack.found, r.pack.n, r.pack.stray)
	}
	before, after := got[[2]bool{}], got[[2]bool{true, true}]
	if after.vowel.found <= before.vowel.found || after.all.found <= before.all.found {
		t.Errorf("call keys and folding found nothing more: before %+v, after %+v", before, after)
	}
}

// packTerms returns the Arabic-script words of the example pack, and
// which of them are loose in some rule.
func packTerms(t *testing.T) ([]string, map[string]bool) {
	rs, _, err := LoadPaths([]string{examplePack})
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	loose := map[string]bool{}
	for _, r := range rs {
		terms := slices.Clone(r.Any)
		for _, g := range r.All {
			terms = append(terms, g...)
		}
		if r.Near != nil {
			for _, g := range r.Near.Terms {
				terms = append(terms, g...)
			}
		}
		for _, term := range terms {
			for _, tk := range arabic.Tokenize(term) {
				if isArabicWord(tk.Text) {
					words = append(words, tk.Text)
					loose[tk.Text] = loose[tk.Text] || r.Loose()
				}
			}
		}
	}
	return words, loose
}

// FuzzCallKey: a call key of any valid word is valid UTF-8, ends in its
// ending letter (so it never equals a plain skeleton, which has no vowel
// letter after its first) and has at least minSkeletonLetters letters.
func FuzzCallKey(f *testing.F) {
	for _, w := range []string{"انضموا", "التحقوا", "سيرو", "ذبحوا", "اوا", "و", "تت", "اتتو"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if !utf8.ValidString(w) {
			return
		}
		for _, swap := range []bool{false, true} {
			k := appendCallKey(nil, w, swap)
			if len(k) == 0 {
				continue
			}
			if !utf8.Valid(k) {
				t.Fatalf("appendCallKey(%q, %v) = %q: not UTF-8", w, swap, k)
			}
			last, _ := utf8.DecodeLastRune(k)
			if last != 'و' && last != 'ي' {
				t.Fatalf("appendCallKey(%q, %v) = %q: no ending", w, swap, k)
			}
			if n := utf8.RuneCount(k); n < minSkeletonLetters {
				t.Fatalf("appendCallKey(%q, %v) = %q: %d letters", w, swap, k, n)
			}
		}
	})
}
