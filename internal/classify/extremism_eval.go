package classify

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/basira-org/basira/arabic"
)

// EvalRow is one measured set: how many of its posts a model flags. For
// a set of extremist posts the rate is recall; for a benign set it is the
// false-positive rate.
type EvalRow struct {
	Set string
	// Lang is "all" or a language bucket (ar, arabizi, en, fr, other).
	Lang string
	// Positive says the set's posts should be flagged (the rate is
	// recall); otherwise they should not (the rate is false positives).
	Positive bool
	N        int
	Flagged  int
	// Examples holds the flagged texts (benign sets) or the missed ones
	// (positive sets), for a person to read.
	Examples []string
}

// Rate is Flagged/N.
func (r EvalRow) Rate() float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.Flagged) / float64(r.N)
}

type evalSet struct {
	name     string
	positive bool
	texts    []string
}

// ExtremismSets returns the sets the extremism model is measured on: the
// Alfifi Arabic tweets (ISIS accounts: all, and those whose support all 8
// LLM runs read plainly from the text; the random tweets), the
// hand-labelled Fifth Tribe sample (propaganda, and the other tweets of
// the same accounts), and the benign families of BenignSets. Sets whose
// files are absent from dataDir are left out.
func ExtremismSets(dataDir string) ([]evalSet, error) {
	var sets []evalSet
	if dataDir != "" {
		p := filepath.Join(dataDir, AlfifiFile)
		if _, err := os.Stat(p); err == nil {
			lab, _, _, err := ReadFile(p, ReadOptions{Format: "jsonl", TextCol: "text", LabelCol: "label"})
			if err != nil {
				return nil, err
			}
			votes, _, _, err := ReadFile(p, ReadOptions{Format: "jsonl", TextCol: "text", LabelCol: "llm_isis_votes"})
			if err != nil {
				return nil, err
			}
			var all, plain, none []string
			for i, ex := range lab {
				switch ex.Labels[0] {
				case "isis":
					all = append(all, ex.Text)
					if i < len(votes) && votes[i].Text == ex.Text && votes[i].Labels[0] == "8" {
						plain = append(plain, ex.Text)
					}
				case "none":
					none = append(none, ex.Text)
				}
			}
			sets = append(sets, evalSet{"alfifi/isis", true, all}, evalSet{"alfifi/isis-votes8", true, plain}, evalSet{"alfifi/none", false, none})
		}
	}
	var prop, other []string
	for _, ex := range FifthTribeLabelled() {
		if ex.Labels[0] == "propaganda" {
			prop = append(prop, ex.Text)
		} else {
			other = append(other, ex.Text)
		}
	}
	sets = append(sets, evalSet{"fifthtribe-labelled/propaganda", true, prop}, evalSet{"fifthtribe-labelled/other", false, other})
	benign, err := BenignSets(dataDir)
	if err != nil {
		return nil, err
	}
	for _, b := range benign {
		sets = append(sets, evalSet{b.Name, false, b.Texts})
	}
	return sets, nil
}

// EvaluateExtremism measures c on ExtremismSets, overall and per language.
func EvaluateExtremism(c Classifier, dataDir string) ([]EvalRow, error) {
	return EvaluateExtremismWith(func(doc *arabic.Doc) bool { return len(c.Predict(doc).Flagged) > 0 }, dataDir)
}

// EvaluateExtremismWith is EvaluateExtremism for any decision on an
// analysed text: the default detection of `basira scan` (rules, model
// and finance together) is measured on the same sets as a model alone.
func EvaluateExtremismWith(flags func(*arabic.Doc) bool, dataDir string) ([]EvalRow, error) {
	sets, err := ExtremismSets(dataDir)
	if err != nil {
		return nil, err
	}
	var rows []EvalRow
	for _, s := range sets {
		byLang := map[string]*EvalRow{}
		all := &EvalRow{Set: s.name, Lang: "all", Positive: s.positive}
		for _, t := range s.texts {
			doc := arabic.Analyze(t)
			flagged := flags(doc)
			lg := langGroup(doc)
			r := byLang[lg]
			if r == nil {
				r = &EvalRow{Set: s.name, Lang: lg, Positive: s.positive}
				byLang[lg] = r
			}
			for _, x := range []*EvalRow{all, r} {
				x.N++
				if flagged {
					x.Flagged++
				}
				if flagged != s.positive {
					x.Examples = append(x.Examples, t)
				}
			}
		}
		rows = append(rows, *all)
		if len(byLang) > 1 {
			langs := make([]string, 0, len(byLang))
			for l := range byLang {
				langs = append(langs, l)
			}
			sort.Strings(langs)
			for _, l := range langs {
				rows = append(rows, *byLang[l])
			}
		}
	}
	return rows, nil
}
