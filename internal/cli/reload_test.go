package cli

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
)

const ruleV1 = `rules:
  - id: first
    label: incitement
    severity: high
    any: ["اقتلوهم"]
`

const ruleV2 = ruleV1 + `  - id: second
    label: recruitment
    severity: medium
    any: ["انضموا إلينا"]
`

// TestRulesReloadWhenFilesChange builds the pipeline as serve does, edits
// the rule file and checks the new rule applies without a rebuild, and
// that a broken edit keeps the rules in force.
func TestRulesReloadWhenFilesChange(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "r.yaml")
	if err := os.WriteFile(path, []byte(ruleV1), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	build := detectorFlags(fs)
	if err := fs.Parse([]string{"--rules", path, "--finance=false"}); err != nil {
		t.Fatal(err)
	}
	env := &Env{Stderr: io.Discard, Getenv: func(string) string { return "" }}
	pipe, err := build(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	var r *reloadable
	for _, d := range pipe.Detectors() {
		if rr, ok := d.(*reloadable); ok && rr.name == "rules" {
			r = rr
		}
	}
	if r == nil {
		t.Fatal("the rules detector is not reloadable")
	}
	labels := func(text string) []string {
		res, err := pipe.Run(ctx, &post.Post{ID: "1", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		var ls []string
		for _, s := range res.Signals {
			ls = append(ls, s.Label)
		}
		return ls
	}
	if got := labels("انضموا إلينا اليوم"); len(got) != 0 {
		t.Fatalf("before the edit: %v", got)
	}
	if changed, err := r.checkReload(ctx); changed || err != nil {
		t.Fatalf("unchanged files reloaded: %v %v", changed, err)
	}

	later := time.Now().Add(2 * time.Second)
	os.WriteFile(path, []byte(ruleV2), 0o600)
	os.Chtimes(path, later, later)
	if changed, err := r.checkReload(ctx); !changed || err != nil {
		t.Fatalf("edit not picked up: %v %v", changed, err)
	}
	if got := labels("انضموا إلينا اليوم"); len(got) != 1 || got[0] != "recruitment" {
		t.Fatalf("after the edit: %v", got)
	}

	later = later.Add(2 * time.Second)
	os.WriteFile(path, []byte("rules:\n  - id: broken\n    severity: extreme\n"), 0o600)
	os.Chtimes(path, later, later)
	if changed, err := r.checkReload(ctx); changed || err == nil {
		t.Fatalf("a broken file must be refused: %v %v", changed, err)
	}
	if got := labels("انضموا إلينا اليوم"); len(got) != 1 {
		t.Fatalf("the rules in force were lost after a broken edit: %v", got)
	}
}
