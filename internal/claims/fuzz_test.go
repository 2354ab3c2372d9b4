package claims

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzDecode checks that Decode never panics, respects its limits,
// returns only claims with text and an id, and that every claim it returns
// exports to ClaimReview and reads back the same.
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
		if len(cs) == 0 {
			return
		}
		var buf bytes.Buffer
		if err := WriteClaimReview(&buf, cs); err != nil {
			t.Fatalf("export: %v", err)
		}
		back, errs, err := Decode(&buf, JSON, Options{})
		if err != nil || Rejected(errs) > 0 || len(back) != len(cs) {
			t.Fatalf("export does not read back: %v %v (%d of %d)\n%s", err, errs, len(back), len(cs), buf.Bytes())
		}
		for i := range cs {
			if !sameClaim(cs[i], back[i]) {
				t.Fatalf("claim changed on export:\n%+v\n%+v", cs[i], back[i])
			}
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	fuzzDecode(f, JSON, "claimreview_one.json", "claimreview_array.json", "claimreview_graph.jsonld",
		"published/google_flat_earth.json", "published/schemaorg_politifact.json", "published/defacto_afp.json",
		"published/datacommons_feed.json", "published/datacommons_untyped.json", "published/nested_article_webpage.jsonld")
}

func FuzzDecodeJSONL(f *testing.F) { fuzzDecode(f, JSONL, "claims.jsonl") }

func FuzzDecodeCSV(f *testing.F) { fuzzDecode(f, CSV, "claims.csv") }

func FuzzDecodeTSV(f *testing.F) { fuzzDecode(f, TSV, "claims.tsv") }
