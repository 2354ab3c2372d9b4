package classify

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/basira-org/basira/arabic"
)

// ClassFigures are the measured figures of one label.
type ClassFigures struct {
	Label     string  `json:"label"`
	Support   int     `json:"support"`
	Predicted int     `json:"predicted"`
	TP        int     `json:"tp"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Scored is true when the model gives this label a probability (the
	// figures below exist).
	Scored bool `json:"scored"`
	// AP is the average precision of ranking posts by this label's
	// probability.
	AP float64 `json:"ap"`
	// ECE is the expected calibration error of the label's probability
	// (10 equal-width bins).
	ECE float64 `json:"ece"`
	// AtTarget is the lowest threshold reaching the target precision.
	AtTarget *Point `json:"at_target,omitempty"`
	// AtFlag is what the model's own flag threshold gives.
	AtFlag *Point `json:"at_flag,omitempty"`
}

// Point is one operating point of a score threshold.
type Point struct {
	Threshold float64 `json:"threshold"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Flagged   int     `json:"flagged"`
	TP        int     `json:"tp"`
}

// Report is the evaluation of a model on labelled examples.
type Report struct {
	N       int            `json:"n"`
	Mode    string         `json:"mode"`
	Classes []ClassFigures `json:"classes"`
	// MacroF1 averages F1 over all classes (for binary data: both the
	// positive and the negative class, as OffensEval scores).
	MacroF1 float64 `json:"macro_f1"`
	// WeightedF1 weighs each class's F1 by its support (what some papers
	// call the F-measure).
	WeightedF1 float64 `json:"weighted_f1"`
	Accuracy   float64 `json:"accuracy"`
	// ECE is the mean of the scored labels' calibration errors.
	ECE float64 `json:"ece"`
	// Confusion[g][p] counts gold class g predicted as p (single-label).
	Confusion [][]int `json:"confusion,omitempty"`
	Target    float64 `json:"target_precision,omitempty"`
	// GroupMAP is the mean over groups of the average precision of the
	// first positive label (when examples carry a group).
	GroupMAP float64 `json:"group_map,omitempty"`
	Groups   int     `json:"groups,omitempty"`
	// Unknown counts gold labels the model does not know.
	Unknown int `json:"unknown,omitempty"`
}

// Evaluate runs a model over examples (on all cores) and measures it.
// target, if > 0, asks for the threshold that reaches that precision on
// each label.
func Evaluate(c Classifier, exs []Example, target float64) (*Report, []Prediction) {
	preds := PredictAll(c, exs)
	return EvaluatePredictions(c.Info(), exs, preds, target), preds
}

// PredictAll analyses and scores examples on all cores, keeping order.
func PredictAll(c Classifier, exs []Example) []Prediction {
	preds := make([]Prediction, len(exs))
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(exs); i += n {
				preds[i] = c.Predict(arabic.Analyze(exs[i].Text))
			}
		}()
	}
	wg.Wait()
	return preds
}

