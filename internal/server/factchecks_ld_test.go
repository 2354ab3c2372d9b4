package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/server/auth"
)

// TestPostClaimReview: POST /v1/factchecks reads ClaimReview JSON-LD as
// publishers write it (application/ld+json, or application/json that is
// not Basira's {"factchecks": …}) and keeps Basira's own shape working.
func TestPostClaimReview(t *testing.T) {
	st := claims.NewFileStore(filepath.Join(t.TempDir(), "claims.jsonl"))
	reloads := 0
	e := newEnv(t, Config{}, func(d *Deps) {
		d.FactChecks = &FactChecks{Store: st, Changed: func(context.Context) error { reloads++; return nil }}
	})
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "claims", "testdata", "published", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type resp struct {
		Added, Rejected int
		Warnings        []ItemError
	}
	post := func(ct string, body []byte, wantCode int) resp {
		t.Helper()
		code, b, _ := e.do(auth.Admin, "POST", "/v1/factchecks", ct, body)
		if code != wantCode {
			t.Fatalf("POST %s: %d %s, want %d", ct, code, b, wantCode)
		}
		var r resp
		_ = json.Unmarshal(b, &r)
		return r
	}
	if r := post("application/ld+json", read("google_flat_earth.json"), 200); r.Added != 1 {
		t.Errorf("ld+json: %+v", r)
	}
	if r := post("application/json", read("datacommons_untyped.json"), 200); r.Added != 1 { // the flat-earth one is replaced
		t.Errorf("Data Commons feed as application/json: %+v", r)
	}
	if r := post("application/json", []byte(`{"factchecks":[{"text":"Basira's own shape","rating":"false"}]}`), 200); r.Added != 1 {
		t.Errorf("Basira's shape: %+v", r)
	}
	r := post("application/ld+json", []byte(`{"@type":"ClaimReview","claimReviewed":"dated oddly","datePublished":"le 3 mars"}`), 200)
	if r.Added != 1 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Message, "le 3 mars") {
		t.Errorf("unreadable date not reported: %+v", r)
	}
	post("application/ld+json", []byte(`{"@type":"ClaimReview","reviewRating":{"alternateName":"False"}}`), 400)
	post("application/ld+json", []byte(`{"@type":"WebPage"}`), 400)
	post("application/ld+json", []byte(`{nope`), 400)
	post("text/plain", []byte(`{}`), 415)
	if reloads != 4 {
		t.Errorf("matcher reloaded %d times, want 4", reloads)
	}
	// The item reviewed is kept and served.
	all, _ := st.All(context.Background())
	var id string
	for _, c := range all {
		if c.Text == "The world is flat" {
			id = c.ID
		}
	}
	code, b, _ := e.do(auth.Viewer, "GET", "/v1/factchecks/"+id, "", nil)
	var got claims.Claim
	if code != 200 || json.Unmarshal(b, &got) != nil || got.Item == nil || len(got.Item.Appearances) != 1 || got.Review == nil || got.Review.Best != "5" {
		t.Errorf("GET: %d %s", code, b)
	}
}
