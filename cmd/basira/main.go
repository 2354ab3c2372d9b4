// Command basira is the single binary of the Basira trust-and-safety platform.
// All work happens in internal/cli; main only hands over the arguments.
package main

import (
	"os"

	"github.com/basira-org/basira/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
