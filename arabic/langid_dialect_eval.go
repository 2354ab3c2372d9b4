package arabic

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DialectSet is one evaluation set of the dialect cue: texts of one true
// group (ar, ary or ar-dialect) and the labels DetectLang gave them.
type DialectSet struct {
	Name  string
	Truth string // ar, ary or ar-dialect
	Got   map[string]int
	N     int
}

// DialectEval is the dialect evaluation: its sets and the figures pooled
// over them.
type DialectEval struct {
	Sets []*DialectSet
}

// dialectLabels are the columns of the confusion matrix.
var dialectLabels = []string{LangMSA, LangDarija, LangOtherMaghrebi, LangOtherDialect, LangUnknown, "other"}

// EvalDialects runs DetectLang over the Arabic-script sets of dir (the
// shared/data folder) whose dialect is known by their source: MSA
// (lingua's held-out sentences, ElecMorocco comments hand-labelled MSA),
// ANS news headlines and CheckThat! 2021 verified claims, the news
// register where MSA is most often misread), Moroccan (OMCD comments, DODa v2 sentences in Arabic script, ElecMorocco
// comments hand-labelled Darija) and other dialects (L-HSAB Levantine
// tweets; OSACT 2020 dev and Mubarak 2017 tweets, mostly Egyptian and Gulf
// with some MSA). None of them trained the model or wrote the marker
// lists; all are read in place (several are evaluation-only).
func EvalDialects(dir string) (*DialectEval, error) {
	e := &DialectEval{}
	add := func(name, truth string, texts []string) {
		s := &DialectSet{Name: name, Truth: truth, Got: map[string]int{}}
		for _, t := range texts {
			l := DetectLang(t)
			if !isDialectLabel(l) {
				l = "other"
			}
			s.Got[l]++
			s.N++
		}
		e.Sets = append(e.Sets, s)
	}
	col := func(rel string, c int, skipHeader bool) ([]string, error) {
		rows, err := readTSV(filepath.Join(dir, rel))
		if err != nil {
			return nil, err
		}
		var out []string
		for i, r := range rows {
			if (i == 0 && skipHeader) || len(r) <= c || strings.TrimSpace(r[c]) == "" {
				continue
			}
			out = append(out, r[c])
		}
		return out, nil
	}
	lingua, err := col("langid/lingua_testdata/sentences/ar.txt", 0, false)
	if err != nil {
		return nil, err
	}
	var held []string
	for i, l := range lingua {
		if HeldOut(i) {
			held = append(held, l)
		}
	}
	add("lingua ar sentences (held-out)", LangMSA, held)
	hand, err := elecHand(dir)
	if err != nil {
		return nil, err
	}
	add("ElecMorocco hand-labelled MSA", LangMSA, hand[LangMSA])
	ans, err := col("claims/ar-ans/collection.tsv", 1, true)
	if err != nil {
		return nil, err
	}
	add("ANS news headlines", LangMSA, ans)
	ct, err := col("claims/ar-ct2021-2a/CT2021-Task2A-AR-Verified_Claims.PARTIAL_reconstructed.tsv", 1, true)
	if err != nil {
		return nil, err
	}
	add("CheckThat 2021 verified claims (news)", LangMSA, ct)
	omcd, err := jsonlTexts(filepath.Join(dir, "darija", "omcd", "train.jsonl"))
	if err != nil {
		return nil, err
	}
	add("OMCD Moroccan comments", LangDarija, omcd)
	doda, err := col("arabic/arabizi/doda_v2_sentence_pairs_sample1000.CC-BY-NC-4.0.tsv", 1, false)
	if err != nil {
		return nil, err
	}
	add("DODa v2 sentences, Arabic script", LangDarija, doda)
	add("ElecMorocco hand-labelled Darija", LangDarija, hand[LangDarija])
	lhsab, err := col("abuse/l-hsab/L-HSAB.tsv", 0, true)
	if err != nil {
		return nil, err
	}
	add("L-HSAB Levantine tweets", LangOtherDialect, lhsab)
	osact, err := col("abuse/osact2020/OSACT2020-sharedTask-dev.txt", 0, false)
	if err != nil {
		return nil, err
	}
	add("OSACT 2020 dev tweets (Egyptian/Gulf, some MSA)", LangOtherDialect, osact)
	mub, err := col("abuse/mubarak2017_aj_tweets/tweet-classification.tsv", 1, true)
	if err != nil {
		return nil, err
	}
	add("Mubarak 2017 tweets (mostly Egyptian, some MSA)", LangOtherDialect, mub)
	return e, nil
}

