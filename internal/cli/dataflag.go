package cli

import (
	"flag"

	"github.com/basira-org/basira/internal/refdata"
)

// dataFlag defines --data, the reference data folder the evaluation
// commands read; note, when set, says more about its use.
func dataFlag(fs *flag.FlagSet, note string) *string {
	usage := "reference data `folder` (default: $BASIRA_DATA or ../shared/data"
	if note != "" {
		usage += "; " + note
	}
	return fs.String("data", "", usage+")")
}

// dataDir resolves a --data value: the flag, else BASIRA_DATA, else
// ../shared/data beside the repository. It returns "" when none is found
// and the folder is optional, a usage error when it is required.
func dataDir(env *Env, flagValue string, required bool) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = env.Getenv("BASIRA_DATA")
	}
	if dir == "" {
		dir = refdata.Dir()
	}
	if dir == "" && required {
		return "", Usagef("reference data not found: give --data DIR or set BASIRA_DATA to the shared/data folder")
	}
	return dir, nil
}
