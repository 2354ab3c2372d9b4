package sanctions

import (
	"bytes"
	"strings"
	"testing"
)

// The list parsers read files from outside: they must reject bad input
// with an error, never panic, and respect MaxInputBytes.

func FuzzParseOFACCSV(f *testing.F) {
	f.Add([]byte(`10278,"LOGAN MOREY, Elvis Angus","individual","SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. 'BURTON'; Digital Currency Address - XBT 12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz"`+"\n\x1a"),
		[]byte(`10278,10416,"aka","KARADH",-0-`), []byte(`10278,"rest; Digital Currency Address - ETH 0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535"`))
	f.Fuzz(func(t *testing.T, main, alt, com []byte) {
		entries, err := ParseOFACCSV(OFACFiles{Main: bytes.NewReader(main), Alt: bytes.NewReader(alt), Comments: bytes.NewReader(com)})
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.ID == "" {
				t.Fatalf("entry without ID: %+v", e)
			}
		}
		NewIndex([]*List{{Name: "f", Entries: entries}})
	})
}

func FuzzParseUNXML(f *testing.F) {
	f.Add([]byte(`<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09Z"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>AIMAN</FIRST_NAME><NAME_ORIGINAL_SCRIPT>أيمن</NAME_ORIGINAL_SCRIPT><INDIVIDUAL_ALIAS><ALIAS_NAME>Ayman</ALIAS_NAME></INDIVIDUAL_ALIAS></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, _, err := ParseUNXML(bytes.NewReader(b))
		if err == nil {
			x := NewIndex([]*List{{Name: "f", Entries: entries}})
			for _, e := range entries {
				x.Search(e.Name, 0.5, 3)
			}
		}
	})
}

func FuzzParseOFACEnhancedXML(f *testing.F) {
	f.Add([]byte(`<sanctionsData><publicationInfo><dataAsOf>2025-01-10T00:00:00</dataAsOf></publicationInfo><entities><entity id="1"><names><name><isPrimary>true</isPrimary><translations><translation><isPrimary>true</isPrimary><formattedFirstName>A</formattedFirstName><formattedLastName>B</formattedLastName></translation></translations></name></names><features><feature><type>Digital Currency Address - XBT</type><value>1abc</value></feature></features></entity></entities></sanctionsData>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseOFACEnhancedXML(bytes.NewReader(b))
	})
}

func FuzzParseCSL(f *testing.F) {
	f.Add([]byte("_id,name,alt_names,type,programs,remarks\n1,ACME,A;B,Entity,SDGT,Digital Currency Address - XBT, 1abc\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseCSL(bytes.NewReader(b))
	})
}

func FuzzParseAddressList(f *testing.F) {
	f.Add([]byte("1abc\n# c\n\n0xdef\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := ParseAddressList(bytes.NewReader(b), "XBT")
		if err == nil {
			for _, e := range es {
				if len(e.Wallets) != 1 || strings.ContainsAny(e.Wallets[0].Address, " \t") {
					t.Fatalf("bad entry %+v", e)
				}
			}
		}
	})
}

func TestParsersLimitSize(t *testing.T) {
	defer func(old int64) { maxInput = old }(maxInput)
	maxInput = 1 << 10
	big := make([]byte, 2<<10)
	if _, _, err := ParseUNXML(bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("UN: oversized input: %v", err)
	}
	if _, err := ParseCSL(bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("CSL: oversized input: %v", err)
	}
	if _, err := ParseOFACCSV(OFACFiles{Main: bytes.NewReader(big)}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("OFAC: oversized input: %v", err)
	}
}

func FuzzParseOFACAdvancedXML(f *testing.F) {
	f.Add([]byte(`<Sanctions><DateOfIssue><Year>2024</Year><Month>9</Month><Day>27</Day></DateOfIssue><ReferenceValueSets><FeatureTypeValues><FeatureType ID="344">Digital Currency Address - XBT</FeatureType></FeatureTypeValues></ReferenceValueSets><DistinctParties><DistinctParty FixedRef="1"><Profile ID="1" PartySubTypeID="4"><Identity><Alias Primary="true"><DocumentedName><DocumentedNamePart><NamePartValue>A</NamePartValue></DocumentedNamePart></DocumentedName></Alias></Identity><Feature FeatureTypeID="344"><FeatureVersion><VersionDetail>1abc</VersionDetail></FeatureVersion></Feature></Profile></DistinctParty></DistinctParties></Sanctions>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseOFACAdvancedXML(bytes.NewReader(b))
	})
}
