// Package eval holds the measurement loops behind `basira eval`, `models
// eval-all`, `models benign` and `models extremism`: they train or run
// classifiers over the reference data and write the tables docs/models.md
// and docs/extremism.md quote. The commands only parse flags and call
// them.
package eval

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/basira-org/basira/internal/classify"
)

// RecipeOptions select the built-in recipes to run.
type RecipeOptions struct {
	Only      map[string]bool // recipe names (empty: all)
	Shippable bool            // only recipes whose data licence allows shipping
	Markdown  bool            // the table as Markdown
	Out       string          // folder to save the trained models in ("": none)
}

// Recipes retrains and measures every selected recipe on the reference
// data in dataDir, writes the table to w and a line per recipe to
// progress, and returns how many recipes ran and which names in Only
// matched none.
func Recipes(w, progress io.Writer, dataDir string, o RecipeOptions) (ran int, unknown []string, err error) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cells ...string) {
		if o.Markdown {
			fmt.Fprintf(tw, "| %s |\n", strings.Join(cells, " | "))
			return
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	row("model", "figures on", "n", "macro-F1", "weighted F1", "AP (positive)", "ECE", "flag thr", "prec@flag", "rec@flag", "data licence", "ships", "train time")
	if o.Markdown {
		row("---", "---", "---:", "---:", "---:", "---", "---:", "---:", "---:", "---:", "---", "---", "---:")
	}
	found := map[string]bool{}
	var notes []string
	for _, r := range classify.Recipes() {
		if (len(o.Only) > 0 && !o.Only[r.Name]) || (o.Shippable && !r.Ship) {
			continue
		}
		ran++
		found[r.Name] = true
		note, err := runRecipe(r, dataDir, o.Out, row, progress)
		if err != nil {
			return ran, nil, err
		}
		notes = append(notes, note...)
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(w, "\n"+strings.Join(notes, "\n"))
	}
	for n := range o.Only {
		if !found[n] {
			unknown = append(unknown, n)
		}
	}
	return ran, unknown, nil
}

// runRecipe trains one recipe, writes its row and returns its notes.
func runRecipe(r classify.Recipe, dataDir, out string, row func(...string), progress io.Writer) ([]string, error) {
	start := time.Now()
	res, err := r.Run(dataDir, classify.TrainOptions{Features: classify.DefaultFeatures(), Params: classify.DefaultParams()})
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	took := time.Since(start).Round(100 * time.Millisecond)
	meta := res.Model.Info()
	on, fig := "5-fold CV", meta.CV
	if meta.Dev != nil {
		on, fig = "dev", meta.Dev
	}
	ap, thr, prec, rec := labelFigures(res, fig)
	ship := "no"
	if r.Ship {
		ship = "yes"
	}
	row(r.Name, on, strconv.Itoa(fig.N), fmt.Sprintf("%.4f", fig.MacroF1), fmt.Sprintf("%.4f", fig.WeightedF1), strings.Join(ap, ", "), fmt.Sprintf("%.4f", fig.ECE),
		strings.Join(thr, "/"), strings.Join(prec, "/"), strings.Join(rec, "/"), r.License, ship, took.String())
	fmt.Fprintf(progress, "%s: %s macro-F1 %.4f (%s)\n", r.Name, on, fig.MacroF1, took)
	var notes []string
	if res.Report != nil && res.Report.Groups > 0 {
		notes = append(notes, fmt.Sprintf("%s: mean average precision over %d dev groups (%s) %.4f", r.Name, res.Report.Groups, r.Read.GroupCol, res.Report.GroupMAP))
	}
	if r.Anchor != "" {
		notes = append(notes, fmt.Sprintf("%s: published anchor: %s", r.Name, r.Anchor))
	}
	if len(res.Bad) > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d records skipped (first: %v)", r.Name, len(res.Bad), res.Bad[0]))
	}
	if out != "" {
		if err := res.Model.Save(filepath.Join(out, r.Name+".model")); err != nil {
			return nil, err
		}
	}
	return notes, nil
}

// labelFigures are the per-label cells of a recipe's row: average
// precision, flag threshold, and precision and recall at that threshold
// (on dev when measured there, else on the held-out folds).
func labelFigures(res *classify.RecipeResult, fig *classify.Figures) (ap, thr, prec, rec []string) {
	meta := res.Model.Info()
	for _, l := range meta.Labels {
		if l.Name == meta.Negative {
			continue
		}
		ap = append(ap, fmt.Sprintf("%s %.3f", l.Name, fig.AP[l.Name]))
		if l.Flag > 1 {
			thr = append(thr, "never")
		} else {
			thr = append(thr, fmt.Sprintf("%.2f", l.Flag))
		}
		if res.Report == nil {
			prec = append(prec, fmt.Sprintf("%.2f", l.FlagPrecision))
			rec = append(rec, fmt.Sprintf("%.2f", l.FlagRecall))
			continue
		}
		for _, c := range res.Report.Classes {
			if c.Label == l.Name && c.AtFlag != nil {
				prec = append(prec, fmt.Sprintf("%.2f", c.AtFlag.Precision))
				rec = append(rec, fmt.Sprintf("%.2f", c.AtFlag.Recall))
			}
		}
	}
	return ap, thr, prec, rec
}

// Benign writes the share of each benign set every model flags, and up
// to show flagged texts per model and set (the over-enforcement check).
func Benign(w io.Writer, ms []*classify.Model, sets []classify.TextSet, show int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tset\tposts\tflagged\trate\t")
	var shown []string
	for _, m := range ms {
		for _, s := range sets {
			fl := classify.FlagRate(m, s.Texts)
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f%%\t\n", m.Name(), s.Name, len(s.Texts), len(fl), 100*float64(len(fl))/float64(len(s.Texts)))
			for i := 0; i < len(fl) && i < show; i++ {
				shown = append(shown, fmt.Sprintf("%s | %s | %s", m.Name(), s.Name, strings.ReplaceAll(fl[i], "\n", " ")))
			}
		}
	}
	tw.Flush()
	if len(shown) > 0 {
		fmt.Fprintln(w, "\nflagged (model | set | text):")
		fmt.Fprintln(w, strings.Join(shown, "\n"))
	}
}

// ExtremismTable writes the rows of an extremism measurement: recall on
// the positive sets, false flags on the others, a row per language with
// byLang, and up to show missed or flagged texts per set.
func ExtremismTable(w io.Writer, rows []classify.EvalRow, byLang bool, show int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tlang\tposts\tflagged\trate\tmeasures\t")
	var shown []string
	for _, r := range rows {
		if r.Lang != "all" && !byLang {
			continue
		}
		what, verb := "false flags", "flagged"
		if r.Positive {
			what, verb = "recall", "missed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f%%\t%s\t\n", r.Set, r.Lang, r.N, r.Flagged, 100*r.Rate(), what)
		if r.Lang == "all" {
			for i := 0; i < len(r.Examples) && i < show; i++ {
				shown = append(shown, fmt.Sprintf("%s | %s | %s", r.Set, verb, strings.ReplaceAll(r.Examples[i], "\n", " ")))
			}
		}
	}
	tw.Flush()
	if len(shown) > 0 {
		fmt.Fprintln(w, "\n"+strings.Join(shown, "\n"))
	}
}
