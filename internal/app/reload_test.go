package app

import (
	"context"
	"flag"
	"github.com/basira-org/basira/internal/detect"
	"io"
	"log/slog"
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
// the rule file and checks that a new generation with the new rule is in
// force at the next check, and that a broken edit keeps the rules in
// force.
func TestRulesReloadWhenFilesChange(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "r.yaml")
	if err := os.WriteFile(path, []byte(ruleV1), 0o600); err != nil {
		t.Fatal(err)
	}
	mods, h := testModules(t, "--rules", path, "--finance=false")
	pipe, err := mods.Build(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReloader(mods, h, pipe)
	r.Log = slog.New(slog.DiscardHandler)
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
	if changed, err := r.Check(ctx, false); changed || err != nil {
		t.Fatalf("unchanged files reloaded: %v %v", changed, err)
	}

	n0 := len(r.Rules())
	later := time.Now().Add(2 * time.Second)
	os.WriteFile(path, []byte(ruleV2), 0o600)
	os.Chtimes(path, later, later)
	if changed, err := r.Check(ctx, false); !changed || err != nil {
		t.Fatalf("edit not picked up: %v %v", changed, err)
	}
	if got := labels("انضموا إلينا اليوم"); len(got) != 1 || got[0] != "recruitment" {
		t.Fatalf("after the edit: %v", got)
	}
	if n := len(r.Rules()); n != n0+1 {
		t.Fatalf("the rules in force (the API's listing) hold %d rules, want %d", n, n0+1)
	}

	later = later.Add(2 * time.Second)
	os.WriteFile(path, []byte("rules:\n  - id: broken\n    severity: extreme\n"), 0o600)
	os.Chtimes(path, later, later)
	if changed, err := r.Check(ctx, false); changed || err == nil {
		t.Fatalf("a broken file must be refused: %v %v", changed, err)
	}
	if got := labels("انضموا إلينا اليوم"); len(got) != 1 {
		t.Fatalf("the rules in force were lost after a broken edit: %v", got)
	}
}

// testModules are the detector modules configured by serve-style flags,
// with the default model off (tests need no model), and a host on a fresh
// workspace.
func testModules(t testing.TB, args ...string) (*Modules, detect.Host) {
	t.Helper()
	mods := NewModules()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	mods.Flags(fs)
	if err := fs.Parse(append([]string{"--default-models=false"}, args...)); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	return mods, detect.Host{
		Home: func(create bool, elem ...string) (string, error) {
			p := filepath.Join(append([]string{home}, elem...)...)
			if create {
				return p, os.MkdirAll(p, 0o750)
			}
			return p, nil
		},
		Warn: func(string) {},
	}
}