// EvaluatePredictions measures predictions against the examples' labels.
func EvaluatePredictions(meta *Meta, exs []Example, preds []Prediction, target float64) *Report {
	r := &Report{N: len(exs), Mode: meta.Mode, Target: target}
	// Classes: the negative label first for binary models, then the
	// scored labels, then gold labels the model does not know.
	var classes []string
	idx := map[string]int{}
	add := func(l string) {
		if _, ok := idx[l]; !ok && l != "" {
			idx[l] = len(classes)
			classes = append(classes, l)
		}
	}
	if meta.Mode == Binary {
		add(meta.Negative)
	}
	scored := map[string]int{}
	for j, l := range meta.Labels {
		add(l.Name)
		scored[l.Name] = j
	}
	for _, ex := range exs {
		for _, l := range ex.Labels {
			if _, ok := idx[l]; !ok {
				r.Unknown++
			}
			add(l)
		}
	}
	C := len(classes)
	r.Classes = make([]ClassFigures, C)
	for c, l := range classes {
		r.Classes[c].Label = l
	}
	single := meta.Mode != MultiLabel
	if single {
		r.Confusion = make([][]int, C)
		for c := range r.Confusion {
			r.Confusion[c] = make([]int, C)
		}
	}
	correct := 0
	for i, ex := range exs {
		p := preds[i]
		if single {
			g, pr := idx[ex.Labels[0]], idx[p.Label]
			r.Confusion[g][pr]++
			r.Classes[g].Support++
			r.Classes[pr].Predicted++
			if g == pr {
				r.Classes[g].TP++
				correct++
			}
			continue
		}
		decided := map[string]bool{}
		for j, l := range meta.Labels {
			if p.Probs[j] >= l.Decision {
				decided[l.Name] = true
			}
		}
		gold := map[string]bool{}
		for _, l := range ex.Labels {
			gold[l] = true
		}
		for c, l := range classes {
			if gold[l] {
				r.Classes[c].Support++
			}
			if decided[l] {
				r.Classes[c].Predicted++
			}
			if gold[l] && decided[l] {
				r.Classes[c].TP++
			}
		}
		if len(decided) == len(gold) {
			same := true
			for l := range gold {
				same = same && decided[l]
			}
			if same {
				correct++
			}
		}
	}
	if len(exs) > 0 {
		r.Accuracy = float64(correct) / float64(len(exs))
	}
	var sumF1, sumECE, wF1 float64
	wN := 0
	nECE := 0
	firstAP := -1
	for c := range r.Classes {
		cf := &r.Classes[c]
		cf.Precision = ratio(cf.TP, cf.Predicted)
		cf.Recall = ratio(cf.TP, cf.Support)
		cf.F1 = f1(cf.Precision, cf.Recall)
		sumF1 += cf.F1
		wF1 += cf.F1 * float64(cf.Support)
		wN += cf.Support
		j, ok := scored[cf.Label]
		if !ok {
			continue
		}
		scores := make([]float64, len(exs))
		pos := make([]bool, len(exs))
		for i, ex := range exs {
			scores[i] = preds[i].Probs[j]
			pos[i] = hasLabel(ex, cf.Label)
		}
		cf.Scored = true
		cf.AP = AveragePrecision(scores, pos)
		cf.ECE = CalibrationError(scores, pos, 10)
		sumECE += cf.ECE
		nECE++
		if target > 0 {
			if t, _, _ := thresholdForPrecision(scores, pos, target, 1); t <= 1 {
				pt := PointAt(scores, pos, t)
				cf.AtTarget = &pt
			}
		}
		if cf.Label != meta.Negative {
			pt := PointAt(scores, pos, meta.Labels[j].Flag)
			cf.AtFlag = &pt
			if firstAP < 0 {
				firstAP = j
			}
		}
	}
	if C > 0 {
		r.MacroF1 = sumF1 / float64(C)
	}
	if wN > 0 {
		r.WeightedF1 = wF1 / float64(wN)
	}
	if nECE > 0 {
		r.ECE = sumECE / float64(nECE)
	}
	if firstAP >= 0 {
		groups := map[string][]int{}
		for i, ex := range exs {
			if ex.Group != "" {
				groups[ex.Group] = append(groups[ex.Group], i)
			}
		}
		if len(groups) > 0 {
			name := meta.Labels[firstAP].Name
			var sum float64
			for _, ids := range groups {
				scores := make([]float64, len(ids))
				pos := make([]bool, len(ids))
				for k, i := range ids {
					scores[k] = preds[i].Probs[firstAP]
					pos[k] = hasLabel(exs[i], name)
				}
				sum += AveragePrecision(scores, pos)
			}
			r.Groups = len(groups)
			r.GroupMAP = sum / float64(len(groups))
		}
	}
	return r
}

