package retrieve

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/basira-org/basira/internal/claims"
)

// WriteHitsJSONL writes one {"rank", "score", "claim"} object per hit,
// the score rounded to three decimals.
func WriteHitsJSONL(w io.Writer, hits []Hit) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, h := range hits {
		if err := enc.Encode(map[string]any{"rank": i + 1, "score": math.Round(h.Prob*1000) / 1000, "claim": h.Claim}); err != nil {
			return err
		}
	}
	return nil
}

// WriteHitsTable writes the hits for a person: rank, score, rating, the
// claim and its correction.
func WriteHitsTable(w io.Writer, hits []Hit) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tSCORE\tRATING\tCLAIM\tCORRECTION\tID")
	for i, h := range hits {
		fmt.Fprintf(tw, "%d\t%.3f\t%s\t%s\t%s\t%s\n", i+1, h.Prob, claims.OrDash(h.Claim.Rating), claims.OneLine(h.Claim.Text, 60), claims.OneLine(claims.OrDash(h.Claim.Correction), 40), h.Claim.ID)
	}
	return tw.Flush()
}
