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
		Run:     runTrain,
	})
	Register(&Command{
		Name:    "eval",
		Summary: "measure a classifier on labelled posts: precision, recall, F1, calibration, thresholds",
		Usage:   "--model FILE --data FILE --text-col COL --label-col COL [flags]",
		Run:     runEval,
	})
	Register(&Command{
		Name:    "models eval-all",
		Summary: "retrain and measure every built-in recipe on the reference data (reproduces docs/models.md)",
		Usage:   "[--data DIR] [--only NAME,...] [--out DIR]",
		Run:     runEvalAll,
	})
	Register(&Command{
		Name:    "models benign",
		Summary: "over-enforcement check: the share of benign Arabic posts each model flags",
		Usage:   "[--models DIR|builtin] [--model FILE] [--data DIR] [--show N]",
		Run:     runModelsBenign,
	})
	Register(&Command{
		Name:    "models threshold",
		Summary: "re-set a model's flag thresholds to reach a precision on your own labelled data",
		Usage:   "--model FILE --data DEV --text-col COL --label-col COL --precision P [--out FILE]",
		Run:     runModelsThreshold,
	})
	Register(&Command{
		Name:    "models info",
		Summary: "print a model file's labels, thresholds, provenance and figures",
		Usage:   "FILE.model... | builtin",
		Run:     runModelsInfo,
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
	m, err := classify.ParsePairs(s)
	if err != nil {
		return nil, Usagef("%s: %v", what, err)
	}
	return m, nil
}

// readData reads one data file (classify.ReadData), reporting bad records
// on stderr.
func readData(env *Env, path string, rf *readFlags, role string) ([]classify.Example, classify.DataFile, error) {
	lm, err := parsePairs(rf.labelMap, "--label-map")
	if err != nil {
		return nil, classify.DataFile{}, err
	}
	return classify.ReadData(path, rf.options(), lm, role, func(msg string) { fmt.Fprintln(env.Stderr, msg) })
}

// trainFlags are train's flags: the data files and the training options.
type trainFlags struct {
	rf           readFlags
	data, dev    strList
	out, display string
	nonb, multi  bool
	o            classify.TrainOptions
}

func (t *trainFlags) define(fs *flag.FlagSet) {
	t.rf.define(fs)
	fs.Var(&t.data, "data", "training data `file` (repeatable)")
	fs.Var(&t.dev, "dev", "held-out `file` to measure the model on and record its figures (repeatable)")
	fs.StringVar(&t.out, "out", "", "model file to write (required)")
	fs.StringVar(&t.o.Name, "name", "", "model name (default: the --out file name)")
	fs.StringVar(&t.o.Version, "version", "1", "model version, recorded in the file and in every signal")
	fs.StringVar(&t.o.Description, "description", "", "what the model detects, in one line")
	fs.StringVar(&t.o.DataLicense, "license", "", "licence of the training data, recorded in the model")
	fs.StringVar(&t.o.Negative, "negative", "", "the label meaning nothing to report (default: guessed from NOT_*, normal, none, 0, …)")
	fs.BoolVar(&t.multi, "multi-label", false, "train one yes/no model per label (implied by --label-sep)")
	fs.StringVar(&t.display, "display", "", "names analysts see: `OFF=offensive,HS=hate-speech`")
	t.o.Params, t.o.Features = classify.DefaultParams(), classify.DefaultFeatures()
	p, feats := &t.o.Params, &t.o.Features
	fs.Float64Var(&p.TargetPrecision, "precision", p.TargetPrecision, "precision the flag thresholds must reach on held-out folds")
	fs.Float64Var(&p.C, "c", p.C, "SVM C: higher fits the training data more closely")
	fs.IntVar(&p.Folds, "folds", p.Folds, "cross-validation folds for calibration and thresholds")
	fs.IntVar(&p.MinFlagged, "min-flagged", p.MinFlagged, "a flag threshold must keep at least this many held-out posts")
	fs.StringVar(&p.ClassWeight, "class-weight", p.ClassWeight, "balanced or none")
	fs.BoolVar(&t.nonb, "no-nb", false, "turn off naive-Bayes feature scaling")
	fs.BoolVar(&p.GroupFolds, "group-folds", false, "keep each --group-col value (e.g. a topic) in one cross-validation fold, so thresholds are set on unseen groups")
	fs.Uint64Var(&p.Seed, "seed", p.Seed, "random seed (folds, solver order)")
	fs.IntVar(&feats.Bits, "bits", feats.Bits, "log2 of the hashed feature space (model size: 2^bits x labels x 2 bytes before gzip)")
	fs.IntVar(&feats.CharMax, "char-max", feats.CharMax, "longest character n-gram (0 turns char n-grams off)")
	fs.IntVar(&feats.WordNgrams, "word-ngrams", feats.WordNgrams, "longest word n-gram")
}

// options completes the training options once the flags are parsed.
func (t *trainFlags) options(env *Env) (classify.TrainOptions, error) {
	o := t.o
	if len(t.data) == 0 || t.out == "" {
		return o, Usagef("give --data FILE and --out FILE.model")
	}
	if o.Params.GroupFolds && t.rf.groupCol == "" {
		return o, Usagef("--group-folds needs --group-col")
	}
	o.Params.NB = !t.nonb
	if o.Name == "" {
		o.Name = strings.TrimSuffix(filepath.Base(t.out), filepath.Ext(t.out))
	}
	var err error
	if o.Display, err = parsePairs(t.display, "--display"); err != nil {
		return o, err
	}
	o.MultiLabel = t.multi || t.rf.labelSep != ""
	o.TextColumn, o.LabelColumn = t.rf.textCol, t.rf.labelCol
	o.Progress = func(msg string) {
		if env.StderrIsTerminal {
			fmt.Fprintf(env.Stderr, "train: %s\n", msg)
		}
	}
	return o, nil
}

func runTrain(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var t trainFlags
	t.define(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	o, err := t.options(env)
	if err != nil {
		return err
	}
	exs, files, err := readAllData(env, t.data, &t.rf, "train")
	if err != nil {
		return err
	}
	o.Data = files
	start := time.Now()
	m, err := classify.Train(exs, o)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if len(t.dev) > 0 {
		dexs, dfiles, err := readAllData(env, t.dev, &t.rf, "dev")
		if err != nil {
			return err
		}
		m.Info().Data = append(m.Info().Data, dfiles...)
		rep, _ := classify.Evaluate(m, dexs, o.Params.TargetPrecision)
		m.Info().Dev = rep.Figures()
	}
	if err := m.Save(t.out); err != nil {
		return err
	}
	st, _ := os.Stat(t.out)
	meta := m.Info()
	fmt.Fprintf(env.Stdout, "trained %s (%s) on %d examples in %s; wrote %s (%d KiB)\n", meta.Name, meta.Mode, len(exs), took.Round(time.Millisecond), t.out, st.Size()>>10)
	meta.Print(env.Stdout)
	return nil
}

// readAllData reads data files in order (readData).
func readAllData(env *Env, paths []string, rf *readFlags, role string) ([]classify.Example, []classify.DataFile, error) {
	var exs []classify.Example
	var files []classify.DataFile
	for _, d := range paths {
		e, df, err := readData(env, d, rf, role)
		if err != nil {
			return nil, nil, err
		}
		exs = append(exs, e...)
		files = append(files, df)
	}
	return exs, files, nil
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
