package cli

import (
	"flag"
	"fmt"
	"sync"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/detect"
)

// defineDetectors defines the flags of every detector family (each
// module's own, app.Modules) on fs and returns the modules they fill.
func defineDetectors(fs *flag.FlagSet) *app.Modules {
	mods := app.NewModules()
	mods.Flags(fs)
	return mods
}

// host is what the detector modules may use of the command: the
// workspace folder and stderr for warnings (one line at a time, from any
// goroutine).
func host(env *Env) detect.Host {
	var mu sync.Mutex
	return detect.Host{
		Home: func(create bool, elem ...string) (string, error) { return Home(env, create, elem...) },
		Warn: func(msg string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(env.Stderr, msg)
		},
	}
}
