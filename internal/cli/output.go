package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// The output helpers every command uses: one JSON encoder setting and
// one table layout, so formats stay alike across commands.

// writeJSON writes v as one JSON value; indent for a person, compact for
// a JSON-lines stream.
func writeJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// table is a tab-aligned table with a header row.
type table struct{ tw *tabwriter.Writer }

// newTable starts a table with columns padded by two spaces (the layout
// of every listing), writing header as its first row.
func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	if len(header) > 0 {
		fmt.Fprintln(t.tw, strings.Join(header, "\t"))
	}
	return t
}

// rowf writes one row formatted with tabs between the cells.
func (t *table) rowf(format string, a ...any) { fmt.Fprintf(t.tw, format, a...) }

// flush writes the aligned table.
func (t *table) flush() error { return t.tw.Flush() }

// withOutput runs write on the file path (created), or on stdout when
// path is "" or "-", and reports the first error of writing and closing.
func withOutput(env *Env, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(env.Stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// withInput runs read on the file path, or on stdin when path is "-".
func withInput(env *Env, path string, read func(io.Reader) error) error {
	if path == "-" {
		return read(env.Stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return read(f)
}

// orDash is s, or "-" for an empty cell.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine flattens whitespace and cuts s to n runes for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
