package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

func init() {
	Register(&Command{
		Name:    "token create",
		Summary: "create an API token for a person or a system (printed once)",
		Usage:   "--role ROLE --name NAME",
		Run:     runTokenCreate,
	})
	Register(&Command{
		Name:    "token list",
		Summary: "list API tokens (id, name, role, created, revoked; never the secret)",
		Usage:   "",
		Run:     runTokenList,
	})
	Register(&Command{
		Name:    "token revoke",
		Summary: "revoke an API token by id or name",
		Usage:   "ID|NAME",
		Run:     runTokenRevoke,
	})
}

// tokenAudit opens the store named by --store (or the workspace default)
// to write token changes to the audit log; the caller closes it.
func tokenAudit(ctx context.Context, env *Env, cfg *config.Config) (*sqlstore.DB, error) {
	if err := loadConfig(env, cfg); err != nil {
		return nil, err
	}
	st, err := app.OpenStore(ctx, cfg.Store, app.OpenRun)
	if err != nil {
		return nil, fmt.Errorf("token changes are written to the audit log, which cannot be opened: %w", err)
	}
	return st, nil
}

// cliActor names the person at the terminal in the audit log.
func cliActor(env *Env) string {
	if u := env.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

func runTokenCreate(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	role := fs.String("role", "", "role of the token: admin, analyst, viewer, ingest or platform")
	name := fs.String("name", "", "who or what uses the token (shown in the audit log)")
	var cfg config.Config
	cfg.DefineStore(fs, false)
	cfg.DefineTokens(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) > 0 {
		return Usagef("unexpected argument %q (give --role and --name)", fs.Arg(0))
	}
	if *role == "" || *name == "" {
		return Usagef("give both --role and --name, e.g. --role analyst --name alice")
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return Usagef("%v", err)
	}
	if _, err := Home(env, true); err != nil {
		return err
	}
	log, err := tokenAudit(ctx, env, &cfg)
	if err != nil {
		return err
	}
	defer log.Close()
	st, _, err := openTokens(env, &cfg, log)
	if err != nil {
		return err
	}
	secret, t, err := st.Create(ctx, *name, r)
	if err != nil {
		return err
	}
	if _, err := log.AppendAudit(ctx, audit.New(cliActor(env), audit.ActionConfig, "token:"+t.ID, map[string]any{"op": "token.create", "name": t.Name, "role": t.Role})); err != nil {
		// No token without its audit entry: take it back.
		if _, rerr := st.Revoke(ctx, t.ID); rerr != nil {
			return fmt.Errorf("writing the audit log: %w; revoking the new token %s failed too, revoke it by hand: %v", err, t.ID, rerr)
		}
		return fmt.Errorf("writing the audit log: %w (the token was not kept)", err)
	}
	fmt.Fprintln(env.Stdout, secret)
	fmt.Fprintf(env.Stderr, "token %s created for %q with role %s; it is shown only now: store it in a secret manager.\n", t.ID, t.Name, t.Role)
	return nil
}

func runTokenList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, false)
	cfg.DefineTokens(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if err := loadConfig(env, &cfg); err != nil {
		return err
	}
	inStore, err := cfg.TokensInStore()
	if err != nil {
		return err
	}
	var db *sqlstore.DB
	if inStore {
		if db, err = app.OpenStore(ctx, cfg.Store, app.OpenExisting); err != nil {
			return err
		}
		defer db.Close()
	}
	st, where, err := openTokens(env, &cfg, db)
	if err != nil {
		return err
	}
	ts, err := st.List(ctx)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		fmt.Fprintf(env.Stderr, "no token in %s: create one with 'basira token create --role admin --name you'\n", where)
		return nil
	}
	tw := newTable(env.Stdout, "ID", "NAME", "ROLE", "CREATED", "REVOKED")
	for _, t := range ts {
		revoked := "-"
		if t.RevokedAt != nil {
			revoked = t.RevokedAt.Format("2006-01-02 15:04")
		}
		tw.rowf("%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format("2006-01-02 15:04"), revoked)
	}
	return tw.flush()
}

func runTokenRevoke(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, false)
	cfg.DefineTokens(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) != 1 {
		return Usagef("name one token to revoke, by id or name (see 'basira token list')")
	}
	log, err := tokenAudit(ctx, env, &cfg)
	if err != nil {
		return err
	}
	defer log.Close()
	st, _, err := openTokens(env, &cfg, log)
	if err != nil {
		return err
	}
	t, err := st.Revoke(ctx, fs.Arg(0))
	if errors.Is(err, auth.ErrNotFound) {
		return err
	}
	if err != nil {
		return err
	}
	// The revocation stands even if the audit write fails: refusing a
	// revocation would be worse. The failure is reported.
	if _, err := log.AppendAudit(ctx, audit.New(cliActor(env), audit.ActionConfig, "token:"+t.ID, map[string]any{"op": "token.revoke", "name": t.Name})); err != nil {
		return fmt.Errorf("token %s revoked, but writing the audit log failed: %w", t.ID, err)
	}
	fmt.Fprintf(env.Stdout, "revoked token %s (%s, %s)\n", t.ID, t.Name, t.Role)
	return nil
}
