package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

const packPath = "../../rules/examples.yaml"

func TestRulesCheck(t *testing.T) {
	code, out, errs := run(t, "", "rules", "check", packPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"rules/examples.yaml: 24 rules", "examples passed", "labels: financing"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("rules:\n  - id: a\n    label: incitement\n    severity: urgent\n    any: [x]\n  - id: b\n    label: nope\n    severity: low\n    any: [y]\n"), 0o644)
	code, _, errs = run(t, "", "rules", "check", bad)
	if code != 1 || !strings.Contains(errs, bad+":4: rule \"a\": severity \"urgent\"") || !strings.Contains(errs, bad+":7: rule \"b\": unknown label \"nope\"") || !strings.Contains(errs, "2 problem(s)") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}

	wrong := filepath.Join(dir, "wrong.yaml")
	os.WriteFile(wrong, []byte("rules:\n  - id: a\n    label: incitement\n    severity: low\n    any: [داعش]\n    match: [\"نص عادي\"]\n    no_match: [\"لداعش\"]\n"), 0o644)
	code, _, errs = run(t, "", "rules", "check", wrong)
	if code != 1 || !strings.Contains(errs, wrong+":2: rule \"a\" does not fire on its match: example") || !strings.Contains(errs, "fires on its no_match: example \"لداعش\"") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}

	if code, _, errs := run(t, "", "rules", "check"); code != 2 || !strings.Contains(errs, "name at least one rule FILE") {
		t.Errorf("no args: exit %d, %s", code, errs)
	}
}

func TestRulesTest(t *testing.T) {
	code, out, errs := run(t, "", "rules", "test", "--rules", packPath, "../../testdata/posts.jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "32 posts, 16 with a rule hit") || !strings.Contains(out, "p26") || !strings.Contains(out, "TUEZ LES MÉCRÉANTS") {
		t.Errorf("output:\n%s", out)
	}
	code, out, _ = run(t, "", "rules", "test", "--rules", packPath, "--text", "انضموا إلينا في صفوف المجاهدين")
	if code != 0 || !strings.Contains(out, "recruit-call-msa") {
		t.Errorf("--text: exit %d:\n%s", code, out)
	}
	code, out, _ = run(t, "", "rules", "test", "--rules", packPath, "--rule", "incite-kill-msa", "../../testdata/posts.jsonl")
	if code != 0 || !strings.Contains(out, "32 posts, 3 with a rule hit") || strings.Contains(out, "recruit-call-msa") {
		t.Errorf("--rule: exit %d:\n%s", code, out)
	}
	if code, _, errs := run(t, "", "rules", "test", "--rules", packPath, "--rule", "nope", "--text", "x"); code != 2 || !strings.Contains(errs, `no rule "nope"`) {
		t.Errorf("--rule nope: exit %d: %s", code, errs)
	}
}

func TestScanWithRules(t *testing.T) {
	// The example pack alone: the default pack is measured on its own below.
	code, out, errs := run(t, "", "scan", "--default-rules=false", "--default-models=false", "--rules", packPath, "../../testdata/posts.jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "32 posts read, 16 with signals, 0 lines rejected") {
		t.Errorf("summary: %s", errs)
	}
	var sawEvidence bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			ID      string `json:"id"`
			Signals []struct {
				Detector, Kind, Rule, Label, Severity, Evidence string
				Score                                           float64
				Spans                                           []struct{ Start, End int }
			} `json:"signals"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		for _, s := range r.Signals {
			if s.Detector != "rules" || s.Kind != "rule" || s.Rule == "" || s.Label == "" || s.Severity == "" || s.Score != 1 || len(s.Spans) == 0 {
				t.Errorf("%s: incomplete signal %+v", r.ID, s)
			}
			if r.ID == "p20" && strings.ContainsFunc(s.Evidence, func(c rune) bool { return c >= 0xFE70 && c <= 0xFEFF }) {
				sawEvidence = true // the original presentation forms, not the folded word
			}
		}
	}
	if !sawEvidence {
		t.Errorf("p20's evidence is not its original presentation-form text:\n%s", out)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "r.yaml")
	os.WriteFile(bad, []byte("rules:\n  - id: a\n    label: incitement\n    severity: low\n    near: {terms: [a, b], within: 0}\n"), 0o644)
	code, _, errs = run(t, "", "scan", "--rules", bad, "../../testdata/posts.jsonl")
	if code != 1 || !strings.Contains(errs, bad+":5: near.within \"0\"") {
		t.Errorf("bad rules: exit %d, %s", code, errs)
	}
}

func TestRulesEval(t *testing.T) {
	refdata.Path(t, "abuse/mubarak2017_aj_tweets") // skips without the reference data
	code, out, errs := run(t, "", "rules", "eval", "--rules", packPath, "--show", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"total  90814        0", "Deleted Al Jazeera comments: 89 of 31692 flagged", "glorify-heroes", "Hits on deleted comments (first 3 of 89)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := run(t, "", "rules", "eval", "--rules", packPath, "--data", t.TempDir()); code != 1 || !strings.Contains(errs, "reading benign texts under") {
		t.Errorf("empty data folder: exit %d, %s", code, errs)
	}
}
