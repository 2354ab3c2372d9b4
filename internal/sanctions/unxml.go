package sanctions

import (
	"encoding/xml"
	"io"
	"strings"
)

// unPerson is an INDIVIDUAL or ENTITY of the UN consolidated list.
type unPerson struct {
	DataID       string    `xml:"DATAID"`
	First        string    `xml:"FIRST_NAME"`
	Second       string    `xml:"SECOND_NAME"`
	Third        string    `xml:"THIRD_NAME"`
	Fourth       string    `xml:"FOURTH_NAME"`
	Original     string    `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType     string    `xml:"UN_LIST_TYPE"`
	Reference    string    `xml:"REFERENCE_NUMBER"`
	ListedOn     string    `xml:"LISTED_ON"`
	IndivAliases []unAlias `xml:"INDIVIDUAL_ALIAS"`
	EntAliases   []unAlias `xml:"ENTITY_ALIAS"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

// ParseUNXML reads the UN Security Council consolidated list XML and
// returns its entries and its generation date (YYYY-MM-DD). Names in their
// original script (Arabic for most Al-Qaida and Taliban entries) are kept
// as aliases.
func ParseUNXML(r io.Reader) ([]Entry, string, error) {
	var entries []Entry
	date := ""
	err := scanXML(r, "UN XML", "CONSOLIDATED_LIST", "a UN consolidated list", func(s *xmlStream, se *xml.StartElement) error {
		switch se.Name.Local {
		case "CONSOLIDATED_LIST":
			for _, a := range se.Attr {
				if a.Name.Local == "dateGenerated" && len(a.Value) >= 10 {
					date = a.Value[:10]
				}
			}
		case "INDIVIDUAL", "ENTITY":
			var p unPerson
			if err := s.decode(&p, se); err != nil {
				return err
			}
			typ := "individual"
			if se.Name.Local == "ENTITY" {
				typ = "entity"
			}
			entries = append(entries, p.entry(typ))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return entries, date, nil
}

func (p unPerson) entry(typ string) Entry {
	var parts []string
	for _, s := range []string{p.First, p.Second, p.Third, p.Fourth} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	e := Entry{ID: strings.TrimSpace(p.DataID), Ref: strings.TrimSpace(p.Reference), Type: typ,
		Name: strings.Join(parts, " "), Listed: strings.TrimSpace(p.ListedOn)}
	if lt := strings.TrimSpace(p.ListType); lt != "" {
		e.Programs = []string{lt}
	}
	if o := strings.TrimSpace(p.Original); o != "" {
		e.Aliases = append(e.Aliases, o)
	}
	for _, a := range append(p.IndivAliases, p.EntAliases...) {
		// Some aliases hold several names: "أبو بكر البغدادي (Abu Bakr
		// al-Baghdadi; Abu Bakr al-Husayni)". Each is indexed on its own.
		for _, n := range strings.FieldsFunc(a.Name, func(r rune) bool { return r == '(' || r == ')' || r == ';' }) {
			if n = strings.TrimSpace(n); n != "" && !contains(e.Aliases, n) {
				e.Aliases = append(e.Aliases, n)
			}
		}
	}
	if e.Name == "" && len(e.Aliases) > 0 {
		e.Name = e.Aliases[0]
	}
	return e
}
