package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

// runHome runs the CLI with a fixed workspace folder.
func runHome(t *testing.T, home, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "BASIRA_HOME" {
				return home
			}
			return ""
		}}
	return Run(context.Background(), env, args), out.String(), errb.String()
}

func TestFinanceExtractCommand(t *testing.T) {
	in := "تبرعوا على ٠٦٥٠١٢٣٤٥٦\nnothing here\nbc1q w508 d6qe jxtd g4y5 r3za rvar y0c5 xw7k v8f3 t5\n"
	code, out, errs := runHome(t, t.TempDir(), in, "finance", "extract")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		// the bech32 line has a bad checksum and is split: a split
		// identifier is only reported when it validates
		t.Fatalf("%d identifiers: %s", len(lines), out)
	}
	var r struct {
		Line  int    `json:"line"`
		Type  string `json:"type"`
		Value string `json:"value"`
		Valid bool   `json:"valid"`
		Span  struct{ Start, End int }
	}
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	first := strings.Split(in, "\n")[0]
	if r.Line != 1 || r.Type != "phone" || r.Value != "+212650123456" || !r.Valid || first[r.Span.Start:r.Span.End] != "٠٦٥٠١٢٣٤٥٦" {
		t.Errorf("got %+v", r)
	}
	if code, _, _ := runHome(t, t.TempDir(), "", "finance", "extract", "file.txt"); code != 2 {
		t.Errorf("an argument must be a usage error, got exit %d", code)
	}
}

func TestSanctionsCommands(t *testing.T) {
	home := t.TempDir()
	un := refdata.Path(t, "finance/sanctions/watchman/un/UN_consolidated.xml")
	sdn := refdata.Path(t, "finance/sanctions/watchman/ofac_small/sdn.csv")
	if code, out, errs := runHome(t, home, "", "sanctions", "import", "--format", "un-xml", un); code != 0 || !strings.Contains(out, "2026-02-27") {
		t.Fatalf("import un: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := runHome(t, home, "", "sanctions", "import", "--format", "ofac-csv", "--date", "2025-05-16", sdn); code != 0 || !strings.Contains(out, "32 wallet addresses") {
		t.Fatalf("import ofac: exit %d: %s %s", code, out, errs)
	}
	code, out, _ := runHome(t, home, "", "sanctions", "list")
	if code != 0 || !strings.Contains(out, "UN Security Council  2026-02-27") || !strings.Contains(out, "OFAC SDN") {
		t.Errorf("list: %s", out)
	}
	code, out, _ = runHome(t, home, "", "sanctions", "search", "أيمن", "الظواهري")
	if code != 0 || !strings.Contains(out, "QDi.006") {
		t.Errorf("search Arabic: %s", out)
	}
	code, out, _ = runHome(t, home, "", "sanctions", "search", "--format", "jsonl", "12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz")
	if code != 0 || !strings.Contains(out, `"entry"`) || !strings.Contains(out, "29702") {
		t.Errorf("search wallet: %s", out)
	}
	if code, _, errs := runHome(t, home, "", "sanctions", "import", "--format", "eu", un); code != 2 || !strings.Contains(errs, "not supported") {
		t.Errorf("eu: exit %d %s", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte("<html/>"), 0o600)
	if code, _, errs := runHome(t, home, "", "sanctions", "import", "--format", "un-xml", bad); code != 1 || !strings.Contains(errs, "not a UN consolidated list") {
		t.Errorf("bad file: exit %d %s", code, errs)
	}

	// scan uses the imported lists: a listed wallet in a post is high.
	posts := `{"id":"a","text":"send to 12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz"}` + "\n" + `{"id":"b","text":"صباح الخير"}` + "\n"
	code, out, errs := runHome(t, home, posts, "scan", "-")
	if code != 0 || !strings.Contains(out, `"severity":"high"`) || !strings.Contains(out, "OFAC SDN (list of 2025-05-16)") {
		t.Errorf("scan: exit %d %s %s", code, out, errs)
	}
	code, out, _ = runHome(t, home, posts, "scan", "--finance=false", "-")
	if code != 0 || strings.Contains(out, "finance") {
		t.Errorf("--finance=false still ran the detector: %s", out)
	}
}

func TestSanctionsEvalCommand(t *testing.T) {
	refdata.Path(t, "finance/namematch/un_arabic_script_latin_name_pairs.tsv")
	code, out, errs := runHome(t, t.TempDir(), "", "sanctions", "eval", "--data", refdata.Dir())
	if code != 0 || !strings.Contains(out, "test   Latin → Arabic (UN)") || !strings.Contains(out, "watchman BestPairsJaroWinkler cases: 9") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
}
