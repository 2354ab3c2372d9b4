package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/classify/eval"
	"github.com/basira-org/basira/models"
)

func init() {
	Register(&Command{
		Name:    "train",
		Summary: "train a text classifier from labelled posts (TSV, CSV or JSONL)",
		Usage:   "--data FILE --text-col COL --label-col COL --out FILE.model [flags]",
		Help: `Trains a linear classifier (class-weighted linear SVM over hashed word and
character n-grams of the folded text, naive-Bayes feature scaling) with one
score per label. Held-out folds of the training data calibrate the scores
into probabilities and set each label's flag threshold at the precision you
ask for (--precision); scan reports a label only at or above it.

Binary data needs to know which label means "nothing to report": labels
like NOT_OFF, normal, none, clean or 0 are recognised, or say --negative.
More than two labels train a multi-class model; --label-sep (or JSONL label
lists) trains a multi-label one.

Columns are header names, or 1-based numbers for a file without a header.
The model file records the data files (name, SHA-256), labels, parameters,
and the measured figures; 'basira models info' prints them.

Examples:
  basira train --data train.tsv --text-col text --label-col label --out models/incitement.model
  basira train --data posts.jsonl --text-col text --label-col labels --label-sep , --out m.model
  basira train --data OSACT2020-sharedTask-train.txt --text-col 1 --label-col 2 \
      --dev OSACT2020-sharedTask-dev.txt --display OFF=offensive --license CC-BY --out offensive.model`,
		Run: runTrain,
	})
	Register(&Command{
		Name:    "eval",
		Summary: "measure a classifier on labelled posts: precision, recall, F1, calibration, thresholds",
		Usage:   "--model FILE --data FILE --text-col COL --label-col COL [flags]",
		Help: `Prints per-label precision, recall, F1 and average precision, macro-F1, the
confusion matrix, the calibration error (ECE, 10 bins), what the model's own
flag threshold gives, and with --precision the lowest threshold that reaches
that precision on this data. --curve writes the precision-recall curve.

Examples:
  basira eval --model models/offensive.model --data dev.tsv --text-col text --label-col label
  basira eval --model m.model --data dev.tsv --text-col 1 --label-col 2 --precision 0.95 --curve pr.csv`,
		Run: runEval,
	})
	Register(&Command{
		Name:    "models eval-all",
		Summary: "retrain and measure every built-in recipe on the reference data (reproduces docs/models.md)",
		Usage:   "[--data DIR] [--only NAME,...] [--out DIR]",
		Help: `Trains each built-in recipe (OSACT 2020/2022, L-HSAB, MLMA, Mubarak 2017,
CheckThat! 2021 check-worthiness) from the reference data folder and prints
its figures: on the dev split where the data has one, else 5-fold
cross-validated. --out keeps the trained models (with --shippable only those
whose data licence allows shipping them with Basira).

Examples:
  basira models eval-all
  basira models eval-all --only offensive,checkworthy --out ~/basira-models
  basira models eval-all --shippable --out models/`,
		Run: runEvalAll,
	})
	Register(&Command{
		Name:    "models benign",
		Summary: "over-enforcement check: the share of benign Arabic posts each model flags",
		Usage:   "[--models DIR|builtin] [--model FILE] [--data DIR] [--show N]",
		Help: `Runs models over benign text and prints the share flagged at each model's
own threshold: Basira's sample of religious speech, news about terrorism,
counter-speech and everyday posts, and from the reference data folder the
CheckThat! fact-check claims and tweets and the ElecMorocco2016 Moroccan
comments. --show prints flagged texts for a person to read (some "benign"
corpora hold real insults).

Examples:
  basira models benign                      # the shipped models
  basira models benign --models ~/basira-models --show 5`,
		Run: runModelsBenign,
	})
	Register(&Command{
		Name:    "models threshold",
		Summary: "re-set a model's flag thresholds to reach a precision on your own labelled data",
		Usage:   "--model FILE --data DEV --text-col COL --label-col COL --precision P [--out FILE]",
		Help: `Training sets each label's flag threshold on held-out folds of the training
data. When you have labelled data closer to what the model will see (a dev
set from your own platform), measure the threshold there instead: this
command scores the file, finds for each label the lowest score at which
precision reaches --precision (with at least --min-flagged posts flagged),
and writes the model with those thresholds, recording the file's name and
SHA-256. Use data the model was not trained on, and keep another set to
check the result with 'basira eval'.

Examples:
  basira models threshold --model m.model --data dev.tsv --text-col text --label-col label --precision 0.95
  basira models threshold --model m.model --data dev.tsv --precision 0.9 --out m-dev.model`,
		Run: runModelsThreshold,
	})
	Register(&Command{
		Name:    "models info",
		Summary: "print a model file's labels, thresholds, provenance and figures",
		Usage:   "FILE.model... | builtin",
		Help: `Prints what a model file records: description, version, creation time, the
data files it was trained and measured on (with SHA-256), the data licence,
hyper-parameters, each label's flag threshold with the precision and recall
it had on held-out data, and the cross-validated and dev figures.
"builtin" prints the models shipped with Basira.

Examples:
  basira models info builtin
  basira models info models/incitement.model`,
		Run: runModelsInfo,
	})
}

