package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewcomerGuidance(t *testing.T) {
	emptyDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(emptyDir, "notes.txt"), []byte("no image here"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args     []string
		stdin    string
		code     int
		want     string // in stdout+stderr
		oneLine  bool   // stderr is one line
		wantNone string // must not appear
	}{
		{args: []string{"scna"}, code: 2, want: `unknown command "scna"; did you mean "scan"?`, oneLine: true},
		{args: []string{"bank", "craete"}, code: 2, want: `did you mean "bank create"?`, oneLine: true},
		{args: []string{"nosuchthing"}, code: 2, want: `Run 'basira help'`, oneLine: true, wantNone: "did you mean"},
		{args: []string{"bank"}, code: 2, want: "bank create", wantNone: "unknown command"},
		{args: []string{"help", "bank"}, code: 0, want: "bank import", wantNone: "unknown command"},
		{args: []string{"scan", "--rulez", "r.yaml", "f.jsonl"}, code: 2, want: "unknown flag --rulez; did you mean --rules? (run 'basira scan --help')", oneLine: true, wantNone: "Flags:"},
		{args: []string{"scan", "--workers", "x", "f.jsonl"}, code: 2, want: "flag --workers", oneLine: true},
		{args: []string{"scan", "--input-format", "jsn", "-"}, stdin: `{"id":"1","text":"x"}`, code: 2, want: `--input-format "jsn": want jsonl, csv or tsv`},
		{args: []string{"scan", "-"}, stdin: "{bad\n{\"x\":\n", code: 1, want: "nothing in the input could be read"},
		{args: []string{"scan", "--help"}, code: 0, want: "\n  --rules file"},
		{args: []string{"version"}, code: 0, want: "basira "},
		{args: []string{"hash", emptyDir}, code: 1, want: "no image in this folder"},
		{args: []string{"serve", "--help"}, code: 0, want: "--workers int", wantNone: "(default -1)"},
	} {
		code, out, errs := run(t, tc.stdin, tc.args...)
		all := out + errs
		if code != tc.code || !strings.Contains(all, tc.want) || tc.wantNone != "" && strings.Contains(all, tc.wantNone) {
			t.Errorf("basira %s: exit %d (want %d), output lacks %q or has %q:\n%s", strings.Join(tc.args, " "), code, tc.code, tc.want, tc.wantNone, all)
		}
		if tc.oneLine && strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("basira %s: want one line on stderr, got:\n%s", strings.Join(tc.args, " "), errs)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"scan", "serve", "bank create", "bank import", "rules", "rules-dir"}
	for word, want := range map[string]string{"scna": "scan", "sevre": "serve", "bank imprt": "bank import", "rule": "rules", "zzzz": "", "x": ""} {
		if got := closest(word, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", word, got, want)
		}
	}
}
