package classify

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Print writes the model's provenance, parameters and per-label
// thresholds and figures for a person (`basira models info`).
func (meta *Meta) Print(w io.Writer) {
	if meta.Description != "" {
		fmt.Fprintf(w, "  %s\n", meta.Description)
	}
	fmt.Fprintf(w, "  version %s, created %s, mode %s, negative label %q\n", meta.Version, meta.Created.Format(time.RFC3339), meta.Mode, meta.Negative)
	for _, d := range meta.Data {
		fmt.Fprintf(w, "  %s data: %s (%d rows, sha256 %s)\n", d.Role, d.Name, d.Rows, d.SHA256[:min(16, len(d.SHA256))])
	}
	if meta.DataLicense != "" {
		fmt.Fprintf(w, "  data licence: %s\n", meta.DataLicense)
	}
	pr := meta.Params
	fmt.Fprintf(w, "  params: %s C=%g class-weight=%s nb=%v folds=%d group-folds=%v target precision %.2f; features: 2^%d, word 1-%d, chars %d-%d\n",
		pr.Solver, pr.C, pr.ClassWeight, pr.NB, pr.Folds, pr.GroupFolds, pr.TargetPrecision, meta.Features.Bits, meta.Features.WordNgrams, meta.Features.CharMin, meta.Features.CharMax)
	if meta.Features.Lexicon != "" || meta.MinTokens > 0 {
		fmt.Fprintf(w, "  lexicon features: %s; flags posts of at least %d words\n", meta.Features.Lexicon, meta.MinTokens)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  label\tshown as\ttrain n\tflag threshold\tprecision\trecall\tmeasured on")
	for _, l := range meta.Labels {
		th := fmt.Sprintf("%.4f", l.Flag)
		if l.Flag > 1 {
			th = "never"
		}
		disp := l.Display
		if disp == "" {
			disp = l.Name
		}
		src := l.FlagSource
		if src == "" {
			src = "held-out folds"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%.4f\t%.4f\t%s\n", l.Name, disp, meta.LabelCounts[l.Name], th, l.FlagPrecision, l.FlagRecall, src)
	}
	tw.Flush()
	if meta.CV != nil {
		fmt.Fprintf(w, "  cross-validated (%d folds): macro-F1 %.4f, ECE %.4f\n", pr.Folds, meta.CV.MacroF1, meta.CV.ECE)
	}
	if meta.Dev != nil {
		fmt.Fprintf(w, "  dev (%d examples): macro-F1 %.4f, ECE %.4f, AP %v\n", meta.Dev.N, meta.Dev.MacroF1, meta.Dev.ECE, meta.Dev.AP)
	}
	if meta.TextEngine != TextEngineFingerprint() {
		fmt.Fprintf(w, "  warning: trained with another version of the text engine (%s, this build %s): retrain for scores that match these figures\n", meta.TextEngine, TextEngineFingerprint())
	}
}
