package sanctions

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// OFAC's ENHANCED_XML export (SDN_ENHANCED.XML, CONS_ENHANCED.XML).
type enhEntity struct {
	ID      string `xml:"id,attr"`
	General struct {
		Type string `xml:"entityType"`
	} `xml:"generalInfo"`
	Lists []struct {
		Name string `xml:",chardata"`
		Date string `xml:"datePublished,attr"`
	} `xml:"sanctionsLists>sanctionsList"`
	Programs []string `xml:"sanctionsPrograms>sanctionsProgram"`
	Names    []struct {
		Primary      bool `xml:"isPrimary"`
		Translations []struct {
			Primary bool   `xml:"isPrimary"`
			Script  string `xml:"script"`
			First   string `xml:"formattedFirstName"`
			Last    string `xml:"formattedLastName"`
			Full    string `xml:"formattedFullName"`
		} `xml:"translations>translation"`
	} `xml:"names>name"`
	Features []struct {
		Type  string `xml:"type"`
		Value string `xml:"value"`
	} `xml:"features>feature"`
}

// ParseOFACEnhancedXML reads OFAC's ENHANCED_XML export and returns its
// entries and its dataAsOf date. Features of type "Digital Currency
// Address - XBT" (and other currency codes) become wallets; every name
// translation (Latin and original script) becomes a name or alias.
func ParseOFACEnhancedXML(r io.Reader) ([]Entry, string, error) {
	entries, date, _, err := parseOFACEnhanced(r)
	return entries, date, err
}

// parseOFACEnhanced is ParseOFACEnhancedXML that also returns the list
// the file was published as (its publicationInfo filter: "SDN List" in
// SDN_ENHANCED.XML, "Consolidated List" in CONS_ENHANCED.XML).
func parseOFACEnhanced(r io.Reader) ([]Entry, string, string, error) {
	var entries []Entry
	date, list := "", ""
	err := scanXML(r, "OFAC XML", "sanctionsData", "an OFAC ENHANCED_XML file", func(s *xmlStream, se *xml.StartElement) error {
		switch se.Name.Local {
		case "publicationInfo":
			var p struct {
				Date  string   `xml:"dataAsOf"`
				Lists []string `xml:"filters>sanctionsLists>sanctionsList"`
			}
			if err := s.decode(&p, se); err != nil {
				return err
			}
			if v := strings.TrimSpace(p.Date); len(v) >= 10 {
				date = v[:10]
			}
			if len(p.Lists) == 1 {
				list = strings.TrimSpace(p.Lists[0])
			}
		case "dataAsOf":
			var v string
			if err := s.d.DecodeElement(&v, se); err != nil {
				return fmt.Errorf("OFAC XML dataAsOf: %w", err)
			}
			if v = strings.TrimSpace(v); len(v) >= 10 {
				date = v[:10]
			}
		case "entity":
			var x enhEntity
			if err := s.decode(&x, se); err != nil {
				return err
			}
			entries = append(entries, x.entry())
		}
		return nil
	})
	if err != nil {
		return nil, "", "", err
	}
	return entries, date, list, nil
}

func (x enhEntity) entry() Entry {
	e := Entry{ID: x.ID, Type: strings.ToLower(strings.TrimSpace(x.General.Type))}
	for _, p := range x.Programs {
		if p = strings.TrimSpace(p); p != "" {
			e.Programs = append(e.Programs, p)
		}
	}
	for _, l := range x.Lists {
		if e.Listed == "" || (l.Date != "" && l.Date < e.Listed) {
			e.Listed = l.Date
		}
	}
	for _, n := range x.Names {
		for _, t := range n.Translations {
			name := strings.TrimSpace(strings.TrimSpace(t.First) + " " + strings.TrimSpace(t.Last))
			if name == "" {
				name = strings.TrimSpace(t.Full)
			}
			if name == "" {
				continue
			}
			if n.Primary && t.Primary && e.Name == "" {
				e.Name = name
			} else if !contains(e.Aliases, name) {
				e.Aliases = append(e.Aliases, name)
			}
		}
	}
	if e.Name == "" && len(e.Aliases) > 0 {
		e.Name, e.Aliases = e.Aliases[0], e.Aliases[1:]
	}
	for _, f := range x.Features {
		cur, ok := strings.CutPrefix(strings.TrimSpace(f.Type), "Digital Currency Address - ")
		if v := strings.TrimSpace(f.Value); ok && v != "" {
			e.Wallets = append(e.Wallets, Wallet{Currency: strings.TrimSpace(cur), Address: v})
		}
	}
	return e
}
