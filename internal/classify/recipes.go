package classify

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
)

// Recipe is a reproducible training run over the shared reference data:
// `basira models eval-all` runs every recipe to reproduce the figures in
// docs/models.md, and `--out` keeps the models it trains.
type Recipe struct {
	Name        string
	Description string
	// Train and Dev are files under the data folder. Without Dev the
	// recipe's figures are cross-validated on Train.
	Train, Dev []string
	Read       ReadOptions
	// LabelMap rewrites labels before training ("*" maps every label not
	// listed); an empty target drops the label.
	LabelMap   map[string]string
	Negative   string
	MultiLabel bool
	Display    map[string]string
	License    string
	// Ship is true when the data licence allows shipping the model with
	// Basira (models/); the other models stay on the operator's machine.
	Ship bool
	// Anchor is a published figure to compare with, for the report.
	Anchor string
	// Extra adds training files in another format or labelling, mapped to
	// the recipe's labels.
	Extra []Source
	// Background lists files of plain text, one post per line, added to
	// the training data with the negative label: ordinary text from
	// outside the data set's collection, so that words the data set only
	// ever saw in abusive posts (a country, a prayer) do not alone make a
	// post abusive.
	Background []string
	// GroupFolds cross-validates by whole groups (Read.GroupCol).
	GroupFolds bool
	// Precision overrides the default target precision of the flag
	// threshold (for labels too rare to reach 0.9 on held-out folds).
	Precision float64
	// Features, when set, overrides the feature configuration.
	Features *FeatureConfig
	// MinTokens is recorded in the model (Meta.MinTokens).
	MinTokens int
	// Sources, when set, adds training examples prepared in code (embedded
	// team-written data, relabelled sets); see recipes_extremism.go.
	Sources func(dataDir string) ([]Example, []DataFile, error)
}

