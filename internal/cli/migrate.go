package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/store/postgres"
	"github.com/basira-org/basira/internal/store/sqlite"
)

func init() {
	Register(&Command{
		Name:    "migrate",
		Summary: "create or upgrade the service's database schema",
		Usage:   "[--store sqlite:PATH|postgres://…] [--check]",
		Run:     runMigrate,
	})
}

func runMigrate(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, false)
	check := fs.Bool("check", false, "only report the schema version; exit 1 if an upgrade is needed")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("migrate takes no arguments")
	}
	if err := loadConfig(env, &cfg); err != nil {
		return err
	}
	kind, addr, err := config.StoreKind(cfg.Store)
	if err != nil {
		return err
	}
	var have, want int
	if kind == "postgres" {
		have, want, err = postgres.SchemaVersion(ctx, addr)
	} else {
		have, want, err = sqlite.SchemaVersion(ctx, addr)
	}
	if err != nil {
		return fmt.Errorf("reading the schema version of %s: %w", config.RedactStore(cfg.Store), err)
	}
	fmt.Fprintf(env.Stdout, "%s: schema version %d, this basira needs %d\n", config.RedactStore(cfg.Store), have, want)
	switch {
	case have > want:
		return fmt.Errorf("the database is newer than this basira: run the newer version")
	case have == want:
		return nil
	case *check:
		return ErrFailed
	}
	db, err := app.OpenStore(ctx, cfg.Store, app.OpenMigrate)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.AppendAudit(ctx, audit.New("system", audit.ActionMigrate, "schema", map[string]int{"from": have, "to": want})); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "migrated to schema version %d\n", want)
	return nil
}
