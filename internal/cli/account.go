package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/config"
)

// The account commands are thin: internal/account holds the rules
// (password policy, hashing, sessions); the store writes each change
// with its audit entry.
func init() {
	const where = `Accounts live in the store (--store or BASIRA_STORE; default the workspace's
SQLite file), shared by every server on it. Every change is in the audit log.`
	Register(&Command{
		Name: "account add", Summary: "create a person's account for the review screen (name, role, password)",
		Usage: "--name NAME --role ROLE [--generate]",
		Help: `Creates an account that signs in to the review screen with a password. The
password is read from standard input (asked twice, without echo, on a
terminal), or made up and printed once with --generate. It needs ` + fmt.Sprint(account.MinPassword) + ` to
` + fmt.Sprint(account.MaxPassword) + ` characters; only an argon2id hash is kept. Roles: admin, analyst, viewer.
API tokens ('basira token create') stay for systems.
` + where + `

Examples:
  basira account add --name amina --role analyst --generate
  printf '%s\n' "$PASSWORD" | basira account add --name ops --role admin`,
		Run: runAccountAdd,
	})
	Register(&Command{
		Name: "account list", Summary: "list accounts (name, role, created, disabled; never a password)",
		Help: where + "\n\nExample:\n  basira account list", Run: runAccountList,
	})
	Register(&Command{
		Name: "account disable", Summary: "disable an account and end its sessions at once",
		Usage: "NAME",
		Help:  "Disables an account: it can no longer sign in, and its open sessions end.\n'basira account disable --enable NAME' lets it sign in again.\n" + where + "\n\nExample:\n  basira account disable amina",
		Run:   runAccountDisable,
	})
	Register(&Command{
		Name: "account passwd", Summary: "set an account's password (ends its sessions)",
		Usage: "NAME [--generate]",
		Help:  "Sets a new password, read from standard input or made up with --generate, and\nends the account's open sessions.\n" + where + "\n\nExample:\n  basira account passwd amina --generate",
		Run:   runAccountPasswd,
	})
}

// accountService opens the store and the account service over it.
func accountService(ctx context.Context, env *Env, cfg *config.Config) (*account.Service, func(), error) {
	if err := loadConfig(env, cfg); err != nil {
		return nil, nil, err
	}
	if _, err := Home(env, true); err != nil {
		return nil, nil, err
	}
	db, err := app.OpenStore(ctx, cfg.Store, app.OpenRun)
	if err != nil {
		return nil, nil, err
	}
	return account.New(db, account.Config{}), func() { db.Close() }, nil
}

// readPassword reads a new password: made up with generate (and printed),
// asked twice without echo on a terminal, else the first line of stdin.
func readPassword(env *Env, generate bool) (string, error) {
	if generate {
		pw := GeneratePassword()
		fmt.Fprintln(env.Stdout, pw)
		return pw, nil
	}
	if f, ok := env.Stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(env.Stderr, "new password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.Stderr, "again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", Usagef("give the password on standard input, or use --generate")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// GeneratePassword makes up a password: 26 base32 characters (130 bits).
func GeneratePassword() string { return rand.Text() }

func runAccountAdd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	name := fs.String("name", "", "the person's sign-in name (letters, digits, . _ @ -)")
	role := fs.String("role", "", "admin, analyst or viewer")
	generate := fs.Bool("generate", false, "make up a password and print it once")
	var cfg config.Config
	cfg.DefineStore(fs, false)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *name == "" || *role == "" {
		return Usagef("give --name and --role, e.g. --name amina --role analyst")
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return Usagef("%v", err)
	}
	if r == auth.Ingest || r == auth.Platform {
		return Usagef("role %s is for systems: give them an API token ('basira token create --role %s')", r, r)
	}
	if err := account.CheckName(*name); err != nil {
		return Usagef("%v", err)
	}
	pw, err := readPassword(env, *generate)
	if err != nil {
		return err
	}
	svc, done, err := accountService(ctx, env, &cfg)
	if err != nil {
		return err
	}
	defer done()
	a, err := svc.Add(ctx, cliActor(env), *name, r, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "account %s created with role %s\n", a.Name, a.Role)
	return nil
}

func runAccountList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, false)
	if err := Parse(fs, args); err != nil {
		return err
	}
	svc, done, err := accountService(ctx, env, &cfg)
	if err != nil {
		return err
	}
	defer done()
	as, err := svc.List(ctx)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		fmt.Fprintln(env.Stderr, "no account yet: create one with 'basira account add --name you --role admin --generate'")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tDISABLED")
	for _, a := range as {
		disabled := "-"
		if a.DisabledAt != nil {
			disabled = a.DisabledAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Role, a.CreatedAt.Format("2006-01-02 15:04"), disabled)
	}
	return tw.Flush()
}

func runAccountDisable(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	enable := fs.Bool("enable", false, "enable the account again instead")
	var cfg config.Config
	cfg.DefineStore(fs, false)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return Usagef("name one account (see 'basira account list')")
	}
	svc, done, err := accountService(ctx, env, &cfg)
	if err != nil {
		return err
	}
	defer done()
	a, err := svc.SetDisabled(ctx, cliActor(env), fs.Arg(0), !*enable)
	if err != nil {
		return err
	}
	state := "disabled; its sessions ended"
	if a.Active() {
		state = "enabled"
	}
	fmt.Fprintf(env.Stdout, "account %s %s\n", a.Name, state)
	return nil
}

func runAccountPasswd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	generate := fs.Bool("generate", false, "make up a password and print it once")
	var cfg config.Config
	cfg.DefineStore(fs, false)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return Usagef("name one account (see 'basira account list')")
	}
	pw, err := readPassword(env, *generate)
	if err != nil {
		return err
	}
	svc, done, err := accountService(ctx, env, &cfg)
	if err != nil {
		return err
	}
	defer done()
	a, err := svc.SetPassword(ctx, cliActor(env), fs.Arg(0), pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "password of %s changed; its sessions ended\n", a.Name)
	return nil
}
