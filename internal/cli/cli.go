// Package cli holds Basira's subcommands. Each command registers itself from
// an init function in its own file (scan.go, hash.go, serve.go, ...), so
// features add commands without touching a shared table.
package cli

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/detect"
)

// Env is what a command may touch of the outside world. Tests build one with
// buffers; Main builds one from the process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads configuration from the environment (BASIRA_*).
	Getenv func(string) string
	// StderrIsTerminal enables progress lines.
	StderrIsTerminal bool
}

// Command is one subcommand. Name may hold several words ("bank create"):
// the dispatcher picks the longest name that prefixes the arguments.
type Command struct {
	Name    string
	Summary string // one line, shown in `basira help`
	// Usage is the argument synopsis after the name, e.g. "[flags] FILE...".
	Usage string
	// Help is a longer text with examples, shown by `basira NAME --help`.
	Help string
	// Run executes the command. fs is a fresh FlagSet named after the
	// command; Run defines its flags, then calls Parse(fs, args).
	Run func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error
}

var commands = map[string]*Command{}

// Register adds a command; it panics on a duplicate name, a programming error.
// A command without Help takes its long help from help/NAME.txt (spaces
// in the name as _), where writers and translators edit it without
// touching code; testdata/golden/help.txtar pins the result.
func Register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: command registered twice: " + c.Name)
	}
	if c.Help == "" {
		if b, err := helpFiles.ReadFile("help/" + strings.ReplaceAll(c.Name, " ", "_") + ".txt"); err == nil {
			c.Help = string(b)
		}
	}
	commands[c.Name] = c
}

//go:embed help
var helpFiles embed.FS

// ErrUsage marks an error caused by the way the command was called; Main
// exits 2 for it, as flag parsing does.
var ErrUsage = errors.New("usage error")

// Usagef returns an error wrapping ErrUsage with a message for the user.
func Usagef(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}

// ErrFailed is returned by commands that already reported their problem on
// stderr and only need a non-zero exit status.
var ErrFailed = errors.New("failed")

// Main runs the command line args and returns the process exit status.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Getenv:           os.Getenv,
		StderrIsTerminal: isTerminal(os.Stderr),
	}
	return Run(ctx, env, args)
}

// Run dispatches args to a command and maps its error to an exit status:
// 0 success, 1 failure, 2 usage error.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, _ := lookup(args[1:]); c != nil {
				env2 := *env
				env2.Stderr = env.Stdout
				return Run(ctx, &env2, append(strings.Fields(c.Name), "--help"))
			}
			if len(args) == 2 && groupHelp(env.Stdout, args[1]) {
				return 0
			}
			return unknownCommand(env, args[1:])
		}
		printOverview(env.Stdout)
		return 0
	}
	c, rest := lookup(args)
	if c == nil {
		return unknownCommand(env, args)
	}
	fs := newFlagSet(c, env.Stderr)
	err := c.Run(ctx, env, fs, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage), errors.Is(err, config.ErrInvalid), errors.Is(err, detect.ErrConfig):
		// One line: what is wrong and where the help is.
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrUsage.Error()+": "), config.ErrInvalid.Error()+": ")
		fmt.Fprintf(env.Stderr, "basira %s: %v (run 'basira %s --help')\n", c.Name, msg, c.Name)
		return 2
	case errors.Is(err, ErrFailed):
		return 1
	default:
		fmt.Fprintf(env.Stderr, "basira %s: %v\n", c.Name, err)
		return 1
	}
}

// Parse parses flags and turns flag errors into usage errors. Flags may
// follow positional arguments (`scan posts.jsonl --rules r.yaml`).
func Parse(fs *flag.FlagSet, args []string) error {
	// The flag package prints its error and the whole help on a bad flag;
	// Run prints one line instead, and the help only when asked for.
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(out) }()
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return err
			}
			return fmt.Errorf("%w: %v", ErrUsage, flagError(fs, err))
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	// Re-parse an empty list so fs.Args() reports the positionals.
	return fs.Parse(append([]string{"--"}, positional...))
}

func newFlagSet(c *Command, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { printCommandHelp(out, c, fs) }
	return fs
}

func lookup(args []string) (*Command, []string) {
	for n := min(len(args), 3); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, nil
}

func subcommandsOf(word string) []string {
	var subs []string
	for name := range commands {
		if rest, ok := strings.CutPrefix(name, word+" "); ok {
			subs = append(subs, rest)
		}
	}
	sort.Strings(subs)
	return subs
}

func printOverview(w io.Writer) {
	fmt.Fprint(w, `basira — find violent-extremist content, financing appeals and rumours in
Arabic-language social media (MSA, Darija, Arabizi, French, English), with an
analyst deciding on every case.

Usage: basira COMMAND [flags] [args]

Commands:
`)
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-22s %s\n", name, commands[name].Summary)
	}
	fmt.Fprint(w, "\nRun 'basira COMMAND --help' for a command's flags and examples.\n")
}

func printCommandHelp(w io.Writer, c *Command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: basira %s %s\n\n%s\n", c.Name, c.Usage, c.Summary)
	if c.Help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Help))
	}
	if hasFlags(fs) {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, fs)
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
