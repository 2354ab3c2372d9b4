package arabic

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LangEvalRow is the language-ID result on one evaluation set.
type LangEvalRow struct {
	Set    string // e.g. "lingua sentences fr (held-out)"
	Expect string // expected label; "ar|ary" accepts either
	N      int
	Right  int
	// Got counts the labels returned.
	Got map[string]int
}

// Accuracy is Right/N.
func (r LangEvalRow) Accuracy() float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.Right) / float64(r.N)
}

// TranslitEvalRow is the Arabizi transliteration result on one set.
type TranslitEvalRow struct {
	Set string
	N   int
	// CER is the character error rate of the best spelling against the
	// reference, both folded: edit distance / reference length, in runes.
	CER float64
	// Top1 and Top5 are the shares of items (words only) whose reference is
	// the best spelling or among the five best.
	Top1, Top5 float64
	// Skeleton is the share of items (words only) whose ConsonantSkeleton
	// equals the reference's: how often a rule term in Arabic script meets
	// the Arabizi spelling through skeletons.
	Skeleton float64
}

func readTSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		t := sc.Text()
		if strings.HasPrefix(t, "#") || strings.TrimSpace(t) == "" {
			continue
		}
		rows = append(rows, strings.Split(t, "\t"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

func (r *LangEvalRow) add(text string) {
	got := DetectLang(text)
	r.N++
	r.Got[got]++
	for _, e := range strings.Split(r.Expect, "|") {
		if got == e {
			r.Right++
			return
		}
	}
}

// EvalLangID measures language identification on the reference data in
// dir (the shared/data folder): the held-out split of the lingua test sets
// and of the DODa MIT sentences (the model never saw them), DODa v2
// sentence pairs, HaifaCLG sentences with a single language, and
// ElecMorocco comments (Arabic script, MSA and Darija unlabelled: ar|ary),
// and 200 of them labelled ar or ary by hand for Basira (dev and test).
func EvalLangID(dir string) ([]LangEvalRow, error) {
	var rows []LangEvalRow
	newRow := func(set, expect string) *LangEvalRow {
		rows = append(rows, LangEvalRow{Set: set, Expect: expect, Got: map[string]int{}})
		return &rows[len(rows)-1]
	}
	for _, lang := range []string{"ar", "fr", "en", "fa", "ur"} {
		for _, kind := range []string{"sentences", "word-pairs", "single-words"} {
			lines, err := readTSV(filepath.Join(dir, "langid", "lingua_testdata", kind, lang+".txt"))
			if err != nil {
				return nil, err
			}
			expect := lang
			if lang == "fa" || lang == "ur" {
				expect = LangUnknown
			}
			r := newRow(fmt.Sprintf("lingua %s %s (held-out)", kind, lang), expect)
			for i, l := range lines {
				if HeldOut(i) {
					r.add(strings.Join(l, " "))
				}
			}
		}
	}
	doda, err := readTSV(filepath.Join(dir, "arabic", "arabizi", "doda_mit_sentences_arabizi_english.tsv"))
	if err != nil {
		return nil, err
	}
	r := newRow("DODa MIT Arabizi sentences (held-out)", LangArabizi)
	for i, l := range doda {
		if HeldOut(i) {
			r.add(l[0])
		}
	}
	v2, err := readTSV(filepath.Join(dir, "arabic", "arabizi", "doda_v2_sentence_pairs_sample1000.CC-BY-NC-4.0.tsv"))
	if err != nil {
		return nil, err
	}
	ra := newRow("DODa v2 sentences, Arabizi side", LangArabizi)
	rb := newRow("DODa v2 sentences, Arabic-script side", LangDarija)
	for _, l := range v2 {
		if len(l) >= 2 {
			ra.add(l[0])
			rb.add(l[1])
		}
	}
	if err := evalHaifa(filepath.Join(dir, "langid", "haifaclg_arabizi_codeswitch", "sen_annotated.csv"), newRow); err != nil {
		return nil, err
	}
	elec, err := readTSV(filepath.Join(dir, "darija", "ElecMorocco2016.tsv"))
	if err != nil {
		return nil, err
	}
	re := newRow("ElecMorocco2016 comments (Arabic script)", LangMSA+"|"+LangDarija)
	byIndex := map[string]string{}
	for i, l := range elec {
		if i == 0 || len(l) < 2 {
			continue // header
		}
		re.add(l[1])
		byIndex[l[0]] = l[1]
	}
	hand := map[string]*LangEvalRow{}
	for _, split := range []string{"dev", "test"} {
		hand[split+LangMSA] = newRow("ElecMorocco hand-labelled "+split+", MSA", LangMSA)
		hand[split+LangDarija] = newRow("ElecMorocco hand-labelled "+split+", Darija", LangDarija)
	}
	for n, line := range strings.Split(elecHandLabels, "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("elecmorocco_hand_labels.tsv:%d: want index, label, split", n+1)
		}
		text, ok := byIndex[f[0]]
		if !ok {
			return nil, fmt.Errorf("elecmorocco_hand_labels.tsv:%d: comment %s not in ElecMorocco2016.tsv", n+1, f[0])
		}
		if r := hand[f[2]+f[1]]; r != nil {
			r.add(text)
		}
	}
	return rows, nil
}

// elecHandLabels holds ar/ary labels written for Basira for 200 random
// ElecMorocco comments (indices only; the text stays in shared/data): a
// development split and a test split.
//
//go:embed elecmorocco_hand_labels.tsv
var elecHandLabels string

// evalHaifa adds the HaifaCLG sentences annotated with one language only
// (the Language column has flags for Arabizi, English, French, Arabic
// script, mixed/ambiguous words and other tokens; only the first four
// count here).
func evalHaifa(path string, newRow func(set, expect string) *LangEvalRow) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	byLang := map[string]*LangEvalRow{}
	for _, l := range []struct{ name, expect string }{
		{"Arabizi", LangArabizi}, {"English", LangEnglish}, {"French", LangFrench},
		// Mostly Levantine and Egyptian: any Arabic-script reading but und.
		{"Arabic script", LangMSA + "|" + LangDarija + "|" + LangOtherDialect + "|" + LangOtherMaghrebi},
	} {
		byLang[l.name] = newRow("HaifaCLG sentences, only "+l.name, l.expect)
	}
	names := []string{"Arabizi", "English", "French", "Arabic script"}
	line := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if line == 1 || len(rec) < 6 {
			continue
		}
		flags := strings.TrimSpace(rec[len(rec)-1])
		if len(flags) != 6 {
			continue
		}
		only := -1
		for i := range 4 {
			if flags[i] == '1' {
				if only >= 0 {
					only = -2
					break
				}
				only = i
			}
		}
		if only < 0 || flags[4] == '1' {
			continue
		}
		byLang[names[only]].add(rec[4])
	}
	return nil
}

