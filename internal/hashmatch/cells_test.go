package hashmatch

import (
	"bytes"
	"strings"
	"testing"
)

// TestExportEscapesFormulas reproduces issue 15 item 11: bank export
// wrote spreadsheet formula cells unescaped. Export escapes them, import
// restores them, and over-long labels are refused.
func TestExportEscapesFormulas(t *testing.T) {
	in := []Entry{
		{ID: "1", Value: strings.Repeat("a", 32), Label: `=HYPERLINK("http://evil.example","click")`, Source: "+cmd|' /C calc'!A0", Note: "@SUM(1)", Enabled: true},
		{ID: "2", Value: strings.Repeat("b", 32), Label: "-2+3", Note: "plain, with a comma", Enabled: true},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, ',', in); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		for _, cell := range strings.Split(line, ",") {
			if c := strings.TrimPrefix(cell, `"`); c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("formula cell exported: %q in %q", cell, line)
			}
		}
	}
	res, err := ParseCSV(&buf, ',', MD5)
	if err != nil || len(res.Entries) != 2 {
		t.Fatalf("import: %v %+v", err, res)
	}
	if res.Entries[0].Label != in[0].Label || res.Entries[0].Source != in[0].Source || res.Entries[1].Label != "-2+3" {
		t.Errorf("round trip: %+v", res.Entries)
	}
	b, _ := NewBank(Info{Name: "t", Type: MD5})
	if _, err := b.Add(Entry{Value: strings.Repeat("c", 32), Label: strings.Repeat("x", MaxLabelBytes+1)}); err == nil {
		t.Error("an over-long label was stored")
	}
}
