package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
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

// TestScanEntityLists: a rule file uses the designated-entity lists as
// @entity-*; --entities merges an operator's file over the built-in list
// (a new alias becomes matchable); a malformed file fails with file:line.
func TestScanEntityLists(t *testing.T) {
	dir := t.TempDir()
	rule := filepath.Join(dir, "r.yaml")
	writeFile(t, rule, `rules:
  - id: my-group-call
    label: recruitment
    severity: medium
    near: {terms: ["@entity-groups", "join|ndmo|انضموا"], within: 4}
`)
	ents := filepath.Join(dir, "local.yaml")
	writeFile(t, ents, `version: 1
entities:
  - id: local-cell
    kind: group
    of: isil
    name: Local cell
    source: "team note 2026-12-07"
    aliases:
      en: [Lions of Zarqa Brigade]
`)
	in := `{"id":"a","text":"join Daesh today"}
{"id":"b","text":"join the Lions of Zarqa Brigade"}
`
	hits := func(args ...string) map[string]bool {
		code, out, errs := run(t, in, append([]string{"scan", "--default-rules=false", "--default-models=false", "--finance=false", "--rules", rule}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		got := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var r struct {
				ID      string
				Signals []struct{ Rule string }
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			for _, s := range r.Signals {
				got[r.ID] = got[r.ID] || s.Rule == "my-group-call"
			}
		}
		return got
	}
	if got := hits("-"); !got["a"] || got["b"] {
		t.Errorf("built-in lists: %v, want a only", got)
	}
	if got := hits("--entities", ents, "-"); !got["a"] || !got["b"] {
		t.Errorf("with --entities: %v, want a and b", got)
	}
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "version: 1\nentities:\n  - id: x\n    bad: 1\n")
	code, _, errs := run(t, in, "scan", "--entities", bad, "-")
	if code == 0 || !strings.Contains(errs, "bad.yaml:4:") {
		t.Errorf("bad entities file: exit %d, %s", code, errs)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDefaultDetectionFigures measures what `basira scan` runs with no
// flags on the reference data (`basira models extremism --detection`)
// and asserts floors a little under docs/extremism.md's figures: recall
// on real pro-ISIS tweets, and false flags on every benign family.
func TestDefaultDetectionFigures(t *testing.T) {
	dir := refdata.Path(t, "extremism")
	rows, err := evaluateDefaultDetection(context.Background(), &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}, filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	floors := map[string]float64{"alfifi/isis": 0.72, "alfifi/isis-votes8": 0.80, "fifthtribe-labelled/propaganda": 0.55}
	for _, r := range rows {
		if r.Lang != "all" {
			continue
		}
		t.Logf("%-32s %6d %5d %6.2f%%", r.Set, r.N, r.Flagged, 100*r.Rate())
		switch {
		case r.Positive && r.Rate() < floors[r.Set]:
			t.Errorf("%s: recall %.3f, want at least %.2f", r.Set, r.Rate(), floors[r.Set])
		case !r.Positive && r.Set == "fifthtribe-labelled/other" && r.Rate() > 0.03:
			t.Errorf("%s: %.2f%% flagged, want at most 3%%", r.Set, 100*r.Rate())
		case !r.Positive && r.Set != "fifthtribe-labelled/other" && r.Rate() > 0.005:
			t.Errorf("%s: %.2f%% flagged, want at most 0.5%%", r.Set, 100*r.Rate())
		}
	}
}
