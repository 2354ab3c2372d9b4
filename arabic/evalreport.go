package arabic

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteEvalReport measures language identification (EvalLangID) and
// Arabizi transliteration (EvalTranslit) on the reference data in dataDir
// and writes their tables (`basira text eval`); progress is told before
// each measurement.
func WriteEvalReport(w io.Writer, dataDir string, progress func(string)) error {
	progress("evaluating language ID …")
	rows, err := EvalLangID(dataDir)
	if err != nil {
		return fmt.Errorf("language ID evaluation: %w", err)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LANGUAGE ID\tEXPECT\tN\tACCURACY\tGOT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%s\n", r.Set, r.Expect, r.N, r.Accuracy(), SortedCounts(r.Got))
	}
	tw.Flush()
	progress("evaluating transliteration …")
	tr, err := EvalTranslit(dataDir)
	if err != nil {
		return fmt.Errorf("transliteration evaluation: %w", err)
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ARABIZI TRANSLITERATION\tN\tCER\tTOP-1\tTOP-5\tSKELETON")
	for _, r := range tr {
		if r.Top1 == 0 && r.Top5 == 0 {
			fmt.Fprintf(tw, "%s\t%d\t%.3f\t-\t-\t-\n", r.Set, r.N, r.CER) // sentences: no top-k
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n", r.Set, r.N, r.CER, r.Top1, r.Top5, r.Skeleton)
	}
	return tw.Flush()
}
