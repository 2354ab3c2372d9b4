package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
)

// This file is what a newcomer meets when a command line is not quite
// right: a group name lists its commands, a typo gets one line with the
// nearest name, and `basira version` says which build runs.

func init() {
	Register(&Command{
		Name:    "version",
		Summary: "print the version of this basira binary",
		Usage:   "",
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			if err := Parse(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				return Usagef("version takes no arguments")
			}
			fmt.Fprintln(env.Stdout, versionLine())
			return nil
		},
	})
}

// versionLine names the module version (or the VCS revision of a build
// from a checkout), the Go version and the platform.
func versionLine() string {
	version, rev, modified := "(devel)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" {
			version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev != "" {
		version += " " + rev[:min(12, len(rev))]
		if modified {
			version += "+modified"
		}
	}
	return fmt.Sprintf("basira %s %s %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// groupHelp prints the commands of a group ("bank": bank create, bank
// import, …) and reports whether word is a group.
func groupHelp(w io.Writer, word string) bool {
	subs := subcommandsOf(word)
	if len(subs) == 0 {
		return false
	}
	fmt.Fprintf(w, "Usage: basira %s COMMAND [flags] [args]\n\nCommands:\n", word)
	for _, s := range subs {
		fmt.Fprintf(w, "  %-22s %s\n", word+" "+s, commands[word+" "+s].Summary)
	}
	fmt.Fprintf(w, "\nRun 'basira %s COMMAND --help' for a command's flags and examples.\n", word)
	return true
}

// unknownCommand answers a command line that names no command: a bare
// group lists its commands; anything else gets one line with the nearest
// command name.
func unknownCommand(env *Env, args []string) int {
	if len(args) == 1 && groupHelp(env.Stderr, args[0]) {
		return 2
	}
	words := args[:min(len(args), 2)]
	if len(subcommandsOf(args[0])) == 0 {
		words = args[:1]
	}
	typed := strings.Join(words, " ")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	hint := "."
	if near := closest(typed, names); near != "" {
		hint = fmt.Sprintf("; did you mean %q?", near)
	}
	fmt.Fprintf(env.Stderr, "basira: unknown command %q%s Run 'basira help' for the list of commands.\n", typed, hint)
	return 2
}

// flagError rewrites the flag package's error for an unknown or malformed
// flag: flags written with "--" as in the docs, and the nearest flag name.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimLeft(name, "-")
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		msg = "unknown flag --" + name
		if near := closest(name, names); near != "" {
			msg += fmt.Sprintf("; did you mean --%s?", near)
		}
		return errors.New(msg)
	}
	// "invalid value "x" for flag -n: …" and "flag needs an argument: -n"
	msg = strings.Replace(msg, "flag -", "flag --", 1)
	msg = strings.Replace(msg, "argument: -", "argument: --", 1)
	return errors.New(msg)
}

// printFlags prints the flag defaults with "--" before each name, as the
// docs and examples write them.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	out := fs.Output()
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(out)
	for line := range strings.Lines(b.String()) {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			line = "  --" + rest
		}
		// A usage that explains its own default ("default 2 × CPUs") hides
		// the sentinel the flag package would add ("(default -1)").
		if i := strings.LastIndex(line, " (default "); i > 0 && strings.Contains(line[:i], "(default ") {
			line = line[:i] + "\n"
		}
		io.WriteString(w, line)
	}
}

// closest returns the candidate nearest to word (by edit distance, at most
// a third of the word's length and at least 2), or a candidate word is a
// prefix of, or "".
func closest(word string, candidates []string) string {
	sort.Strings(candidates)
	limit := max(2, len(word)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := editDistance(word, c)
		if len(word) >= 3 && strings.HasPrefix(c, word) {
			d = min(d, limit) // a prefix qualifies, but a nearer name wins
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (command and flag names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
