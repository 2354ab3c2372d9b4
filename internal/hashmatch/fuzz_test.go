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
	if data, err := os.ReadFile(filepath.Join("testdata", "tat_v2_sample.json")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"results":[{"id":null,"hash_digest":"","algorithm":"md5"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, st := range []SignalType{PDQ, MD5, SHA256} {
			res, err := ParseTAT(strings.NewReader(string(data)), st)
			if err != nil {
				continue
			}
			b, _ := NewBank(Info{Name: "f", Type: st, Threshold: DefaultThreshold(st)})
			for _, e := range res.Entries {
				if _, err := b.Add(e); err != nil && !strings.Contains(err.Error(), "duplicate") {
					t.Fatalf("entry %+v passed the parser but not Add: %v", e, err)
				}
			}
		}
	})
}
