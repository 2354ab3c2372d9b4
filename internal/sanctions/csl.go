package sanctions

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseCSL reads the US Consolidated Screening List in its CSV layout
// (header row with name, alt_names, type, programs, source, …; both the
// current layout with _id and the older one without are accepted).
// Addresses in remarks are read as for OFAC.
func ParseCSL(r io.Reader) ([]Entry, error) {
	b, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(b))
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("CSL header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, errors.New("CSL header has no \"name\" column: not a Consolidated Screening List CSV")
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var entries []Entry
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("CSL line %d: %w", line, err)
		}
		line, _ := cr.FieldPos(0)
		e := Entry{ID: get(rec, "_id"), Name: get(rec, "name"), Type: strings.ToLower(get(rec, "type")), Listed: get(rec, "start_date")}
		if e.ID == "" {
			e.ID = get(rec, "entity_number")
		}
		if e.ID == "" {
			e.ID = fmt.Sprintf("line %d", line)
		}
		if e.Type == "" {
			e.Type = "entity"
		}
		if e.Name == "" {
			continue
		}
		if src := get(rec, "source"); src != "" {
			e.Programs = append(e.Programs, src)
		}
		for _, p := range strings.Split(get(rec, "programs"), ";") {
			if p = strings.TrimSpace(p); p != "" {
				e.Programs = append(e.Programs, p)
			}
		}
		for _, a := range strings.Split(get(rec, "alt_names"), ";") {
			if a = strings.TrimSpace(a); a != "" && !contains(e.Aliases, a) {
				e.Aliases = append(e.Aliases, a)
			}
		}
		e.Wallets = RemarkWallets(get(rec, "remarks") + "; " + get(rec, "ids"))
		entries = append(entries, e)
	}
	return entries, nil
}
