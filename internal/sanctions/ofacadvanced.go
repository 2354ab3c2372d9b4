package sanctions

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// OFAC's advanced XML (sdn_advanced.xml, cons_advanced.xml): the UN
// sanctions data standard. Names and features refer to reference tables
// that come first in the file (feature types, party sub-types), so one
// streaming pass reads the tables, then each DistinctParty.
type advParty struct {
	FixedRef string `xml:"FixedRef,attr"`
	Profiles []struct {
		ID         string `xml:"ID,attr"`
		SubType    string `xml:"PartySubTypeID,attr"`
		Identities []struct {
			Aliases []struct {
				Primary bool `xml:"Primary,attr"`
				Names   []struct {
					Parts []string `xml:"DocumentedNamePart>NamePartValue"`
				} `xml:"DocumentedName"`
			} `xml:"Alias"`
		} `xml:"Identity"`
		Features []struct {
			Type     string   `xml:"FeatureTypeID,attr"`
			Versions []string `xml:"FeatureVersion>VersionDetail"`
		} `xml:"Feature"`
	} `xml:"Profile"`
}

type advRef struct {
	ID        string `xml:"ID,attr"`
	PartyType string `xml:"PartyTypeID,attr"`
	Value     string `xml:",chardata"`
}

// ParseOFACAdvancedXML reads OFAC's advanced XML and returns its entries
// and its date of issue. Features whose type is "Digital Currency Address
// - <CUR>" become wallets.
func ParseOFACAdvancedXML(r io.Reader) ([]Entry, string, error) {
	refs := advRefs{features: map[string]string{}, subTypes: map[string]string{}, partyTypes: map[string]string{}}
	var entries []Entry
	date := ""
	err := scanXML(r, "OFAC advanced XML", "Sanctions", "an OFAC advanced XML file", func(s *xmlStream, se *xml.StartElement) error {
		switch se.Name.Local {
		case "DateOfIssue":
			var dt struct{ Year, Month, Day int }
			if err := s.decode(&dt, se); err != nil {
				return err
			}
			date = fmt.Sprintf("%04d-%02d-%02d", dt.Year, dt.Month, dt.Day)
		case "FeatureType", "PartySubType", "PartyType":
			var ref advRef
			if err := s.decode(&ref, se); err != nil {
				return err
			}
			v := strings.TrimSpace(ref.Value)
			switch se.Name.Local {
			case "FeatureType":
				refs.features[ref.ID] = v
			case "PartySubType":
				refs.subTypes[ref.ID] = ref.PartyType + "\x00" + v
			case "PartyType":
				refs.partyTypes[ref.ID] = v
			}
		case "DistinctParty":
			var p advParty
			if err := s.decode(&p, se); err != nil {
				return err
			}
			entries = p.appendEntries(entries, refs)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return entries, date, nil
}

// advRefs are the reference tables that come before the parties: feature
// type names, party sub-types ("<party type ID>\x00<name>") and party
// type names, by ID.
type advRefs struct {
	features, subTypes, partyTypes map[string]string
}

// appendEntries appends one entry for each of the party's profiles.
func (p advParty) appendEntries(entries []Entry, refs advRefs) []Entry {
	for _, pr := range p.Profiles {
		e := Entry{ID: pr.ID, Type: "entity"}
		if st, ok := refs.subTypes[pr.SubType]; ok {
			pt, sub, _ := strings.Cut(st, "\x00")
			switch {
			case sub != "" && sub != "Unknown":
				e.Type = strings.ToLower(sub)
			case refs.partyTypes[pt] != "":
				e.Type = strings.ToLower(refs.partyTypes[pt])
			}
		}
		for _, id := range pr.Identities {
			for _, a := range id.Aliases {
				for _, n := range a.Names {
					name := strings.Join(strings.Fields(strings.Join(n.Parts, " ")), " ")
					if name == "" {
						continue
					}
					if a.Primary && e.Name == "" {
						e.Name = name
					} else if name != e.Name && !contains(e.Aliases, name) {
						e.Aliases = append(e.Aliases, name)
					}
				}
			}
		}
		if e.Name == "" && len(e.Aliases) > 0 {
			e.Name, e.Aliases = e.Aliases[0], e.Aliases[1:]
		}
		for _, f := range pr.Features {
			cur, ok := strings.CutPrefix(refs.features[f.Type], "Digital Currency Address - ")
			if !ok {
				continue
			}
			for _, v := range f.Versions {
				if v = strings.TrimSpace(v); v != "" {
					e.Wallets = append(e.Wallets, Wallet{Currency: strings.TrimSpace(cur), Address: v})
				}
			}
		}
		entries = append(entries, e)
	}
	return entries
}

// ParseOFACXML reads either of OFAC's XML exports, told apart by their
// root element: ENHANCED_XML (sanctionsData) or advanced (Sanctions).
func ParseOFACXML(r io.Reader) ([]Entry, string, error) {
	x, err := ParseOFACXMLFile(r)
	return x.Entries, x.Date, err
}

// OFACXML is one of OFAC's XML exports, read.
type OFACXML struct {
	Entries []Entry
	Date    string // YYYY-MM-DD, "" when the file has none
	// List is the OFAC list the file was published as ("SDN List",
	// "Consolidated List"), "" when the file does not say.
	List string
}

// ListName is the name Basira keeps the file's list under: "OFAC SDN"
// for the SDN list, "OFAC Consolidated" for the consolidated (non-SDN)
// list, "OFAC " and OFAC's own name for any other, or fallback when the
// file does not say.
func (x OFACXML) ListName(fallback string) string {
	switch strings.ToLower(x.List) {
	case "":
		return fallback
	case "sdn list":
		return "OFAC SDN"
	case "consolidated list":
		return "OFAC Consolidated"
	}
	return "OFAC " + x.List
}

// ParseOFACXMLFile reads either of OFAC's XML exports as ParseOFACXML
// does, with the list the file was published as.
func ParseOFACXMLFile(r io.Reader) (OFACXML, error) {
	b, err := readLimited(r)
	if err != nil {
		return OFACXML{}, err
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err != nil {
			return OFACXML{}, fmt.Errorf("not an OFAC XML file: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			var x OFACXML
			switch se.Name.Local {
			case "sanctionsData":
				x.Entries, x.Date, x.List, err = parseOFACEnhanced(bytes.NewReader(b))
				return x, err
			case "Sanctions":
				x.Entries, x.Date, err = ParseOFACAdvancedXML(bytes.NewReader(b))
				return x, err
			}
			return OFACXML{}, fmt.Errorf("not an OFAC XML file: root element <%s>, want <sanctionsData> (ENHANCED_XML) or <Sanctions> (advanced)", se.Name.Local)
		}
	}
}
