package sanctions

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteMatchesJSONL writes one JSON object per match.
func WriteMatchesJSONL(w io.Writer, ms []Match) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, m := range ms {
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}

// WriteMatchesTable writes the matches for a person: score, list and its
// date, the entry, what matched (a name or a wallet) and the entry's
// primary name and programs.
func WriteMatchesTable(w io.Writer, ms []Match) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCORE\tLIST\tLIST DATE\tENTRY\tMATCHED\tPRIMARY NAME\tPROGRAMS")
	for _, m := range ms {
		matched := m.Name
		if m.Wallet != nil {
			matched = m.Wallet.Currency + " " + m.Wallet.Address
		}
		id := m.Entry.ID
		if m.Entry.Ref != "" {
			id += " (" + m.Entry.Ref + ")"
		}
		fmt.Fprintf(tw, "%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Score, m.List, m.Date, id, matched, m.Entry.Name, strings.Join(m.Entry.Programs, ","))
	}
	return tw.Flush()
}

// WriteListsTable writes the imported lists: name, date, format, source
// file, entries, wallets and when they were imported.
func WriteListsTable(w io.Writer, lists []*List) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LIST\tDATE\tFORMAT\tSOURCE\tENTRIES\tWALLETS\tIMPORTED")
	for _, l := range lists {
		wallets := 0
		for _, e := range l.Entries {
			wallets += len(e.Wallets)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", l.Name, l.Date, l.Format, l.Source, len(l.Entries), wallets, l.Imported.Format(time.RFC3339))
	}
	return tw.Flush()
}
