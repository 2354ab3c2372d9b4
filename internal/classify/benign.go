package classify

import (
	"bytes"
	_ "embed"
	"os"
	"path/filepath"
)

// benignTSV is Basira's own benign sample: religious speech, news about
// terrorism, counter-speech and everyday posts (testdata/README.md).
//
//go:embed testdata/benign_ar.tsv
var benignTSV []byte

// TextSet is a named collection of texts for an over-enforcement check.
type TextSet struct {
	Name  string
	Texts []string
}

// BenignSets returns the benign texts Basira measures false flags on: its
// own sample (per category) and, when dataDir holds them, the fact-check
// claims and tweets of CheckThat! and the Moroccan Facebook comments of
// ElecMorocco2016. Sets whose files are absent are left out.
func BenignSets(dataDir string) ([]TextSet, error) {
	exs, _, err := ReadExamples(bytes.NewReader(benignTSV), ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "category"})
	if err != nil {
		return nil, err
	}
	byCat := map[string][]string{}
	var order []string
	for _, ex := range exs {
		c := "basira-benign/" + ex.Labels[0]
		if _, ok := byCat[c]; !ok {
			order = append(order, c)
		}
		byCat[c] = append(byCat[c], ex.Text)
	}
	var sets []TextSet
	for _, c := range order {
		sets = append(sets, TextSet{Name: c, Texts: byCat[c]})
	}
	if dataDir == "" {
		return sets, nil
	}
	shared := []struct {
		name  string
		files []string
		opt   ReadOptions
	}{
		{"checkthat-2a/verified-claims", []string{"claims/ar-ct2021-2a/CT2021-Task2A-AR-Verified_Claims.PARTIAL_reconstructed.tsv"},
			ReadOptions{Format: "tsv", TextCol: "vclaim", LabelCol: "vclaim_id"}},
		{"checkthat-2a/tweets", []string{"claims/ar-ct2021-2a/CT2021-Task2A-AR-Train_Queries.txt", "claims/ar-ct2021-2a/CT2021-Task2A-AR-Dev_Queries.txt"},
			ReadOptions{Format: "tsv", TextCol: "tweet_text", LabelCol: "tweet_id"}},
		{"checkthat-1a/tweets", []string{"checkworthy/CT21-AR-Train-T1-Labels.tsv", "checkworthy/CT21-AR-Dev-T1-Labels.tsv"},
			ReadOptions{Format: "tsv", TextCol: "tweet_text", LabelCol: "tweet_id"}},
		{"elecmorocco2016/comments", []string{"darija/ElecMorocco2016.tsv"},
			ReadOptions{Format: "tsv", TextCol: "comment_message", LabelCol: "index"}},
	}
	for _, s := range shared {
		var texts []string
		for _, f := range s.files {
			p := filepath.Join(dataDir, f)
			if _, err := os.Stat(p); err != nil {
				texts = nil
				break
			}
			exs, _, _, err := ReadFile(p, s.opt)
			if err != nil {
				return nil, err
			}
			for _, ex := range exs {
				texts = append(texts, ex.Text)
			}
		}
		if len(texts) > 0 {
			sets = append(sets, TextSet{Name: s.name, Texts: texts})
		}
	}
	return sets, nil
}

// FlagRate runs a classifier over texts and returns the texts it flags
// (any label at its flag threshold).
func FlagRate(c Classifier, texts []string) (flagged []string) {
	exs := make([]Example, len(texts))
	for i, t := range texts {
		exs[i] = Example{Text: t}
	}
	for i, p := range PredictAll(c, exs) {
		if len(p.Flagged) > 0 {
			flagged = append(flagged, texts[i])
		}
	}
	return flagged
}
