package cli

import (
	"context"
	"strings"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

// loadConfig fills cfg, whose flags the command defined and parsed, from
// the environment and the defaults, and validates it; a setting Basira
// cannot use is a usage error (config.ErrInvalid, exit 2).
func loadConfig(env *Env, cfg *config.Config) error {
	if err := cfg.Resolve(env.Getenv); err != nil {
		return err
	}
	return cfg.Validate()
}

// openTokens returns the token store serve and the token commands share
// (app.Tokens); where names it for messages.
func openTokens(env *Env, cfg *config.Config, db *sqlstore.DB) (ts auth.Store, where string, err error) {
	if cfg.Home == "" {
		if cfg.Home, err = Home(env, false); err != nil {
			return nil, "", err
		}
	}
	return app.Tokens(cfg, db)
}

// openConfigStore resolves cfg and opens its store in mode: the common
// start of the commands that read or change the service's state.
func openConfigStore(ctx context.Context, env *Env, cfg *config.Config, mode app.Mode) (*sqlstore.DB, error) {
	if err := loadConfig(env, cfg); err != nil {
		return nil, err
	}
	return app.OpenStore(ctx, cfg.Store, mode)
}

// openApp opens the service of cfg (app.Open) with the detectors the
// command's detector flags build; the logger defaults to cfg's on stderr.
func openApp(ctx context.Context, env *Env, cfg *config.Config, mods *app.Modules, o app.Options) (*app.App, error) {
	if o.Logger == nil {
		o.Logger = cfg.Logger(env.Stderr)
	}
	o.Modules, o.Host = mods, host(env)
	return app.Open(ctx, cfg, o)
}

// describePipeline names the detectors in force with their descriptions,
// for the line scan and serve print at start.
func describePipeline(pipe *detect.Pipeline) string {
	names := make([]string, 0, len(pipe.Detectors()))
	for _, d := range pipe.Detectors() {
		names = append(names, detect.Describe(d))
	}
	return strings.Join(names, "; ")
}
