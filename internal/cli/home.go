package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultHome is the workspace folder used when BASIRA_HOME is not set:
// banks, fact-checks, models and the embedded database live there.
const DefaultHome = "basira-data"

// Home returns the workspace folder (BASIRA_HOME, default ./basira-data)
// joined with elem, creating the folder when create is true.
func Home(env *Env, create bool, elem ...string) (string, error) {
	dir := env.Getenv("BASIRA_HOME")
	if dir == "" {
		dir = DefaultHome
	}
	p := filepath.Join(append([]string{dir}, elem...)...)
	if create {
		if err := os.MkdirAll(p, 0o750); err != nil {
			return "", fmt.Errorf("creating the workspace folder (set BASIRA_HOME to choose another): %w", err)
		}
	}
	return p, nil
}
