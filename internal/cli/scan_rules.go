package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/rules"
)

func init() {
	RegisterDetector(DetectorOption{
		Name: "rules",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env) (detect.Detector, error) {
			var paths rulePaths
			fs.Var(&paths, "rules", "analyst rule `file` or folder of *.yaml rule files (repeatable); see docs/rules.md")
			return func(_ context.Context, env *Env) (detect.Detector, error) {
				if len(paths) == 0 {
					return nil, nil
				}
				set, err := loadRuleSet(env, paths)
				if err != nil {
					return nil, err
				}
				return rules.NewDetector(set), nil
			}
		},
	})
}

// rulePaths is a repeatable --rules flag.
type rulePaths []string

func (p *rulePaths) String() string { return strings.Join(*p, ",") }

func (p *rulePaths) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty rule path")
	}
	*p = append(*p, v)
	return nil
}

// loadRuleSet reads and compiles rule files, printing warnings on stderr.
// Every problem in every file is returned at once, one per line.
func loadRuleSet(env *Env, paths []string) (*rules.Set, error) {
	rs, warns, err := rules.LoadPaths(paths)
	for _, w := range warns {
		fmt.Fprintf(env.Stderr, "warning: %v\n", w)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid rules (fix these and run 'basira rules check'):\n%w", err)
	}
	set, err := rules.Compile(rs)
	if err != nil {
		return nil, err
	}
	for _, w := range set.Warnings() {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	return set, nil
}