func hasLabel(ex Example, l string) bool {
	for _, x := range ex.Labels {
		if x == l {
			return true
		}
	}
	return false
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Figures condenses a report for storage in a model file.
func (r *Report) Figures() *Figures {
	f := &Figures{N: r.N, MacroF1: r.MacroF1, WeightedF1: round4(r.WeightedF1), Accuracy: round4(r.Accuracy), ECE: r.ECE, F1: map[string]float64{}, AP: map[string]float64{}}
	for _, c := range r.Classes {
		f.F1[c.Label] = round4(c.F1)
		if c.Scored {
			f.AP[c.Label] = round4(c.AP)
		}
	}
	f.MacroF1, f.ECE = round4(f.MacroF1), round4(f.ECE)
	return f
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// rankDesc returns indices ordered by score, highest first.
func rankDesc(scores []float64) []int {
	ix := make([]int, len(scores))
	for i := range ix {
		ix[i] = i
	}
	sort.SliceStable(ix, func(a, b int) bool { return scores[ix[a]] > scores[ix[b]] })
	return ix
}

// AveragePrecision is the mean of the precision at each positive when
// examples are ranked by score (ties in input order), as trec_eval and the
// CheckThat! scorers compute it. It is 0 when there is no positive.
func AveragePrecision(scores []float64, pos []bool) float64 {
	var hits, sum float64
	npos := 0
	for _, p := range pos {
		if p {
			npos++
		}
	}
	if npos == 0 {
		return 0
	}
	for rank, i := range rankDesc(scores) {
		if pos[i] {
			hits++
			sum += hits / float64(rank+1)
		}
	}
	return sum / float64(npos)
}

// CalibrationError is the expected calibration error of probabilities:
// the support-weighted mean gap between mean probability and observed
// frequency over equal-width bins.
func CalibrationError(scores []float64, pos []bool, bins int) float64 {
	if len(scores) == 0 {
		return 0
	}
	sumP := make([]float64, bins)
	sumY := make([]float64, bins)
	n := make([]int, bins)
	for i, s := range scores {
		b := min(int(s*float64(bins)), bins-1)
		b = max(b, 0)
		sumP[b] += s
		if pos[i] {
			sumY[b]++
		}
		n[b]++
	}
	var e float64
	for b := range bins {
		if n[b] > 0 {
			e += math.Abs(sumP[b]-sumY[b]) / float64(len(scores))
		}
	}
	return e
}

// PointAt measures flagging every example whose score is >= t.
func PointAt(scores []float64, pos []bool, t float64) Point {
	p := Point{Threshold: t}
	npos := 0
	for i, s := range scores {
		if pos[i] {
			npos++
		}
		if s >= t {
			p.Flagged++
			if pos[i] {
				p.TP++
			}
		}
	}
	p.Precision = ratio(p.TP, p.Flagged)
	p.Recall = ratio(p.TP, npos)
	p.F1 = f1(p.Precision, p.Recall)
	return p
}

// Curve returns the precision-recall curve: one point per distinct
// score, from the highest threshold down.
func Curve(scores []float64, pos []bool) []Point {
	npos := 0
	for _, p := range pos {
		if p {
			npos++
		}
	}
	ix := rankDesc(scores)
	var out []Point
	tp := 0
	for r, i := range ix {
		if pos[i] {
			tp++
		}
		if r+1 < len(ix) && scores[ix[r+1]] == scores[i] {
			continue
		}
		pr, rc := ratio(tp, r+1), ratio(tp, npos)
		out = append(out, Point{Threshold: scores[i], Precision: pr, Recall: rc, F1: f1(pr, rc), Flagged: r + 1, TP: tp})
	}
	return out
}

// thresholdForPrecision returns the lowest threshold whose flagged set
// (at least minFlagged examples) reaches the target precision, with the
// precision and recall there; 2 (never flag) when no threshold does.
func thresholdForPrecision(scores []float64, pos []bool, target float64, minFlagged int) (t, prec, rec float64) {
	t = 2
	for _, p := range Curve(scores, pos) {
		if p.Flagged >= minFlagged && p.Precision >= target {
			t, prec, rec = p.Threshold, p.Precision, p.Recall
		}
	}
	return t, prec, rec
}

// bestF1Threshold returns the threshold maximising the label's F1.
func bestF1Threshold(scores []float64, pos []bool) float64 {
	best, bt := -1.0, 0.5
	for _, p := range Curve(scores, pos) {
		if p.F1 > best {
			best, bt = p.F1, p.Threshold
		}
	}
	return bt
}

// bestMacroF1Threshold returns the threshold maximising the mean F1 of the
// positive and the negative class.
func bestMacroF1Threshold(scores []float64, pos []bool) float64 {
	n, npos := len(scores), 0
	for _, p := range pos {
		if p {
			npos++
		}
	}
	nneg := n - npos
	best, bt := -1.0, 0.5
	for _, p := range Curve(scores, pos) {
		fp := p.Flagged - p.TP
		// Negative class: predicted negative = n - flagged; true
		// negatives = nneg - fp.
		tn := nneg - fp
		negF1 := f1(ratio(tn, n-p.Flagged), ratio(tn, nneg))
		if m := (p.F1 + negF1) / 2; m > best {
			best, bt = m, p.Threshold
		}
	}
	return bt
}

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "examples: %d   mode: %s\n", r.N, r.Mode)
	if r.Unknown > 0 {
		fmt.Fprintf(w, "warning: %d gold labels are unknown to the model (scored F1 0)\n", r.Unknown)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tsupport\tprecision\trecall\tF1\tAP\tECE\t")
	for _, c := range r.Classes {
		ap, ece := "-", "-"
		if c.Scored {
			ap, ece = fmt.Sprintf("%.4f", c.AP), fmt.Sprintf("%.4f", c.ECE)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.4f\t%s\t%s\t\n", c.Label, c.Support, c.Precision, c.Recall, c.F1, ap, ece)
	}
	tw.Flush()
	fmt.Fprintf(w, "macro-F1: %.4f   weighted F1: %.4f   accuracy: %.4f   ECE (mean over scored labels): %.4f\n", r.MacroF1, r.WeightedF1, r.Accuracy, r.ECE)
	if r.Groups > 0 {
		fmt.Fprintf(w, "mean average precision over %d groups: %.4f\n", r.Groups, r.GroupMAP)
	}
	if r.Confusion != nil {
		fmt.Fprintln(w, "\nconfusion (rows gold, columns predicted):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t")
		for _, c := range r.Classes {
			fmt.Fprintf(tw, "%s\t", c.Label)
		}
		fmt.Fprintln(tw)
		for g, row := range r.Confusion {
			fmt.Fprintf(tw, "%s\t", r.Classes[g].Label)
			for _, n := range row {
				fmt.Fprintf(tw, "%d\t", n)
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	var lines []string
	for _, c := range r.Classes {
		if c.AtFlag != nil {
			lines = append(lines, fmt.Sprintf("  %s at the model's flag threshold %s: flagged %d, precision %.4f, recall %.4f",
				c.Label, fmtThreshold(c.AtFlag.Threshold), c.AtFlag.Flagged, c.AtFlag.Precision, c.AtFlag.Recall))
		}
		if r.Target > 0 && c.Scored {
			if c.AtTarget != nil {
				lines = append(lines, fmt.Sprintf("  %s reaches precision %.2f at threshold %.4f: precision %.4f, recall %.4f, flagged %d",
					c.Label, r.Target, c.AtTarget.Threshold, c.AtTarget.Precision, c.AtTarget.Recall, c.AtTarget.Flagged))
			} else {
				lines = append(lines, fmt.Sprintf("  %s never reaches precision %.2f on this data", c.Label, r.Target))
			}
		}
	}
	if len(lines) > 0 {
		fmt.Fprintln(w, "\nthresholds:")
		fmt.Fprintln(w, strings.Join(lines, "\n"))
	}
}

func fmtThreshold(t float64) string {
	if t > 1 {
		return "(never: the target precision was not reached in training)"
	}
	return fmt.Sprintf("%.4f", t)
}

// SetFlagThresholds re-sets each scored label's flag threshold to the
// lowest score reaching the target precision on the given examples (with
// at least minFlagged of them flagged), records where it was measured, and
// returns the labels that never reach it (their threshold becomes "never").
// Use data the model was not trained on: an operator's dev set.
func SetFlagThresholds(m *Model, exs []Example, preds []Prediction, target float64, minFlagged int, source string) (never []string) {
	for j := range m.meta.Labels {
		l := &m.meta.Labels[j]
		if l.Name == m.meta.Negative {
			continue
		}
		scores := make([]float64, len(exs))
		pos := make([]bool, len(exs))
		for i, ex := range exs {
			scores[i] = preds[i].Probs[j]
			pos[i] = hasLabel(ex, l.Name)
		}
		l.Flag, l.FlagPrecision, l.FlagRecall = thresholdForPrecision(scores, pos, target, minFlagged)
		l.FlagSource = source
		if l.Flag > 1 {
			never = append(never, l.Name)
		}
	}
	return never
}
