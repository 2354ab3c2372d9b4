package hashmatch

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The pages in testdata/tat_page_*.json are in the shape of TCAP's hash
// list API v2 (numeric ids and updated_on, created_on strings, count,
// next, previous, checkpoint), as python-threatexchange's TAT client and
// its tests read it; the hashes are ThreatExchange's reference images'.

func readPage(t *testing.T, name string, st SignalType) (*ListResult, *TATPage) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, page, err := ParseTATPage(f, st)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res, page
}

func TestTATRealPage(t *testing.T) {
	res, page := readPage(t, "tat_page_1.json", PDQ)
	if page.Checkpoint != "1704901040.25555,2821" || page.Next == nil || *page.Count != 7 {
		t.Errorf("page fields %+v", page)
	}
	if len(res.Entries) != 2 || res.Skipped != 2 || len(res.Errors) != 0 {
		t.Fatalf("entries %+v skipped %d errors %v", res.Entries, res.Skipped, res.Errors)
	}
	e := res.Entries[0]
	if e.ID != "tat-2819" || e.Label != "islamist" || e.Note != "jpg" || e.Source != TATSource || !e.Enabled ||
		e.Metadata != `{"json":{"tat":{"updated_on":1704901040.222779,"created_on":"2025-03-03 23:05:22,587"}}}` {
		t.Errorf("entry %+v", e)
	}
	// SHA-512 rows go to a SHA-512 bank.
	res512, _ := readPage(t, "tat_page_1.json", SHA512)
	if len(res512.Entries) != 1 || res512.Entries[0].ID != "tat-2822" || len(res512.Entries[0].Value) != 128 {
		t.Errorf("sha512 %+v", res512.Entries)
	}
	// Page 2: a deletion (disabled), a TMK row skipped, one bad row alone refused.
	res2, page2 := readPage(t, "tat_page_2.json", PDQ)
	if page2.Next != nil || len(res2.Entries) != 2 || res2.Entries[0].Enabled || res2.Skipped != 1 || len(res2.Errors) != 1 || res2.Errors[0].Line != 4 {
		t.Errorf("page 2: %+v %+v", res2, page2)
	}
}

// TestTATRoundTrip: import two pages, export, import the export into a
// fresh bank (the same entries, disabled ones included) and again into
// the first (nothing duplicated); the export has TAT's fields and shape.
func TestTATRoundTrip(t *testing.T) {
	b := mustBank(t, Info{Name: "tat", Type: PDQ, Threshold: 31})
	for _, p := range []string{"tat_page_1.json", "tat_page_2.json"} {
		res, _ := readPage(t, p, PDQ)
		Import(b, res, Entry{})
	}
	// 2819, 2821 (deleted by page 2: disabled), 10593.
	if b.Len() != 3 {
		t.Fatalf("bank holds %d entries: %+v", b.Len(), b.Entries())
	}
	if e, _ := b.Entry("tat-2821"); e.Enabled {
		t.Errorf("2821 still enabled after its deletion")
	}
	var buf bytes.Buffer
	if err := WriteTAT(&buf, PDQ, b.Entries()); err != nil {
		t.Fatal(err)
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"count", "next", "previous", "checkpoint", "results"} {
		if _, ok := page[k]; !ok {
			t.Errorf("export lacks %q", k)
		}
	}
	var rows []map[string]json.RawMessage
	json.Unmarshal(page["results"], &rows)
	if len(rows) != 3 || string(rows[0]["id"]) != "2819" || string(rows[0]["updated_on"]) != "1704901040.222779" ||
		string(rows[0]["created_on"]) != `"2025-03-03 23:05:22,587"` || string(rows[0]["deleted"]) != "false" {
		t.Errorf("export rows %s", page["results"])
	}
	if string(page["checkpoint"]) != `"1724856487.5,10593"` || string(page["count"]) != "3" || string(page["next"]) != "null" {
		t.Errorf("export page %s %s %s", page["checkpoint"], page["count"], page["next"])
	}

	fresh := mustBank(t, Info{Name: "copy", Type: PDQ, Threshold: 31})
	res, err := ParseTAT(bytes.NewReader(buf.Bytes()), PDQ)
	if err != nil {
		t.Fatal(err)
	}
	Import(fresh, res, Entry{})
	if !slices.Equal(fresh.Entries(), b.Entries()) {
		t.Errorf("round trip:\n%+v\n%+v", fresh.Entries(), b.Entries())
	}
	c := Import(b, res, Entry{})
	if b.Len() != 3 || c.Updated != 3 || c.Added != 0 {
		t.Errorf("re-import: %d entries, %+v", b.Len(), c)
	}
	// An entry not from TAT keeps its own id through the round trip.
	own := mustBank(t, Info{Name: "own", Type: PDQ, Threshold: 31})
	own.Add(Entry{ID: "e1234", Value: strings.Repeat("ab", 32), Label: "x", Enabled: true})
	buf.Reset()
	WriteTAT(&buf, PDQ, own.Entries())
	res, _ = ParseTAT(&buf, PDQ)
	Import(own, res, Entry{})
	if own.Len() != 1 {
		t.Errorf("own entry duplicated: %+v", own.Entries())
	}
}

// TestTATFetchPages: paging follows the checkpoints until next is null;
// a second fetch from the returned checkpoint asks only for what came
// after it.
func TestTATFetchPages(t *testing.T) {
	p1, _ := os.ReadFile(filepath.Join("testdata", "tat_page_1.json"))
	p2, _ := os.ReadFile(filepath.Join("testdata", "tat_page_2.json"))
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Query().Get("order") != "asc" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		after := r.URL.Query().Get("after")
		mu.Lock()
		asked = append(asked, after)
		mu.Unlock()
		switch after {
		case "":
			w.Write(p1)
		case "1704901040.25555,2821":
			w.Write(p2)
		default:
			w.Write([]byte(`{"count": 0, "next": null, "previous": null, "checkpoint": "", "results": []}`))
		}
	}))
	defer srv.Close()
	f := TATFetch{Client: srv.Client(), Endpoint: srv.URL + "/api/hash-list/v2/all", Token: "tok"}
	b := mustBank(t, Info{Name: "tat", Type: PDQ, Threshold: 31})
	pages := 0
	cp, err := f.Pages(context.Background(), PDQ, "", func(res *ListResult, _ *TATPage) error {
		pages++
		Import(b, res, Entry{})
		return nil
	})
	if err != nil || cp != "1724856487.709035,10594" || pages != 2 || b.Len() != 3 {
		t.Fatalf("fetch: checkpoint %q, %d pages, %d entries, %v", cp, pages, b.Len(), err)
	}
	cp2, err := f.Pages(context.Background(), PDQ, cp, func(res *ListResult, _ *TATPage) error {
		if len(res.Entries) != 0 {
			t.Errorf("re-fetch got %d entries", len(res.Entries))
		}
		return nil
	})
	if err != nil || cp2 != cp {
		t.Errorf("re-fetch: %q %v", cp2, err)
	}
	if want := []string{"", "1704901040.25555,2821", "1724856487.709035,10594"}; !slices.Equal(asked, want) {
		t.Errorf("asked %q, want %q", asked, want)
	}
	// A server whose checkpoint never moves is not followed forever.
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"count": 1, "next": "more", "previous": null, "checkpoint": "1,1", "results": []}`))
	}))
	defer stuck.Close()
	if _, err := (TATFetch{Client: stuck.Client(), Endpoint: stuck.URL}).Pages(context.Background(), PDQ, "1,1", func(*ListResult, *TATPage) error { return nil }); err == nil {
		t.Error("a stuck checkpoint was followed")
	}
}
