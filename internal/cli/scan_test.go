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

// TestScanDetectsByDefault: `basira scan FILE` with no flags runs the
// built-in jihadist pack, says on stderr what ran, flags an attack claim
// and a hashtag-only post is read like any other; with every detector off
// it refuses rather than print an all-clear.
func TestScanDetectsByDefault(t *testing.T) {
	in := `{"id":"claim","text":"#ولاية_الفرات استهداف ثكنة للجيش الصفوي بقذيفة هاون وكانت الإصابة مباشرة ولله الحمد"}
{"id":"news","text":"القوات العراقية تعلن مقتل قيادي في تنظيم داعش بغارة جوية قرب الموصل"}
{"id":"tags","text":"#نطالب_بحرق_الطيار_النصيري"}
{"id":"emoji","text":"🔥🔥🔥 #RemainingAndExpanding"}
{"id":"prayer","text":"اللهم انصر إخواننا المستضعفين في كل مكان"}
`
	code, out, errs := run(t, in, "scan", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "scan: detectors:") || !strings.Contains(errs, "builtin:rules/jihadist.yaml") {
		t.Errorf("stderr does not say what ran:\n%s", errs)
	}
	flagged := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			ID      string `json:"id"`
			Signals []struct{ Rule, Label string }
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		for _, s := range r.Signals {
			if s.Rule != "" {
				flagged[r.ID] = s.Rule
			}
		}
	}
	for id, want := range map[string]bool{"claim": true, "tags": true, "emoji": true, "news": false, "prayer": false} {
		if _, got := flagged[id]; got != want {
			t.Errorf("%s: flagged %v (%s), want %v", id, got, flagged[id], want)
		}
	}
	code, _, errs = run(t, in, "scan", "--default-rules=false", "--default-models=false", "--finance=false", "-")
	if code != 2 || !strings.Contains(errs, "no detector is on") {
		t.Errorf("no detector: exit %d, %s", code, errs)
	}
}
