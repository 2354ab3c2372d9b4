package sanctions

import (
	"fmt"
	"os"
	"strings"

	"github.com/basira-org/basira/internal/sanctions/namematch"
)

// PairCase is one cross-script name-matching case: a query, and the ID
// of the entry it must find.
type PairCase struct {
	Query, WantID string
}

// PR is a precision/recall measurement.
type PR struct {
	Threshold float64
	Queries   int
	// Answered counts queries whose best result reached the threshold;
	// Correct those whose best result was the wanted entry.
	Answered, Correct int
}

// Precision is Correct/Answered.
func (p PR) Precision() float64 {
	if p.Answered == 0 {
		return 0
	}
	return float64(p.Correct) / float64(p.Answered)
}

// Recall is Correct/Queries.
func (p PR) Recall() float64 {
	if p.Queries == 0 {
		return 0
	}
	return float64(p.Correct) / float64(p.Queries)
}

// EvalPairs runs every case against the index and measures precision and
// recall of the best result at each threshold. A query is correct when the
// wanted entry is among the results tied for the best score.
func EvalPairs(x *Index, cases []PairCase, thresholds []float64) []PR {
	out := make([]PR, len(thresholds))
	for i, t := range thresholds {
		out[i] = PR{Threshold: t, Queries: len(cases)}
	}
	lo := thresholds[0]
	for _, t := range thresholds {
		lo = min(lo, t)
	}
	for _, c := range cases {
		res := x.Search(c.Query, lo, 0)
		if len(res) == 0 {
			continue
		}
		// The same person is often on several lists (Saddam Hussein is on
		// the UN list and on OFAC's): a tie at the top is correct when the
		// wanted entry is among the tied.
		correct := false
		for _, m := range res {
			if m.Score < res[0].Score-1e-9 {
				break
			}
			correct = correct || m.Entry.ID == c.WantID
		}
		for i, t := range thresholds {
			if res[0].Score >= t {
				out[i].Answered++
				if correct {
					out[i].Correct++
				}
			}
		}
	}
	return out
}

// IsArabicScript reports whether s is mostly Arabic letters.
func IsArabicScript(s string) bool { return namematch.Prepare(s).Arabic }

// WithoutScript returns a copy of entries keeping only the names and
// aliases whose script is (arabic=true) or is not (arabic=false) Arabic;
// entries left with no name are dropped. It builds the one-script indexes
// a cross-script evaluation needs.
func WithoutScript(entries []Entry, keepArabic bool) []Entry {
	var out []Entry
	for _, e := range entries {
		var names []string
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			if strings.TrimSpace(n) != "" && IsArabicScript(n) == keepArabic {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		c := e
		c.Name, c.Aliases = names[0], names[1:]
		out = append(out, c)
	}
	return out
}

// ReadUNPairs reads the UN Arabic-script ↔ Latin name pairs file
// (tab-separated, header row, columns dataid, name_original_script_arabic,
// latin_name_primary) and splits it: even rows dev, odd rows test. It
// returns Arabic queries and Latin queries, both wanting the row's entry.
func ReadUNPairs(path string) (arabicQueries, latinQueries [2][]PairCase, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return arabicQueries, latinQueries, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) < 2 {
		return arabicQueries, latinQueries, fmt.Errorf("%s: no rows", path)
	}
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		col[h] = i
	}
	for _, h := range []string{"dataid", "name_original_script_arabic", "latin_name_primary"} {
		if _, ok := col[h]; !ok {
			return arabicQueries, latinQueries, fmt.Errorf("%s: no %q column", path, h)
		}
	}
	for i, l := range lines[1:] {
		c := strings.Split(l, "\t")
		if len(c) <= col["latin_name_primary"] || len(c) <= col["name_original_script_arabic"] {
			return arabicQueries, latinQueries, fmt.Errorf("%s line %d: too few fields", path, i+2)
		}
		s := i % 2
		id := c[col["dataid"]]
		arabicQueries[s] = append(arabicQueries[s], PairCase{c[col["name_original_script_arabic"]], id})
		latinQueries[s] = append(latinQueries[s], PairCase{c[col["latin_name_primary"]], id})
	}
	return arabicQueries, latinQueries, nil
}

// WatchmanAgreement compares Basira's best-pairs scores with the expected
// scores of watchman's BestPairsJaroWinkler cases (phonetic filter on).
type WatchmanAgreement struct {
	Cases, WithinTolerance int
	// MaxDiff is the largest score difference.
	MaxDiff float64
	// Match decisions at Threshold, watchman's expected score taken as
	// the truth.
	Threshold               float64
	TruePos, FalsePos, Miss int
}

// EvalWatchman reads watchman_jaro_winkler_cases.tsv and measures the
// agreement.
func EvalWatchman(path string, threshold float64) (WatchmanAgreement, error) {
	a := WatchmanAgreement{Threshold: threshold}
	b, err := os.ReadFile(path)
	if err != nil {
		return a, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		col[h] = i
	}
	for _, h := range []string{"indexed", "indexed_transform", "search", "search_transform", "expected_score", "tolerance", "function", "env"} {
		if _, ok := col[h]; !ok {
			return a, fmt.Errorf("%s: no %q column", path, h)
		}
	}
	transform := func(s, how string) string {
		switch how {
		case "LowerAndRemovePunctuation":
			return namematch.Normalize(s)
		case "ToLower":
			return strings.ToLower(s)
		}
		return s
	}
	for i, l := range lines[1:] {
		c := strings.Split(l, "\t")
		if len(c) < len(col) {
			return a, fmt.Errorf("%s line %d: too few fields", path, i+2)
		}
		if !strings.HasPrefix(c[col["function"]], "BestPairsJaroWinkler") || c[col["env"]] == "DISABLE_PHONETIC_FILTERING=yes" {
			continue
		}
		var want, tol float64
		if _, err := fmt.Sscan(c[col["expected_score"]], &want); err != nil {
			return a, fmt.Errorf("%s line %d: %w", path, i+2, err)
		}
		fmt.Sscan(c[col["tolerance"]], &tol)
		got := namematch.BestPairs(strings.Fields(transform(c[col["search"]], c[col["search_transform"]])),
			strings.Fields(transform(c[col["indexed"]], c[col["indexed_transform"]])))
		a.Cases++
		d := got - want
		if d < 0 {
			d = -d
		}
		a.MaxDiff = max(a.MaxDiff, d)
		if d <= tol+1e-9 {
			a.WithinTolerance++
		}
		switch {
		case got >= threshold && want >= threshold:
			a.TruePos++
		case got >= threshold:
			a.FalsePos++
		case want >= threshold:
			a.Miss++
		}
	}
	return a, nil
}
