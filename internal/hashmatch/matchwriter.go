package hashmatch

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// MatchWriter writes the verdicts of `basira match`: a table for a person
// (ITEM, VERDICT, BANK, ENTRY, LABEL, DISTANCE) or one JSON object per
// match. Matches on safe lists are written as "safe", the others as
// "flag"; with All, an item without match is written as "none".
type MatchWriter struct {
	All  bool
	json *json.Encoder
	tw   *tabwriter.Writer
}

// NewMatchWriter writes a table, or JSON lines with asJSON.
func NewMatchWriter(w io.Writer, asJSON, all bool) *MatchWriter {
	if asJSON {
		return &MatchWriter{All: all, json: json.NewEncoder(w)}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tVERDICT\tBANK\tENTRY\tLABEL\tDISTANCE")
	return &MatchWriter{All: all, tw: tw}
}

// Write writes the matches of one item.
func (p *MatchWriter) Write(item string, ms []Match) {
	flag, safe := Verdict(ms)
	if len(ms) == 0 && p.All {
		if p.json != nil {
			_ = p.json.Encode(map[string]any{"item": item, "verdict": "none"})
		} else {
			fmt.Fprintf(p.tw, "%s\tnone\t\t\t\t\n", item)
		}
	}
	for _, list := range []struct {
		verdict string
		ms      []Match
	}{{"flag", flag}, {"safe", safe}} {
		for _, m := range list.ms {
			if p.json != nil {
				_ = p.json.Encode(map[string]any{"item": item, "verdict": list.verdict, "match": m})
				continue
			}
			fmt.Fprintf(p.tw, "%s\t%s\t%s\t%s\t%s\t%s\n", item, list.verdict, m.Bank, m.Entry.ID, m.Entry.Label, distance(m))
		}
	}
}

// Flush writes the table.
func (p *MatchWriter) Flush() error {
	if p.tw != nil {
		return p.tw.Flush()
	}
	return nil
}

func distance(m Match) string {
	if m.Video != nil {
		return fmt.Sprintf("vpdq %.0f%% / %.0f%%", m.Video.QueryPercent, m.Video.ComparedPercent)
	}
	if m.Type == Text {
		return fmt.Sprintf("similarity %.2f", m.Similarity)
	}
	dist := fmt.Sprint(m.Distance)
	if m.Transform != "" {
		dist += " (" + m.Transform + ")"
	}
	return dist
}
