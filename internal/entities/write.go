package entities

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"
)

// The set as `basira entities list` writes it: rule lists, JSON lines or
// a table, each entry of kind only when kind is set.

// WriteLists writes the set's names as rule lists (a YAML lists: block).
func (s *Set) WriteLists(w io.Writer) error {
	b, err := yaml.Marshal(map[string]any{"lists": s.RuleLists()})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "# Designated-entity names as rule lists (basira entities list --format lists).\n# A name is evidence, never a verdict: combine with stance terms.\n%s", b)
	return err
}

// WriteJSONL writes one JSON object per entry, names grouped by language.
func (s *Set) WriteJSONL(w io.Writer, kind Kind) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range s.Entities() {
		if kind != "" && e.Kind != kind {
			continue
		}
		if err := enc.Encode(entryJSON(e)); err != nil {
			return err
		}
	}
	return nil
}

// WriteTable writes a row per entry and returns how many it wrote.
func (s *Set) WriteTable(w io.Writer, kind Kind) (int, error) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tOF\tNAMES\tSHARED\tUN\tSOURCE")
	n := 0
	for _, e := range s.Entities() {
		if kind != "" && e.Kind != kind {
			continue
		}
		n++
		src := e.Source
		if r := []rune(src); len(r) > 60 {
			src = string(r[:59]) + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", e.ID, e.Kind, dash(e.Of), len(e.Aliases), len(e.Shared), dash(strings.Join(e.UN, ",")), src)
	}
	return n, tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type entryOut struct {
	ID      string              `json:"id"`
	Kind    string              `json:"kind"`
	Name    string              `json:"name"`
	Of      string              `json:"of,omitempty"`
	UN      []string            `json:"un,omitempty"`
	Source  string              `json:"source"`
	Aliases map[string][]string `json:"aliases,omitempty"`
	Shared  map[string][]string `json:"shared,omitempty"`
}

func entryJSON(e *Entity) entryOut {
	o := entryOut{ID: e.ID, Kind: string(e.Kind), Name: e.Name, Of: e.Of, UN: e.UN, Source: e.Source}
	group := func(as []Alias) map[string][]string {
		if len(as) == 0 {
			return nil
		}
		m := map[string][]string{}
		for _, a := range as {
			m[a.Lang] = append(m[a.Lang], a.Text)
		}
		return m
	}
	o.Aliases, o.Shared = group(e.Aliases), group(e.Shared)
	return o
}
