package hashmatch

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on an entry's text fields: a label is a taxonomy name, a note a
// line or two. (A 100 MB label was once stored through the API.)
const (
	MaxLabelBytes  = 256
	MaxSourceBytes = 256
	MaxNoteBytes   = 4096
	MaxIDBytes     = 256
)

// checkText refuses an entry whose text fields are over their limits or
// not valid UTF-8.
func checkText(e Entry) error {
	for _, f := range []struct {
		name, v string
		max     int
	}{{"id", e.ID, MaxIDBytes}, {"label", e.Label, MaxLabelBytes}, {"source", e.Source, MaxSourceBytes}, {"note", e.Note, MaxNoteBytes}} {
		if len(f.v) > f.max {
			return fmt.Errorf("%s is %d bytes, over the %d-byte limit", f.name, len(f.v), f.max)
		}
		if !utf8.ValidString(f.v) || strings.IndexByte(f.v, 0) >= 0 {
			return fmt.Errorf("%s is not valid UTF-8 text", f.name)
		}
	}
	return nil
}

// formulaStart holds the first characters that make a spreadsheet read a
// cell as a formula (=HYPERLINK(…), +cmd|…, -…, @SUM(…)).
const formulaStart = "=+-@\t\r"

// escapeCell neutralises a text cell a spreadsheet would run as a formula
// by prefixing a quote (OWASP's advice); unescapeCell undoes it on import,
// so a bank exported and imported again is unchanged.
func escapeCell(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaStart, s[1]) >= 0 {
		return s[1:]
	}
	return s
}
