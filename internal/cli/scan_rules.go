package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/entities"
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
			var ents strList
			fs.Var(&ents, "entities", "designated-entity `file` merged over the built-in list, for the @entity-* lists of rule files (repeatable; docs/entities.md)")
			return func(_ context.Context, env *Env) (detect.Detector, error) {
				if len(paths) == 0 && !*builtin {
					return nil, nil
				}
				opt, err := ruleOptions(*builtin, ents)
				if err != nil {
					return nil, err
				}
				set, err := loadRuleSetWith(env, paths, opt)
				if err != nil {
					return nil, err
				}
				return rules.NewDetector(set), nil
			}
		},
	})
}

// ruleOptions gives rule files the designated-entity lists (@entity-groups,
// @entity-outlets, …: the built-in list, with entityFiles merged over it)
// and, with pack, Basira's default jihadist pack.
func ruleOptions(pack bool, entityFiles []string) (rules.Options, error) {
	var opt rules.Options
	if pack {
		opt.Packs = []rules.Pack{{Name: rules.BuiltinPrefix + "rules/jihadist.yaml", Data: rulepack.Jihadist}}
	}
	var set *entities.Set
	var err error
	if len(entityFiles) > 0 {
		set, err = entities.LoadWithBuiltin(entityFiles...)
	} else {
		set, err = entities.Builtin()
	}
	if err != nil {
		return opt, fmt.Errorf("designated entities: %w", err)
	}
	opt.Lists = set.RuleLists()
	return opt, nil
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
	opt, err := ruleOptions(false, nil)
	if err != nil {
		return nil, err
	}
	return loadRuleSetWith(env, paths, opt)
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
