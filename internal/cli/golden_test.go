package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Golden files pin what users see: every command's help and the output of
// the main commands on small fixtures. After an intended change, rewrite
// them with `go test ./internal/cli -run Golden -update` and read the diff.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// A golden archive (txtar) holds, in its comment, the command lines to
// run, one per line ("basira text lang < in.txt"); its files are written
// to a fresh folder ($WORK), the commands' working folder, except "want",
// the commands' output. $REPO names the repository root. An archive with
// the line "# needs BASIRA_DATA" is skipped without the reference data,
// which it reads as data/ (a link in $WORK).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		if name == "help" {
			continue // TestGoldenHelp
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { runGolden(t, abs) })
	}
}

func runGolden(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	comment, sections := parseTxtar(string(raw))
	work := t.TempDir()
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	data := os.Getenv("BASIRA_DATA")
	if strings.Contains(comment, "# needs BASIRA_DATA") {
		if data == "" {
			t.Skip("needs BASIRA_DATA")
		}
		if err := os.Symlink(data, filepath.Join(work, "data")); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(work)
	expand := strings.NewReplacer("$WORK", work, "$REPO", repo)
	for _, s := range sections {
		if s.name == "want" {
			continue
		}
		p := filepath.Join(work, s.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s.data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{"BASIRA_HOME": filepath.Join(work, "home"), "BASIRA_DATA": data,
		"BASIRA_LOG_LEVEL": "error", "BASIRA_PSEUDONYM_KEY": testKey}
	var got strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, stdinFile, _ := strings.Cut(line, " < ")
		args := splitArgs(expand.Replace(cmd))
		if len(args) == 0 || args[0] != "basira" {
			t.Fatalf("%s: command line %q does not start with basira", file, line)
		}
		var stdin []byte
		if stdinFile != "" {
			if stdin, err = os.ReadFile(filepath.Join(work, strings.TrimSpace(stdinFile))); err != nil {
				t.Fatal(err)
			}
		}
		var out, errb bytes.Buffer
		env := &Env{Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
		code := Run(context.Background(), env, args[1:])
		fmt.Fprintf(&got, "$ %s\n", line)
		writeStream(&got, "stdout", out.String())
		writeStream(&got, "stderr", errb.String())
		fmt.Fprintf(&got, "[exit %d]\n", code)
	}
	compareGolden(t, file, comment, sections, normalize(got.String(), work, repo, data))
}

// splitArgs splits a command line at spaces, keeping "quoted words" as one
// argument.
func splitArgs(s string) []string {
	var args []string
	for i, part := range strings.Split(s, `"`) {
		if i%2 == 1 {
			args = append(args, part)
			continue
		}
		args = append(args, strings.Fields(part)...)
	}
	return args
}

func writeStream(b *strings.Builder, name, s string) {
	if s == "" {
		return
	}
	fmt.Fprintf(b, "[%s]\n%s", name, s)
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("[no newline]\n")
	}
}

// Durations and bank entry ids are the only output that changes from run
// to run.
var (
	durations = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s)\b`)
	entryIDs  = regexp.MustCompile(`\be[0-9a-f]{16}\b`)
)

func normalize(s, work, repo, data string) string {
	r := []string{work, "$WORK", repo, "$REPO", runtime.Version(), "GOVERSION", runtime.GOOS + "/" + runtime.GOARCH, "GOOS/GOARCH"}
	if data != "" {
		r = append(r, data, "$DATA")
	}
	s = strings.NewReplacer(r...).Replace(s)
	s = entryIDs.ReplaceAllString(s, "eENTRY-ID-0000000")
	return durations.ReplaceAllString(s, "DURATION")
}

func compareGolden(t *testing.T, file, comment string, sections []txtarFile, got string) {
	t.Helper()
	var want string
	kept := sections[:0:0]
	for _, s := range sections {
		if s.name == "want" {
			want = s.data
			continue
		}
		kept = append(kept, s)
	}
	if *update {
		kept = append(kept, txtarFile{"want", got})
		if err := os.WriteFile(file, []byte(formatTxtar(comment, kept)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("%s: output differs (rerun with -update if intended)\n--- got ---\n%s\n--- want ---\n%s\n--- first difference at line %d", file, got, want, firstDiff(got, want))
	}
}

func firstDiff(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// TestGoldenHelp pins the overview, every group's list and every
// command's help (its flags, defaults and examples), so moving code
// between packages cannot change a flag unnoticed.
func TestGoldenHelp(t *testing.T) {
	file := "testdata/golden/help.txtar"
	names := make([]string, 0, len(commands))
	groups := map[string]bool{}
	for name := range commands {
		names = append(names, name)
		if g, _, ok := strings.Cut(name, " "); ok {
			groups[g] = true
		}
	}
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	got := []txtarFile{{"help", helpOutput(t, "help")}}
	for _, name := range names {
		got = append(got, txtarFile{name, helpOutput(t, "help", name)})
	}
	comment := "The output of `basira help` and of `basira help NAME` for every command and group.\n"
	if *update {
		if err := os.WriteFile(file, []byte(formatTxtar(comment, got)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, want := parseTxtar(string(raw))
	wantBy := map[string]string{}
	for _, s := range want {
		wantBy[s.name] = s.data
	}
	for _, s := range got {
		w, ok := wantBy[s.name]
		switch {
		case !ok:
			t.Errorf("help for %q is not in %s (rerun with -update)", s.name, file)
		case w != s.data:
			t.Errorf("help for %q differs (rerun with -update if intended)\n--- got ---\n%s\n--- want ---\n%s", s.name, s.data, w)
		}
		delete(wantBy, s.name)
	}
	for name := range wantBy {
		t.Errorf("%s has help for %q, which is no longer a command", file, name)
	}
}

func helpOutput(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), env, args); code != 0 || errb.Len() > 0 {
		t.Fatalf("basira %s: exit %d, stderr %q", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// A minimal txtar (golang.org/x/tools/txtar's format): a comment, then
// files each introduced by a "-- name --" line.
type txtarFile struct{ name, data string }

func parseTxtar(s string) (string, []txtarFile) {
	var comment strings.Builder
	var files []txtarFile
	cur := -1
	for _, line := range strings.SplitAfter(s, "\n") {
		trimmed := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			files = append(files, txtarFile{name: strings.TrimSpace(trimmed[3 : len(trimmed)-3])})
			cur = len(files) - 1
			continue
		}
		if cur < 0 {
			comment.WriteString(line)
		} else {
			files[cur].data += line
		}
	}
	return comment.String(), files
}

func formatTxtar(comment string, files []txtarFile) string {
	var b strings.Builder
	b.WriteString(comment)
	if comment != "" && !strings.HasSuffix(comment, "\n") {
		b.WriteString("\n")
	}
	for _, f := range files {
		fmt.Fprintf(&b, "-- %s --\n%s", f.name, f.data)
		if f.data != "" && !strings.HasSuffix(f.data, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}
