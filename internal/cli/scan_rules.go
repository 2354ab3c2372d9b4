package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/rules"
	rulepack "github.com/basira-org/basira/rules"
)

func init() {
	RegisterDetector(DetectorOption{
		Name: "rules",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env) (detect.Detector, error) {
			var paths rulePaths
			fs.Var(&paths, "rules", "analyst rule `file` or folder of *.yaml rule files (repeatable); see docs/rules.md")
			builtin := fs.Bool("default-rules", true, "also run Basira's built-in jihadist rule pack (rules/jihadist.yaml, docs/extremism.md)")
			return func(_ context.Context, env *Env) (detect.Detector, error) {
				if len(paths) == 0 && !*builtin {
					return nil, nil
				}
				set, err := loadRuleSetWith(env, paths, builtinRuleOptions(*builtin))
				if err != nil {
					return nil, err
				}
				return rules.NewDetector(set), nil
			}
		},
	})
}

// builtinRuleOptions gives rule files the designated-entity lists and,
// with pack, Basira's default jihadist pack.
func builtinRuleOptions(pack bool) rules.Options {
	var opt rules.Options
	if pack {
		opt.Packs = []rules.Pack{{Name: rules.BuiltinPrefix + "rules/jihadist.yaml", Data: rulepack.Jihadist}}
	}
	return opt
}

// hasBuiltinRules reports whether set holds rules of a pack carried by the
// binary, so that a reload keeps them.
func hasBuiltinRules(set *rules.Set) bool {
	for _, r := range set.Rules() {
		if strings.HasPrefix(r.File, rules.BuiltinPrefix) {
			return true
		}
	}
	return false
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
	return loadRuleSetWith(env, paths, builtinRuleOptions(false))
}

// loadRuleSetWith is loadRuleSet with packs carried by the binary and
// predeclared lists.
func loadRuleSetWith(env *Env, paths []string, opt rules.Options) (*rules.Set, error) {
	rs, warns, err := rules.LoadPathsWith(paths, opt)
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
