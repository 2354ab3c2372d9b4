package classify

import (
	"encoding/csv"
	"io"
	"strconv"
)

// WriteCurveCSV writes the precision-recall curve of every label of m
// over exs (scored as preds) as CSV: label, threshold, precision, recall,
// f1, flagged, tp.
func WriteCurveCSV(out io.Writer, m *Model, exs []Example, preds []Prediction) error {
	w := csv.NewWriter(out)
	w.Write([]string{"label", "threshold", "precision", "recall", "f1", "flagged", "tp"})
	for j, l := range m.Info().Labels {
		scores := make([]float64, len(exs))
		pos := make([]bool, len(exs))
		for i, ex := range exs {
			scores[i] = preds[i].Probs[j]
			for _, g := range ex.Labels {
				pos[i] = pos[i] || g == l.Name
			}
		}
		for _, p := range Curve(scores, pos) {
			w.Write([]string{l.Name, f6(p.Threshold), f6(p.Precision), f6(p.Recall), f6(p.F1), strconv.Itoa(p.Flagged), strconv.Itoa(p.TP)})
		}
	}
	w.Flush()
	return w.Error()
}

func f6(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) }
