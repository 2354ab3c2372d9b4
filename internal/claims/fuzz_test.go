package claims

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzDecode checks that Decode never panics, respects its limits, and
// returns only claims with text and an id.
func fuzzDecode(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	opts := Options{MaxBytes: 1 << 16, MaxJSONBytes: 1 << 15, MaxLineBytes: 4096, MaxTextBytes: 1024}
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, _, _ := Decode(bytes.NewReader(data), format, opts)
		for _, c := range cs {
			if c.Text == "" || c.ID == "" {
				t.Fatalf("claim without text or id: %+v", c)
			}
			if len(c.Text) > opts.MaxTextBytes || len(c.Correction) > opts.MaxTextBytes {
				t.Fatalf("field over the limit: %d bytes", len(c.Text))
			}
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	fuzzDecode(f, JSON, "claimreview_one.json", "claimreview_array.json", "claimreview_graph.jsonld")
}

func FuzzDecodeJSONL(f *testing.F) { fuzzDecode(f, JSONL, "claims.jsonl") }

func FuzzDecodeCSV(f *testing.F) { fuzzDecode(f, CSV, "claims.csv") }

func FuzzDecodeTSV(f *testing.F) { fuzzDecode(f, TSV, "claims.tsv") }
