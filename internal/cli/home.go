package cli

import "github.com/basira-org/basira/internal/config"

// DefaultHome is the workspace folder used when BASIRA_HOME is not set:
// banks, fact-checks, models and the embedded database live there.
const DefaultHome = config.DefaultHome

// Home returns the workspace folder (BASIRA_HOME, default ./basira-data)
// joined with elem, creating the folder when create is true.
func Home(env *Env, create bool, elem ...string) (string, error) {
	return config.HomeDir(env.Getenv, create, elem...)
}