// EvalTranslit measures Arabizi → Arabic transliteration on DODa: the
// MIT-licensed word pairs, the v2 word pairs and the v2 sentence pairs
// (evaluation only: CC BY-NC).
func EvalTranslit(dir string) ([]TranslitEvalRow, error) {
	var out []TranslitEvalRow
	words := func(set, file string) error {
		rows, err := readTSV(filepath.Join(dir, "arabic", "arabizi", file))
		if err != nil {
			return err
		}
		r := TranslitEvalRow{Set: set}
		var dist, total, top1, top5, skel int
		for _, l := range rows {
			if len(l) < 2 || strings.Contains(l[0], " ") {
				continue
			}
			ref := Fold(l[1])
			cands := TranslitCandidates(l[0], 5)
			best := ""
			if len(cands) > 0 {
				best = cands[0]
			}
			dist += editDistance(best, ref)
			if ConsonantSkeleton(best) == ConsonantSkeleton(ref) {
				skel++
			}
			total += len([]rune(ref))
			r.N++
			for i, c := range cands {
				if c == ref {
					if i == 0 {
						top1++
					}
					top5++
					break
				}
			}
		}
		if r.N > 0 {
			r.CER = float64(dist) / float64(max(total, 1))
			r.Top1 = float64(top1) / float64(r.N)
			r.Top5 = float64(top5) / float64(r.N)
			r.Skeleton = float64(skel) / float64(r.N)
		}
		out = append(out, r)
		return nil
	}
	if err := words("DODa MIT word pairs (single words)", "doda_mit_imagenet_general_pairs.tsv"); err != nil {
		return nil, err
	}
	if err := words("DODa v2 word pairs", "doda_v2_word_pairs.CC-BY-NC-4.0.tsv"); err != nil {
		return nil, err
	}
	rows, err := readTSV(filepath.Join(dir, "arabic", "arabizi", "doda_v2_sentence_pairs_sample1000.CC-BY-NC-4.0.tsv"))
	if err != nil {
		return nil, err
	}
	r := TranslitEvalRow{Set: "DODa v2 sentence pairs"}
	var dist, total int
	for _, l := range rows {
		if len(l) < 2 {
			continue
		}
		ref := Fold(l[1])
		dist += editDistance(Translit(l[0]), ref)
		total += len([]rune(ref))
		r.N++
	}
	r.CER = float64(dist) / float64(max(total, 1))
	out = append(out, r)
	return out, nil
}

// editDistance is the Levenshtein distance in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := prev[j-1]
			if ra[i-1] != rb[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// SortedCounts formats a label histogram, most frequent first.
func SortedCounts(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var s []kv
	for k, v := range m {
		s = append(s, kv{k, v})
	}
	sort.Slice(s, func(i, j int) bool { return s[i].v > s[j].v || s[i].v == s[j].v && s[i].k < s[j].k })
	var b strings.Builder
	for i, x := range s {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s:%d", x.k, x.v)
	}
	return b.String()
}
