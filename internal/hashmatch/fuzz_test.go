package hashmatch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(bridge+",propaganda,gifct,note\n"), false)
	f.Add([]byte("hash\ttype\tenabled\n"+bridge+"\tpdq\tfalse\n"), true)
	f.Add([]byte("\"unterminated,"+bridge), false)
	f.Fuzz(func(t *testing.T, data []byte, tab bool) {
		comma := ','
		if tab {
			comma = '\t'
		}
		for _, st := range SignalTypes {
			res, err := ParseCSV(strings.NewReader(string(data)), comma, st)
			if err != nil {
				continue
			}
			for _, e := range res.Entries {
				if _, err := NormalizeValue(st, e.Value); err != nil {
					t.Fatalf("entry %q passed the parser but not NormalizeValue: %v", e.Value, err)
				}
			}
		}
	})
}

func FuzzParseTAT(f *testing.F) {
	for _, name := range []string{"tat_v2_sample.json", "tat_page_1.json", "tat_page_2.json"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"results":[{"id":null,"hash_digest":"","algorithm":"md5"}]}`))
	f.Add([]byte(`{"count":1,"next":null,"checkpoint":"1,2","results":[{"id":"x","updated_on":[1],"algorithm":"PDQ"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, st := range []SignalType{PDQ, MD5, SHA256, SHA512} {
			res, err := ParseTAT(strings.NewReader(string(data)), st)
			if err != nil {
				continue
			}
			b, _ := NewBank(Info{Name: "f", Type: st, Threshold: DefaultThreshold(st)})
			var kept []Entry
			for _, e := range res.Entries {
				stored, err := b.Add(e)
				if err != nil && !strings.Contains(err.Error(), "duplicate") {
					t.Fatalf("entry %+v passed the parser but not Add: %v", e, err)
				}
				if err == nil && e.ID != "" {
					kept = append(kept, stored)
				}
			}
			// What was imported with an id comes back the same through
			// an export.
			var buf strings.Builder
			if err := WriteTAT(&buf, st, kept); err != nil {
				t.Fatal(err)
			}
			back, err := ParseTAT(strings.NewReader(buf.String()), st)
			if err != nil || len(back.Entries) != len(kept) {
				t.Fatalf("export of %d entries read back as %+v, %v\n%s", len(kept), back, err, buf.String())
			}
			for i := range kept {
				if back.Entries[i] != kept[i] {
					t.Fatalf("round trip changed %+v into %+v", kept[i], back.Entries[i])
				}
			}
		}
	})
}
