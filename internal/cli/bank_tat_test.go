package cli

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

// TestBankImportTATURL fetches a TAT hash list in two pages through the
// API, keeps the checkpoint so the next import asks only for what
// changed, and exports the bank in TAT's page shape, which imports back
// into another bank unchanged.
func TestBankImportTATURL(t *testing.T) {
	p1, err := os.ReadFile("../hashmatch/testdata/tat_page_1.json")
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := os.ReadFile("../hashmatch/testdata/tat_page_2.json")
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret-token" {
			http.Error(w, `{"error":"unauthorised"}`, http.StatusUnauthorized)
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
			w.Write([]byte(`{"count": 7, "next": null, "previous": null, "checkpoint": "", "results": []}`))
		}
	}))
	defer srv.Close()
	home := t.TempDir()
	banks := filepath.Join(home, "banks")
	runTAT := func(token string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
			switch k {
			case "BASIRA_HOME":
				return home
			case "BASIRA_TAT_TOKEN":
				return token
			}
			return ""
		}}
		return Run(context.Background(), env, args), out.String(), errb.String()
	}
	if code, _, errs := runTAT("", "bank", "create", "--dir", banks, "--type", "pdq", "tat-pdq"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runTAT("", "bank", "import", "--dir", banks, "--tat-url", srv.URL+"/api/hash-list/v2/all", "tat-pdq"); code != 2 || !strings.Contains(errs, "BASIRA_TAT_TOKEN") {
		t.Errorf("without a token: exit %d %s", code, errs)
	}
	code, _, errs := runTAT("secret-token", "bank", "import", "--dir", banks, "--tat-url", srv.URL+"/api/hash-list/v2/all", "tat-pdq")
	if code != 0 || !strings.Contains(errs, "2 pages, 3 added, 1 updated") || !strings.Contains(errs, `checkpoint "1724856487.709035,10594"`) {
		t.Fatalf("first import: exit %d %s", code, errs)
	}
	info, _ := os.ReadFile(filepath.Join(banks, "tat-pdq.json"))
	if !strings.Contains(string(info), `"tat_checkpoint": "1724856487.709035,10594"`) {
		t.Errorf("checkpoint not kept: %s", info)
	}
	code, _, errs = runTAT("secret-token", "bank", "import", "--dir", banks, "--tat-url", srv.URL+"/api/hash-list/v2/all", "tat-pdq")
	if code != 0 || !strings.Contains(errs, "1 pages, 0 added, 0 updated") {
		t.Fatalf("second import: exit %d %s", code, errs)
	}
	if want := []string{"", "1704901040.25555,2821", "1724856487.709035,10594"}; !slices.Equal(asked, want) {
		t.Errorf("asked after=%q, want %q", asked, want)
	}

	// Export in TAT's shape, import into another bank: the same entries.
	out := filepath.Join(t.TempDir(), "tat.json")
	if code, _, errs := runTAT("", "bank", "export", "--dir", banks, "--format", "tat", "--output", out, "tat-pdq"); code != 0 {
		t.Fatal(errs)
	}
	data, _ := os.ReadFile(out)
	var page struct {
		Count   int
		Next    *string
		Results []map[string]any
	}
	if err := json.Unmarshal(data, &page); err != nil || page.Count != 3 || page.Next != nil || len(page.Results) != 3 {
		t.Fatalf("export %s", data)
	}
	if page.Results[1]["id"] != 2821.0 || page.Results[1]["deleted"] != true || page.Results[1]["updated_on"] != 1724856487.1 {
		t.Errorf("exported row %v", page.Results[1])
	}
	runTAT("", "bank", "create", "--dir", banks, "--type", "pdq", "copy")
	if code, _, errs := runTAT("", "bank", "import", "--dir", banks, "copy", out); code != 0 {
		t.Fatal(errs)
	}
	a, _ := os.ReadFile(filepath.Join(banks, "tat-pdq.csv"))
	b, _ := os.ReadFile(filepath.Join(banks, "copy.csv"))
	if string(a) != string(b) {
		t.Errorf("round trip:\n%s\n%s", a, b)
	}
}