// Recipes returns the built-in recipes, in report order.
func Recipes() []Recipe {
	osact20 := ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2"}
	osact20hs := osact20
	osact20hs.LabelCol = "3"
	// Apache-2.0 sentences of lingua-go's language-ID test set: ordinary
	// Arabic, French and English text as background negatives.
	// With them, the MIT-licensed DODa Darija sentences in Arabizi.
	lingua := []string{"langid/lingua_testdata/sentences/ar.txt", "langid/lingua_testdata/sentences/fr.txt", "langid/lingua_testdata/sentences/en.txt",
		"arabic/arabizi/doda_mit_sentences_arabizi_english.tsv"}
	osact22 := func(col string) ReadOptions {
		return ReadOptions{Format: "tsv", TextCol: "2", LabelCol: col}
	}
	return append([]Recipe{
		offensiveRecipe(osact20, lingua[:3]),
		{
			Name: "offensive-osact2020-only", Description: "the offensive recipe without background text: the in-domain figure to compare with OSACT 2020 systems",
			Train: []string{"abuse/osact2020/OSACT2020-sharedTask-train.txt"}, Dev: []string{"abuse/osact2020/OSACT2020-sharedTask-dev.txt"},
			Read: osact20, Negative: "NOT_OFF", Display: map[string]string{"OFF": "offensive"}, Precision: 0.95,
			License: "CC-BY (OffensEval 2020 Arabic)",
			Anchor:  "as offensive; not shipped: it flags 4-7 times more ordinary out-of-domain posts (docs/models.md)",
		},
		{
			Name: "hate", Description: "hate speech (insults or threats against a group) in Arabic tweets, OSACT 2020 subtask B",
			Train: []string{"abuse/osact2020/OSACT2020-sharedTask-train.txt"}, Dev: []string{"abuse/osact2020/OSACT2020-sharedTask-dev.txt"},
			Read: osact20hs, Negative: "NOT_HS", Background: lingua, Display: map[string]string{"HS": "hate-speech"},
			License: "CC-BY (OffensEval 2020 Arabic); background Apache-2.0 (lingua-go), MIT (DODa)", Ship: true, Precision: 0.8,
			Anchor: "best OSACT 2020 subtask B systems: macro-F1 ~0.80-0.85",
		},
		{
			Name: "violence-osact2022", Description: "violence (VIO) in Arabic tweets, OSACT 2022; a proxy for incitement to violence",
			Train: []string{"abuse/osact2022/OSACT2022-sharedTask-train.txt"}, Read: osact22("6"),
			Negative: "NOT_VIO", Display: map[string]string{"VIO": "incitement-to-violence"},
			License: "not stated (evaluation only)",
		},
		{
			Name: "offensive-osact2022", Description: "offensive language in Arabic tweets, OSACT 2022 (OFF)",
			Train: []string{"abuse/osact2022/OSACT2022-sharedTask-train.txt"}, Read: osact22("3"),
			Negative: "NOT_OFF", Display: map[string]string{"OFF": "offensive"},
			License: "not stated (evaluation only)",
		},
		{
			Name: "hate-osact2022", Description: "hate speech in Arabic tweets, OSACT 2022 (any of HS1-HS6)",
			Train: []string{"abuse/osact2022/OSACT2022-sharedTask-train.txt"}, Read: osact22("4"),
			LabelMap: map[string]string{"NOT_HS": "NOT_HS", "*": "HS"},
			Negative: "NOT_HS", Display: map[string]string{"HS": "hate-speech"},
			License: "not stated (evaluation only)",
		},
		{
			Name: "vulgar-osact2022", Description: "vulgar language in Arabic tweets, OSACT 2022 (VLG)",
			Train: []string{"abuse/osact2022/OSACT2022-sharedTask-train.txt"}, Read: osact22("5"),
			Negative: "NOT_VLG", License: "not stated (evaluation only)",
		},
		{
			Name: "lhsab-binary", Description: "Levantine abusive language, L-HSAB, hate merged into abusive",
			Train: []string{"abuse/l-hsab/L-HSAB.tsv"}, Read: ReadOptions{Format: "tsv", TextCol: "Tweet", LabelCol: "Class"},
			LabelMap: map[string]string{"normal": "normal", "abusive": "abusive", "hate": "abusive", "*": ""},
			Negative: "normal", License: "none stated (evaluation only)",
			Anchor: "L-HSAB paper, Naive Bayes: F1 0.896",
		},
		{
			Name: "lhsab-3class", Description: "Levantine normal / abusive / hate, L-HSAB",
			Train: []string{"abuse/l-hsab/L-HSAB.tsv"}, Read: ReadOptions{Format: "tsv", TextCol: "Tweet", LabelCol: "Class"},
			LabelMap: map[string]string{"normal": "normal", "abusive": "abusive", "hate": "hate", "*": ""},
			Negative: "normal", License: "none stated (evaluation only)",
			Anchor: "L-HSAB paper, Naive Bayes: F1 0.744",
		},
		{
			Name: "mlma-ar-toxic", Description: "MLMA Arabic: any hostility (offensive, hateful, abusive, disrespectful, fearful) vs normal only",
			Train: []string{"abuse/mlma/hate_speech_mlma/ar_dataset.csv"}, Read: ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment"},
			LabelMap: map[string]string{"normal": "normal", "*": "toxic"},
			Negative: "normal", License: "MIT", Ship: false,
		},
		{
			Name: "mlma-fr-toxic", Description: "MLMA French: any hostility vs normal only",
			Train: []string{"abuse/mlma/hate_speech_mlma/fr_dataset.csv"}, Read: ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment"},
			LabelMap: map[string]string{"normal": "normal", "*": "toxic"},
			Negative: "normal", License: "MIT",
		},
		{
			Name: "mlma-en-toxic", Description: "MLMA English: any hostility vs normal only",
			Train: []string{"abuse/mlma/hate_speech_mlma/en_dataset.csv"}, Read: ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment"},
			LabelMap: map[string]string{"normal": "normal", "*": "toxic"},
			Negative: "normal", License: "MIT",
		},
		{
			Name: "mlma-ar-multilabel", Description: "MLMA Arabic hostility types, multi-label",
			Train: []string{"abuse/mlma/hate_speech_mlma/ar_dataset.csv"}, Read: ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment", LabelSep: "_"},
			MultiLabel: true, Negative: "normal", License: "MIT",
		},
		{
			Name: "mubarak2017-aj", Description: "Al Jazeera deleted comments: clean / offensive / obscene (Mubarak et al. 2017)",
			Train: []string{"abuse/mubarak2017_aj_tweets/AJ-train.tsv"}, Dev: []string{"abuse/mubarak2017_aj_tweets/AJ-dev.tsv"},
			Read:     ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "level"},
			LabelMap: map[string]string{"0": "clean", "-1": "offensive", "-2": "obscene"},
			Negative: "clean", License: "none stated (evaluation only)",
		},
		{
			Name: "checkworthy", Description: "check-worthy claims in Arabic tweets, CheckThat! 2021 task 1A (feeds the rumour desk)",
			Train: []string{"checkworthy/CT21-AR-Train-T1-Labels.tsv"}, Dev: []string{"checkworthy/CT21-AR-Dev-T1-Labels.tsv"},
			Read:     ReadOptions{Format: "tsv", TextCol: "tweet_text", LabelCol: "claim_worthiness", GroupCol: "topic_id"},
			LabelMap: map[string]string{"0": "not-worthy", "1": "check-worthy"},
			Negative: "not-worthy", License: "free for research use (evaluation only)", GroupFolds: true,
			Anchor: "CheckThat! 2021 1A Arabic systems reported test MAP around 0.6 (not in the reference data)",
		},
	}, extremismRecipes(lingua)...)
}

