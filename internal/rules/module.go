package rules

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/entities"
	rulepack "github.com/basira-org/basira/rules"
)

// Module is the rules detector's configuration (detect.Module): analyst
// rule files, Basira's built-in jihadist pack, and designated-entity files
// for the @entity-* lists.
type Module struct {
	Paths       []string
	DefaultPack bool
	EntityFiles []string

	last atomic.Pointer[Set] // the set of the last Provision
}

// NewModule returns the default configuration: the built-in pack on.
func NewModule() *Module { return &Module{DefaultPack: true} }

// Name implements detect.Module.
func (m *Module) Name() string { return "rules" }

// Flags implements detect.Module.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.Var((*PathsFlag)(&m.Paths), "rules", "analyst rule `file` or folder of *.yaml rule files (repeatable); see docs/rules.md")
	fs.BoolVar(&m.DefaultPack, "default-rules", m.DefaultPack, "also run Basira's built-in jihadist rule pack (rules/jihadist.yaml, docs/extremism.md)")
	fs.Var((*listFlag)(&m.EntityFiles), "entities", "designated-entity `file` merged over the built-in list, for the @entity-* lists of rule files (repeatable; docs/entities.md)")
}

// Validate implements detect.Module.
func (m *Module) Validate() error { return nil }

// Provision implements detect.Module: nil without rule files and pack.
func (m *Module) Provision(_ context.Context, h detect.Host) (detect.Detector, error) {
	if len(m.Paths) == 0 && !m.DefaultPack {
		m.last.Store(nil)
		return nil, nil
	}
	opt, err := DefaultOptions(m.DefaultPack, m.EntityFiles)
	if err != nil {
		return nil, err
	}
	set, err := LoadSet(m.Paths, opt, h.Warn)
	if err != nil {
		return nil, err
	}
	m.last.Store(set)
	return NewDetector(set), nil
}

// Provisioned is the rule set the last Provision compiled, nil when the
// detector was off.
func (m *Module) Provisioned() *Set { return m.last.Load() }

// Files implements detect.Module: the rule and entity files.
func (m *Module) Files(detect.Host) []string {
	return append(append([]string(nil), m.Paths...), m.EntityFiles...)
}

// DefaultOptions gives rule files the designated-entity lists
// (@entity-groups, @entity-outlets, …: the built-in list, with
// entityFiles merged over it) and, with pack, Basira's default jihadist
// pack.
func DefaultOptions(pack bool, entityFiles []string) (Options, error) {
	var opt Options
	if pack {
		opt.Packs = []Pack{{Name: BuiltinPrefix + "rules/jihadist.yaml", Data: rulepack.Jihadist}}
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

// LoadSet reads and compiles rule files with opt, passing warnings to
// warn. Every problem in every file is returned at once, one per line.
func LoadSet(paths []string, opt Options, warn func(string)) (*Set, error) {
	rs, warns, err := LoadPathsWith(paths, opt)
	for _, w := range warns {
		warn(fmt.Sprintf("warning: %v", w))
	}
	if err != nil {
		return nil, fmt.Errorf("invalid rules (fix these and run 'basira rules check'):\n%w", err)
	}
	set, err := Compile(rs)
	if err != nil {
		return nil, err
	}
	for _, w := range set.Warnings() {
		warn(fmt.Sprintf("warning: %s", w))
	}
	return set, nil
}

// PathsFlag is a repeatable flag of rule files and folders.
type PathsFlag []string

func (p *PathsFlag) String() string { return strings.Join(*p, ",") }

// Set implements flag.Value; an empty path is refused.
func (p *PathsFlag) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty rule path")
	}
	*p = append(*p, v)
	return nil
}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
