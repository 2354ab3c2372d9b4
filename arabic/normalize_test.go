package arabic

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/basira-org/basira/internal/refdata"
)

var update = flag.Bool("update", false, "rewrite testdata/probes_expected.tsv from the current output")

func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	rows, err := readTSV(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// luceneDifferences names each Lucene case where Basira deliberately
// differs, with Basira's output and the reason.
var luceneDifferences = map[string]struct{ want, why string }{
	"ArabicStemFilter/testNonArabic/English":                            {"english", "Stem folds first: Latin is lower-cased"},
	"ArabicStemFilter/testWithKeywordAttribute/ساهدهات":                 {"ساهد", "no keyword (stem-exclusion) sets: callers skip stemming themselves"},
	"ArabicAnalyzer/testBasicFeatures/ما ملكت أيمانكم":                  {"ما ملكت ايمانكم", "no stopword removal: rules need function words such as لا and ما"},
	"ArabicAnalyzer/testBasicFeatures/الذين ملكت أيمانكم":               {"ذين ملكت ايمانكم", "no stopword removal; the light stemmer then strips ال from الذين as Lucene's stemmer does"},
	"ArabicAnalyzer/testCustomStopwords/The quick brown fox.":           {"the quick brown fox", "no stopword removal"},
	"ArabicAnalyzer/testWithStemExclusionSet/كبيرة the quick ساهدهات#0": {"كبير the quick ساهد", "no stem-exclusion sets"},
}

func TestLuceneCases(t *testing.T) {
	rows := readRows(t, refdata.Path(t, "arabic/lucene_arabic_cases.tsv"))
	seen := map[string]int{}
	diffs := 0
	for _, r := range rows {
		for len(r) < 4 {
			r = append(r, "")
		}
		suite, method, in, want := r[0], r[1], r[2], r[3]
		var got string
		switch suite {
		case "ArabicNormalizationFilter", "PersianNormalizationFilter":
			got = Normalize(in)
		case "ArabicStemFilter":
			got = Stem(in)
		case "ArabicAnalyzer":
			var out []string
			for _, w := range strings.Fields(Fold(in)) {
				out = append(out, Stem(w))
			}
			got = strings.Join(out, " ")
		case "ArabicFilters":
			var out []string
			for _, w := range strings.Fields(Normalize(in)) {
				if method == "testStemmer" {
					w = Stem(w)
				}
				out = append(out, w)
			}
			got = strings.Join(out, " ")
		default:
			t.Fatalf("unknown Lucene suite %q: decide how Basira treats it", suite)
		}
		key := suite + "/" + method + "/" + in
		if n := seen[key]; n > 0 || key == "ArabicAnalyzer/testWithStemExclusionSet/كبيرة the quick ساهدهات" {
			if _, ok := luceneDifferences[key+"#"+strconv.Itoa(n)]; ok {
				key += "#" + strconv.Itoa(n)
			}
		}
		seen[suite+"/"+method+"/"+in]++
		if d, ok := luceneDifferences[key]; ok {
			diffs++
			if got != d.want {
				t.Errorf("%s: deliberate difference (%s): got %q, want %q", key, d.why, got, d.want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s: got %q, want %q (Lucene)", key, got, want)
		}
	}
	if diffs != len(luceneDifferences) {
		t.Errorf("%d of %d named Lucene differences were exercised", diffs, len(luceneDifferences))
	}
}

func TestBleveAndGarabicCases(t *testing.T) {
	// Deliberate differences from bleve, as from Lucene: Stem lower-cases
	// Latin, and the analyzer removes no stopwords.
	bleveDiff := map[string]string{
		"bleve_ar_stem/English":                "english",
		"bleve_ar_analyzer/ما ملكت أيمانكم":    "ما ملكت ايمانكم",
		"bleve_ar_analyzer/الذين ملكت أيمانكم": "ذين ملكت ايمانكم",
	}
	for _, r := range readRows(t, refdata.Path(t, "arabic/bleve_pairs.tsv")) {
		for len(r) < 3 {
			r = append(r, "")
		}
		var got string
		switch r[0] {
		case "bleve_ar_normalize", "bleve_fa_normalize":
			got = Normalize(r[1])
		case "bleve_ar_stem":
			got = Stem(r[1])
		case "bleve_ar_analyzer":
			var out []string
			for _, w := range strings.Fields(Fold(r[1])) {
				out = append(out, Stem(w))
			}
			got = strings.Join(out, " ")
		default:
			t.Errorf("unknown bleve table %q: decide how Basira treats it", r[0])
			continue
		}
		want := r[2]
		if d, ok := bleveDiff[r[0]+"/"+r[1]]; ok {
			want = d
		}
		if got != want {
			t.Errorf("%s %q: got %q, want %q", r[0], r[1], got, want)
		}
	}
	for _, r := range readRows(t, refdata.Path(t, "arabic/garabic_cases.tsv")) {
		if len(r) < 4 {
			continue
		}
		in, want := r[2], r[3]
		switch r[0] {
		case "removeHarakatTestCases":
			// garabic keeps hamza forms when removing harakat; Basira's
			// Normalize also unifies them, so compare after unifying both.
			want = Normalize(want)
		case "normalizeTestCases", "englishNumbersTestCases":
		case "arabicNumbersTestCases":
			continue // ASCII → Arabic-Indic digits: not a Basira function
		default:
			t.Errorf("unknown garabic table %q: decide how Basira treats it", r[0])
			continue
		}
		// Deliberate difference: garabic keeps hamza seats (ؤ ئ); Basira's
		// default unifies them, so compare with them kept.
		if got := NormalizeWith(in, NormalizeOptions{KeepHamzaSeats: r[0] == "normalizeTestCases"}); got != want {
			t.Errorf("garabic %s %q: got %q, want %q", r[1], in, got, want)
		}
	}
}

func unescape(t *testing.T, s string) string {
	t.Helper()
	u, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		t.Fatalf("bad escape %q: %v", s, err)
	}
	return u
}

func escape(s string) string {
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}

// TestProbes checks Basira's decided behaviour on every probe (the golden
// file records the decisions) and, per category, the property the decision
// stands for.
func TestProbes(t *testing.T) {
	probes := readRows(t, refdata.Path(t, "arabic/probes.tsv"))
	if len(probes) != 157 {
		t.Fatalf("probes.tsv has %d probes, want 157", len(probes))
	}
	if *update {
		var b strings.Builder
		b.WriteString("# Basira's expected behaviour on shared/data/arabic/probes.tsv (inputs there; decisions ours, see docs/text-engine.md).\n")
		b.WriteString("# id\tcategory\tfold (\\u-escaped: arabic.Fold output)\tnormalize (\\u-escaped: arabic.Normalize output)\n")
		for _, p := range probes {
			in := unescape(t, p[3])
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", p[0], p[1], escape(Fold(in)), escape(Normalize(in)))
		}
		if err := os.WriteFile("testdata/probes_expected.tsv", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exp := map[string][]string{}
	for _, r := range readRows(t, "testdata/probes_expected.tsv") {
		for len(r) < 4 {
			r = append(r, "")
		}
		exp[r[0]] = r
	}
	for _, p := range probes {
		id, cat, in := p[0], p[1], unescape(t, p[3])
		e, ok := exp[id]
		if !ok {
			t.Errorf("%s (%s): no decided behaviour in testdata/probes_expected.tsv", id, cat)
			continue
		}
		fold, normd := Fold(in), Normalize(in)
		if want := unescape(t, e[2]); fold != want {
			t.Errorf("%s (%s) Fold(%q) = %q, want %q", id, cat, in, fold, want)
		}
		if want := unescape(t, e[3]); normd != want {
			t.Errorf("%s (%s) Normalize(%q) = %q, want %q", id, cat, in, normd, want)
		}
		// The property each category's decision stands for.
		switch cat {
		case "tashkeel", "tatweel", "alef", "presentation_forms", "persian_urdu_maghrebi":
			for _, r := range fold {
				if unicode.Is(unicode.Mn, r) || r == 0x0640 || r >= 0xFB50 && r <= 0xFEFF || r >= 0x0671 && r <= 0x06FF && r != 0x06F0 {
					t.Errorf("%s (%s): Fold left %U in %q", id, cat, r, fold)
				}
			}
		case "invisible":
			if fold != "مرحبا" && fold != "casino" {
				t.Errorf("%s: an invisible character survived or split the word: %q", id, fold)
			}
		case "spaces":
			if fold != "سلام عليكم" || strings.ContainsFunc(normd, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) {
				t.Errorf("%s: odd space not unified: fold %q normalize %q", id, fold, normd)
			}
		case "digits":
			if strings.ContainsFunc(fold, func(r rune) bool { return unicode.IsDigit(r) && r > '9' }) {
				t.Errorf("%s: non-ASCII digit left in %q", id, fold)
			}
		case "elongation":
			if strings.Contains(fold, "ووو") || strings.Contains(fold, "aaa") || strings.Contains(fold, "333") {
				t.Errorf("%s: elongation not collapsed: %q", id, fold)
			}
		case "arabizi":
			if l := DetectLang(in); l != LangArabizi {
				t.Errorf("%s: language %s, want ary-Latn", id, l)
			}
			for _, tk := range Analyze(in).Tokens {
				if tk.Translit == "" {
					t.Errorf("%s: token %q has no transliteration", id, tk.Text)
				}
			}
		}
	}
}

func TestNormalizeOptions(t *testing.T) {
	cases := []struct {
		in   string
		o    NormalizeOptions
		want string
	}{
		{"مدرسة", NormalizeOptions{}, "مدرسه"},
		{"مدرسة", NormalizeOptions{KeepTehMarbuta: true}, "مدرسة"},
		{"مصطفى", NormalizeOptions{KeepAlefMaqsura: true}, "مصطفى"},
		{"مؤمن سائل", NormalizeOptions{}, "مومن سايل"},
		{"مؤمن سائل", NormalizeOptions{KeepHamzaSeats: true}, "مؤمن سائل"},
		{"ڭالها کتابی", NormalizeOptions{}, "كالها كتابي"},
		{"ڭالها کتابی", NormalizeOptions{KeepLetterVariants: true}, "ڭالها کتابی"},
		{"١٢٣", NormalizeOptions{KeepDigits: true}, "١٢٣"},
		{"١٢٣ ۴", NormalizeOptions{}, "123 4"},
		{"Élève\u00a0ÇA", NormalizeOptions{}, "Élève ÇA"},
		{"e\u0301", NormalizeOptions{}, "é"},
		{"plain ascii", NormalizeOptions{}, "plain ascii"},
	}
	for _, c := range cases {
		if got := NormalizeWith(c.in, c.o); got != c.want {
			t.Errorf("NormalizeWith(%q, %+v) = %q, want %q", c.in, c.o, got, c.want)
		}
	}
}

// TestConfusablePairs checks the upstream confusable pairs whose both sides
// are Latin look-alikes: folding must bring them together.
func TestConfusablePairs(t *testing.T) {
	f, err := os.Open(refdata.Path(t, "arabic/confusables/upstream_confusable_pairs.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	checked := 0
	for sc.Scan() {
		r := strings.Split(sc.Text(), "\t")
		if strings.HasPrefix(r[0], "#") || len(r) < 7 || r[3] != "true" {
			continue
		}
		// Only pairs whose ICU skeleton is plain ASCII letters are in scope:
		// Fold maps look-alikes to Latin letters, not full skeletons.
		if !isLatinWord(strings.ToLower(r[4])) || !isLatinWord(strings.ToLower(r[5])) {
			continue
		}
		// Deliberately out of scope: confusions between two ASCII spellings
		// (rn/m, 0/O): Fold keeps digits, which Arabizi uses as letters.
		if isASCII(r[1]) && isASCII(r[2]) || strings.Contains(r[1]+r[2], "rn") {
			continue
		}
		checked++
		if a, b := Fold(r[1]), Fold(r[2]); a != b {
			t.Errorf("%s: Fold(%q) = %q, Fold(%q) = %q; want equal", r[0], r[1], a, r[2], b)
		}
	}
	if checked == 0 {
		t.Error("no confusable pair checked")
	}
}

// TestCamelArclean compares Fold with CAMeL Tools' arclean map on every
// single character arclean maps to Arabic letters: both must agree once
// the target is folded too. (arclean turns zero-width characters into
// spaces, which would split words: Basira removes them instead, see
// TestProbes.)
func TestCamelArclean(t *testing.T) {
	b, err := os.ReadFile(refdata.Path(t, "arabic/camel_arclean_map.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		CharMap map[string]*string `json:"charMap"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for k, v := range m.CharMap {
		if v == nil || utf8.RuneCountInString(k) != 1 || !strings.ContainsFunc(*v, func(r rune) bool { return r >= 0x0621 && r <= 0x064A }) {
			continue
		}
		checked++
		if got, want := Fold(k), Fold(*v); got != want {
			t.Errorf("Fold(%q U+%04X) = %q, arclean gives %q (folded %q)", k, []rune(k)[0], got, *v, want)
		}
	}
	if checked < 25 {
		t.Errorf("only %d arclean mappings checked", checked)
	}
}