func isDialectLabel(l string) bool {
	for _, x := range dialectLabels[:5] {
		if l == x {
			return true
		}
	}
	return false
}

// elecHand returns the ElecMorocco comments hand-labelled ar and ary
// (both splits).
func elecHand(dir string) (map[string][]string, error) {
	elec, err := readTSV(filepath.Join(dir, "darija", "ElecMorocco2016.tsv"))
	if err != nil {
		return nil, err
	}
	byIndex := map[string]string{}
	for i, l := range elec {
		if i > 0 && len(l) >= 2 {
			byIndex[l[0]] = l[1]
		}
	}
	out := map[string][]string{}
	for _, line := range strings.Split(elecHandLabels, "\n") {
		f := strings.Split(line, "\t")
		if strings.HasPrefix(line, "#") || len(f) != 3 {
			continue
		}
		if t, ok := byIndex[f[0]]; ok {
			out[f[1]] = append(out[f[1]], t)
		}
	}
	return out, nil
}

func jsonlTexts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var r struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		out = append(out, r.Text)
	}
	return out, sc.Err()
}

// Confusion returns the pooled counts: truth → label → n.
func (e *DialectEval) Confusion() map[string]map[string]int {
	m := map[string]map[string]int{}
	for _, s := range e.Sets {
		if m[s.Truth] == nil {
			m[s.Truth] = map[string]int{}
		}
		for l, n := range s.Got {
			m[s.Truth][l] += n
		}
	}
	return m
}

// F1 is the F1 of ary against the texts of the truths in against (all
// groups when empty), each set weighted by w(set) (nil: by its size).
func (e *DialectEval) F1(against []string, w func(*DialectSet) float64) (p, r, f float64) {
	var tp, fp, fn float64
	for _, s := range e.Sets {
		if s.Truth != LangDarija && len(against) > 0 && !slices.Contains(against, s.Truth) {
			continue
		}
		k := 1.0
		if w != nil {
			k = w(s) / float64(max(s.N, 1))
		}
		hit := float64(s.Got[LangDarija]) * k
		if s.Truth == LangDarija {
			tp += hit
			fn += float64(s.N)*k - hit
		} else {
			fp += hit
		}
	}
	if tp+fp > 0 {
		p = tp / (tp + fp)
	}
	if tp+fn > 0 {
		r = tp / (tp + fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// Report writes the per-set label counts, the pooled confusion matrix and
// the ary F1 figures.
func (e *DialectEval) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-50s %-10s %6s", "set", "truth", "n")
	for _, l := range dialectLabels {
		fmt.Fprintf(&b, " %10s", l)
	}
	b.WriteString("\n")
	for _, s := range e.Sets {
		fmt.Fprintf(&b, "%-50s %-10s %6d", s.Name, s.Truth, s.N)
		for _, l := range dialectLabels {
			fmt.Fprintf(&b, " %10d", s.Got[l])
		}
		b.WriteString("\n")
	}
	b.WriteString("pooled confusion (rows: truth)\n")
	conf := e.Confusion()
	for _, t := range []string{LangMSA, LangDarija, LangOtherDialect} {
		fmt.Fprintf(&b, "%-10s", t)
		for _, l := range dialectLabels {
			fmt.Fprintf(&b, " %10d", conf[t][l])
		}
		b.WriteString("\n")
	}
	p, r, f := e.F1(nil, nil)
	fmt.Fprintf(&b, "ary vs all, pooled: P %.3f R %.3f F1 %.3f\n", p, r, f)
	p, r, f = e.F1(nil, e.equalGroups(19))
	fmt.Fprintf(&b, "ary vs all, Moroccan 1 of 19 equal groups (MSA 1, other dialects 17): P %.3f R %.3f F1 %.3f\n", p, r, f)
	p, r, f = e.F1([]string{LangMSA}, e.equalGroups(2))
	fmt.Fprintf(&b, "ary vs MSA, equal groups: P %.3f R %.3f F1 %.3f\n", p, r, f)
	return b.String()
}

// equalGroups weighs the sets as in a set of n equal groups (n-1 dialects
// and MSA, like the 18 countries and MSA of the test): Moroccan
// and MSA one group each, the other dialects n-2; each group spread
// evenly over its sets.
func (e *DialectEval) equalGroups(n int) func(*DialectSet) float64 {
	nSets := map[string]int{}
	for _, s := range e.Sets {
		nSets[s.Truth]++
	}
	share := map[string]float64{LangDarija: 1, LangMSA: 1, LangOtherDialect: float64(n - 2)}
	return func(s *DialectSet) float64 { return 1000 * share[s.Truth] / float64(nSets[s.Truth]) }
}
