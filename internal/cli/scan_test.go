package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// run executes the CLI with args and returns the exit status, stdout and
// stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string {
			if k == "BASIRA_HOME" {
				return t.TempDir()
			}
			return ""
		},
	}
	code := Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestScanKeepsOrderAndReportsBadLines(t *testing.T) {
	var in strings.Builder
	for i := range 300 {
		if i == 7 {
			in.WriteString("{broken\n")
		}
		in.WriteString(`{"id":"p` + string(rune('a'+i%26)) + `-` + itoa(i) + `","text":"نص رقم ` + itoa(i) + `"}` + "\n")
	}
	code, out, errs := run(t, in.String(), "scan", "--workers", "4", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 300 {
		t.Fatalf("%d verdicts, want 300", len(lines))
	}
	for i, l := range lines {
		var r struct {
			ID      string            `json:"id"`
			Lang    string            `json:"lang"`
			Signals []json.RawMessage `json:"signals"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(r.ID, "-"+itoa(i)) || r.Signals == nil {
			t.Fatalf("verdict %d = %s: out of order or signals not an array", i, l)
		}
	}
	if !strings.Contains(errs, "line 8: invalid JSON") || !strings.Contains(errs, "scan: 300 posts read, ") || !strings.Contains(errs, "1 lines rejected") {
		t.Errorf("stderr = %s", errs)
	}

	code, _, _ = run(t, in.String(), "scan", "--strict", "-")
	if code != 1 {
		t.Errorf("--strict with a rejected line: exit %d, want 1", code)
	}
}

func TestScanUsageAndFiles(t *testing.T) {
	if code, _, errs := run(t, "", "scan"); code != 2 || !strings.Contains(errs, "name at least one FILE") {
		t.Errorf("no file: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, "", "scan", "--format", "xml", "x"); code != 2 || !strings.Contains(errs, "--format must be jsonl or table") {
		t.Errorf("bad format: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, "", "scan", "/nonexistent/posts.jsonl"); code != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: exit %d, %s", code, errs)
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "posts.csv")
	os.WriteFile(csv, []byte("id,text,author\n1,\"Bonjour, tout le monde\",@x\n"), 0o600)
	code, out, errs := run(t, "", "scan", csv, "--format", "table")
	if code != 0 || !strings.Contains(out, "ID") || !strings.Contains(out, "1 ") {
		t.Errorf("table: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, _ := run(t, "", "help", "scan"); code != 0 || !strings.Contains(out, "Usage: basira scan") || !strings.Contains(out, "--strict") {
		t.Errorf("help scan: %d %s", code, out)
	}
	if code, _, errs := run(t, "", "nosuchcommand"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: %d %s", code, errs)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
