package claims

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// WriteJSONL writes one claim per line as JSON.
func WriteJSONL(w io.Writer, cs []Claim) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range cs {
		if err := enc.Encode(&cs[i]); err != nil {
			return err
		}
	}
	return nil
}

// WriteTable writes the claims for a person: id, rating, language,
// publication date and the claim on one line.
func WriteTable(w io.Writer, cs []Claim) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRATING\tLANG\tPUBLISHED\tCLAIM")
	for _, c := range cs {
		pub := "-"
		if c.Published != nil {
			pub = c.Published.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, OrDash(c.Rating), OrDash(c.Lang), pub, OneLine(c.Text, 70))
	}
	return tw.Flush()
}

// OrDash is s, or "-" for an empty cell.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// OneLine flattens whitespace and cuts s to n runes for a table cell.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