// strList is a repeatable string flag.
type strList []string

func (l *strList) String() string { return strings.Join(*l, ",") }
func (l *strList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// readFlags are the data-file flags train and eval share.
type readFlags struct {
	format, textCol, labelCol, groupCol, header, labelSep, labelMap string
}

func (r *readFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&r.format, "format", "", "data format: tsv, csv or jsonl (default: from the file name, else tsv)")
	fs.StringVar(&r.textCol, "text-col", "text", "text column: header name, or 1-based number for a file without a header (JSONL: key)")
	fs.StringVar(&r.labelCol, "label-col", "label", "label column (as --text-col)")
	fs.StringVar(&r.groupCol, "group-col", "", "optional group column (e.g. topic): eval reports mean average precision over groups")
	fs.StringVar(&r.header, "header", "auto", "header row: auto (yes when columns are names), yes or no")
	fs.StringVar(&r.labelSep, "label-sep", "", "split label cells on this separator (multi-label data)")
	fs.StringVar(&r.labelMap, "label-map", "", "rewrite labels before use: `a=b,c=d,*=other` (* is any other label; an empty target drops it)")
}

func (r *readFlags) options() classify.ReadOptions {
	return classify.ReadOptions{Format: r.format, TextCol: r.textCol, LabelCol: r.labelCol, GroupCol: r.groupCol, Header: r.header, LabelSep: r.labelSep}
}