// Source is a training file with its own columns and label mapping.
type Source struct {
	File     string
	Read     ReadOptions
	LabelMap map[string]string
}

// RecipeResult is the outcome of running one recipe.
type RecipeResult struct {
	Recipe Recipe
	Model  *Model
	// Report is measured on Dev, or nil when figures are cross-validated
	// (Model.Info().CV).
	Report *Report
	Bad    []*LineError
}

// Run trains the recipe's model from the data folder and measures it.
func (r Recipe) Run(dataDir string, opt TrainOptions) (*RecipeResult, error) {
	read := func(rel []string, role string) ([]Example, []DataFile, []*LineError, error) {
		var all []Example
		var files []DataFile
		var bad []*LineError
		for _, f := range rel {
			exs, b, df, err := ReadFile(filepath.Join(dataDir, f), r.Read)
			if err != nil {
				return nil, nil, nil, err
			}
			df.Role = role
			bad = append(bad, b...)
			files = append(files, df)
			all = append(all, MapLabels(exs, r.LabelMap)...)
		}
		return all, files, bad, nil
	}
	train, files, bad, err := read(r.Train, "train")
	if err != nil {
		return nil, err
	}
	if r.Sources != nil {
		exs, dfs, err := r.Sources(dataDir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		train = append(train, exs...)
		files = append(files, dfs...)
	}
	if len(train) == 0 {
		return nil, errors.New("no training examples")
	}
	for _, x := range r.Extra {
		exs, _, df, err := ReadFile(filepath.Join(dataDir, x.File), x.Read)
		if err != nil {
			return nil, err
		}
		df.Role = "train"
		files = append(files, df)
		train = append(train, MapLabels(exs, x.LabelMap)...)
	}
	for _, f := range r.Background {
		exs, df, err := ReadLines(filepath.Join(dataDir, f), r.Negative)
		if err != nil {
			return nil, err
		}
		df.Role = "background"
		files = append(files, df)
		train = append(train, exs...)
	}
	opt.Name = r.Name
	opt.Description = r.Description
	opt.DataLicense = r.License
	opt.Negative = r.Negative
	opt.MultiLabel = r.MultiLabel
	opt.Display = r.Display
	opt.TextColumn, opt.LabelColumn = r.Read.TextCol, r.Read.LabelCol
	opt.Data = files
	if r.Precision > 0 {
		opt.Params.TargetPrecision = r.Precision
	}
	opt.Params.GroupFolds = r.GroupFolds
	if r.Features != nil {
		opt.Features = *r.Features
	}
	if opt.Version == "" {
		opt.Version = "1"
	}
	m, err := Train(train, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Name, err)
	}
	m.meta.MinTokens = r.MinTokens
	res := &RecipeResult{Recipe: r, Model: m, Bad: bad}
	if len(r.Dev) > 0 {
		dev, dfiles, dbad, err := read(r.Dev, "dev")
		if err != nil {
			return nil, err
		}
		res.Bad = append(res.Bad, dbad...)
		res.Report, _ = Evaluate(m, dev, m.meta.Params.TargetPrecision)
		m.meta.Data = append(m.meta.Data, dfiles...)
		m.meta.Dev = res.Report.Figures()
	}
	return res, nil
}

// MapLabels rewrites labels through m ("*" for any other label; an empty
// target drops the label; examples left without a label are dropped).
func MapLabels(exs []Example, m map[string]string) []Example {
	if len(m) == 0 {
		return exs
	}
	out := exs[:0:0]
	for _, ex := range exs {
		var ls []string
		seen := map[string]bool{}
		for _, l := range ex.Labels {
			t, ok := m[l]
			if !ok {
				t = m["*"]
				if _, star := m["*"]; !star {
					t = l
				}
			}
			if t != "" && !seen[t] {
				seen[t] = true
				ls = append(ls, t)
			}
		}
		if len(ls) == 0 {
			continue
		}
		sort.Strings(ls)
		ex.Labels = ls
		out = append(out, ex)
	}
	return out
}