func parsePairs(s, what string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, p := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, Usagef("%s: %q is not label=name", what, p)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

// readData reads one data file, reporting bad records on stderr.
func readData(env *Env, path string, rf *readFlags, role string) ([]classify.Example, classify.DataFile, error) {
	lm, err := parsePairs(rf.labelMap, "--label-map")
	if err != nil {
		return nil, classify.DataFile{}, err
	}
	exs, bad, df, err := classify.ReadFile(path, rf.options())
	if err != nil {
		return nil, df, err
	}
	for i, b := range bad {
		if i == 20 {
			fmt.Fprintf(env.Stderr, "… and %d more bad records\n", len(bad)-20)
			break
		}
		fmt.Fprintf(env.Stderr, "skipped %v\n", b)
	}
	exs = classify.MapLabels(exs, lm)
	if len(exs) == 0 {
		return nil, df, fmt.Errorf("%s: no labelled example could be read (check --text-col, --label-col and --header)", path)
	}
	df.Role = role
	df.Rows = len(exs)
	return exs, df, nil
}

func runTrain(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var data, dev strList
	var rf readFlags
	rf.define(fs)
	fs.Var(&data, "data", "training data `file` (repeatable)")
	fs.Var(&dev, "dev", "held-out `file` to measure the model on and record its figures (repeatable)")
	out := fs.String("out", "", "model file to write (required)")
	name := fs.String("name", "", "model name (default: the --out file name)")
	version := fs.String("version", "1", "model version, recorded in the file and in every signal")
	desc := fs.String("description", "", "what the model detects, in one line")
	license := fs.String("license", "", "licence of the training data, recorded in the model")
	negative := fs.String("negative", "", "the label meaning nothing to report (default: guessed from NOT_*, normal, none, 0, …)")
	multi := fs.Bool("multi-label", false, "train one yes/no model per label (implied by --label-sep)")
	display := fs.String("display", "", "names analysts see: `OFF=offensive,HS=hate-speech`")
	p := classify.DefaultParams()
	feats := classify.DefaultFeatures()
	fs.Float64Var(&p.TargetPrecision, "precision", p.TargetPrecision, "precision the flag thresholds must reach on held-out folds")
	fs.Float64Var(&p.C, "c", p.C, "SVM C: higher fits the training data more closely")
	fs.IntVar(&p.Folds, "folds", p.Folds, "cross-validation folds for calibration and thresholds")
	fs.IntVar(&p.MinFlagged, "min-flagged", p.MinFlagged, "a flag threshold must keep at least this many held-out posts")
	fs.StringVar(&p.ClassWeight, "class-weight", p.ClassWeight, "balanced or none")
	nonb := fs.Bool("no-nb", false, "turn off naive-Bayes feature scaling")
	fs.BoolVar(&p.GroupFolds, "group-folds", false, "keep each --group-col value (e.g. a topic) in one cross-validation fold, so thresholds are set on unseen groups")
	fs.Uint64Var(&p.Seed, "seed", p.Seed, "random seed (folds, solver order)")
	fs.IntVar(&feats.Bits, "bits", feats.Bits, "log2 of the hashed feature space (model size: 2^bits x labels x 2 bytes before gzip)")
	fs.IntVar(&feats.CharMax, "char-max", feats.CharMax, "longest character n-gram (0 turns char n-grams off)")
	fs.IntVar(&feats.WordNgrams, "word-ngrams", feats.WordNgrams, "longest word n-gram")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(data) == 0 || *out == "" {
		return Usagef("give --data FILE and --out FILE.model")
	}
	if p.GroupFolds && rf.groupCol == "" {
		return Usagef("--group-folds needs --group-col")
	}
	p.NB = !*nonb
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(*out), filepath.Ext(*out))
	}
	disp, err := parsePairs(*display, "--display")
	if err != nil {
		return err
	}
	var exs []classify.Example
	var files []classify.DataFile
	for _, d := range data {
		e, df, err := readData(env, d, &rf, "train")
		if err != nil {
			return err
		}
		exs = append(exs, e...)
		files = append(files, df)
	}
	start := time.Now()
	m, err := classify.Train(exs, classify.TrainOptions{
		Name: *name, Description: *desc, Version: *version, DataLicense: *license,
		Features: feats, Params: p, Negative: *negative, MultiLabel: *multi || rf.labelSep != "",
		Display: disp, Data: files, TextColumn: rf.textCol, LabelColumn: rf.labelCol,
		Progress: func(msg string) {
			if env.StderrIsTerminal {
				fmt.Fprintf(env.Stderr, "train: %s\n", msg)
			}
		},
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	if len(dev) > 0 {
		var dexs []classify.Example
		for _, d := range dev {
			e, df, err := readData(env, d, &rf, "dev")
			if err != nil {
				return err
			}
			dexs = append(dexs, e...)
			m.Info().Data = append(m.Info().Data, df)
		}
		rep, _ := classify.Evaluate(m, dexs, p.TargetPrecision)
		m.Info().Dev = rep.Figures()
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	st, _ := os.Stat(*out)
	meta := m.Info()
	fmt.Fprintf(env.Stdout, "trained %s (%s) on %d examples in %s; wrote %s (%d KiB)\n", meta.Name, meta.Mode, len(exs), took.Round(time.Millisecond), *out, st.Size()>>10)
	meta.Print(env.Stdout)
	return nil
}

func runEval(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var rf readFlags
	rf.define(fs)
	model := fs.String("model", "", "model file (required)")
	data := fs.String("data", "", "labelled data file (required)")
	target := fs.Float64("precision", 0, "also report the lowest threshold reaching this precision")
	curve := fs.String("curve", "", "write the precision-recall curve of every scored label to this CSV `file`")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if *model == "" || *data == "" {
		return Usagef("give --model FILE and --data FILE")
	}
	if *target < 0 || *target > 1 {
		return Usagef("--precision must be between 0 and 1")
	}
	m, err := classify.Load(*model)
	if err != nil {
		return err
	}
	if m.EngineMismatch() {
		fmt.Fprintf(env.Stderr, "warning: %s was trained with another version of the text engine: retrain it for scores that match its figures\n", *model)
	}
	exs, _, err := readData(env, *data, &rf, "eval")
	if err != nil {
		return err
	}
	rep, preds := classify.Evaluate(m, exs, *target)
	if *curve != "" {
		err := withOutput(env, *curve, func(w io.Writer) error { return classify.WriteCurveCSV(w, m, exs, preds) })
		if err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(env.Stdout, "model %s v%s on %s\n", m.Name(), m.Info().Version, *data)
	rep.Print(env.Stdout)
	if *curve != "" {
		fmt.Fprintf(env.Stdout, "\nprecision-recall curve written to %s\n", *curve)
	}
	return nil
}

func runModelsThreshold(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var rf readFlags
	rf.define(fs)
	model := fs.String("model", "", "model file (required)")
	data := fs.String("data", "", "labelled data file the model was not trained on (required)")
	target := fs.Float64("precision", 0, "precision each label's flag threshold must reach (required)")
	minFlagged := fs.Int("min-flagged", 10, "a threshold must keep at least this many posts flagged")
	out := fs.String("out", "", "write the model here (default: replace --model)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if *model == "" || *data == "" || *target <= 0 || *target > 1 {
		return Usagef("give --model FILE, --data FILE and --precision between 0 and 1")
	}
	m, err := classify.Load(*model)
	if err != nil {
		return err
	}
	exs, df, err := readData(env, *data, &rf, "threshold")
	if err != nil {
		return err
	}
	_, preds := classify.Evaluate(m, exs, 0)
	never := classify.SetFlagThresholds(m, exs, preds, *target, *minFlagged, fmt.Sprintf("%s (sha256 %s)", df.Name, df.SHA256))
	m.Info().Data = append(m.Info().Data, df)
	if *out == "" {
		*out = *model
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s with flag thresholds set on %s (%d posts) at precision %.2f\n", *out, df.Name, len(exs), *target)
	m.Info().Print(env.Stdout)
	if len(never) > 0 {
		fmt.Fprintf(env.Stderr, "warning: %s never reach precision %.2f on this data: the model will not flag them\n", strings.Join(never, ", "), *target)
	}
	return nil
}

func runModelsInfo(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return Usagef("name at least one model file")
	}
	var errs []error
	for _, p := range fs.Args() {
		if p == "builtin" {
			ms, err := classify.LoadFS(models.FS)
			if err != nil {
				errs = append(errs, err)
			}
			for _, m := range ms {
				fmt.Fprintf(env.Stdout, "builtin: %s\n", m.Name())
				m.Info().Print(env.Stdout)
			}
			continue
		}
		m, err := classify.Load(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: %s\n", p, m.Name())
		m.Info().Print(env.Stdout)
	}
	return errors.Join(errs...)
}

func runModelsBenign(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var dirs, files strList
	fs.Var(&dirs, "models", "folder of *.model files, or builtin (default builtin)")
	fs.Var(&files, "model", "a model `file` (repeatable)")
	data := dataFlag(fs, "without it only Basira's own sample is used")
	show := fs.Int("show", 0, "print up to N flagged texts per model and set")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(dirs) == 0 && len(files) == 0 {
		dirs = append(dirs, "builtin")
	}
	var ms []*classify.Model
	for _, d := range dirs {
		var got []*classify.Model
		var err error
		if d == "builtin" {
			got, err = classify.LoadFS(models.FS)
		} else {
			got, err = classify.LoadDir(d)
		}
		if err != nil {
			return err
		}
		ms = append(ms, got...)
	}
	for _, f := range files {
		m, err := classify.Load(f)
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	dir, _ := dataDir(env, *data, false)
	sets, err := classify.BenignSets(dir)
	if err != nil {
		return err
	}
	eval.Benign(env.Stdout, ms, sets, *show)
	return nil
}

func runEvalAll(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	data := dataFlag(fs, "")
	only := fs.String("only", "", "comma-separated recipe names (default: all)")
	out := fs.String("out", "", "write the trained models to this folder")
	shippable := fs.Bool("shippable", false, "only recipes whose data licence allows shipping the model")
	markdown := fs.Bool("markdown", false, "print the table as Markdown (for docs/models.md)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	dir, err := dataDir(env, *data, true)
	if err != nil {
		return err
	}
	o := eval.RecipeOptions{Only: map[string]bool{}, Shippable: *shippable, Markdown: *markdown, Out: *out}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o750); err != nil {
			return err
		}
	}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			o.Only[n] = true
		}
	}
	ran, unknown, err := eval.Recipes(env.Stdout, env.Stderr, dir, o)
	if err != nil {
		return err
	}
	if len(unknown) > 0 {
		return Usagef("no recipe named %q", unknown[0])
	}
	if ran == 0 {
		return Usagef("no recipe selected")
	}
	return nil
}
