package server

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/basira-org/basira/internal/rules"
)

// RuleFiles serves the rules of a set of files and folders and reloads them
// on request (POST /v1/rules/reload): the files are parsed and compiled
// anew; only when that succeeds is Apply called with the new set (to swap
// it into the running detector) and the listing updated. A file that does
// not compile leaves the rules in force untouched.
type RuleFiles struct {
	Paths []string
	// Options gives the packs carried by the binary and the predeclared
	// lists, loaded with the files at every reload.
	Options rules.Options
	// Load, when set, builds the rule set instead of reading Paths with
	// Options: the caller's own way of building it (the detector's
	// builder in serve, which knows every flag).
	Load func(context.Context) (*rules.Set, error)
	// Apply receives each newly compiled set, e.g. to swap it into the
	// rules detector. It may be nil (listing only).
	Apply func(*rules.Set)

	mu    sync.Mutex
	rules []*rules.Rule
}

var _ Rules = (*RuleFiles)(nil)

// NewRuleFiles loads paths once and returns the reloader.
func NewRuleFiles(paths []string, opt rules.Options, apply func(*rules.Set)) (*RuleFiles, error) {
	rf := &RuleFiles{Paths: paths, Options: opt, Apply: apply}
	if _, err := rf.Reload(context.Background()); err != nil {
		return nil, err
	}
	return rf, nil
}

// Rules implements Rules.
func (rf *RuleFiles) Rules() []*rules.Rule {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.rules
}

// Reload implements Rules.
func (rf *RuleFiles) Reload(ctx context.Context) (RuleReload, error) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if len(rf.Paths) == 0 && rf.Load == nil {
		return RuleReload{}, errors.New("no rule files are configured (start serve with --rules)")
	}
	set, err := rf.load(ctx)
	if err != nil {
		return RuleReload{}, err
	}
	if rf.Apply != nil {
		rf.Apply(set)
	}
	rf.rules = set.Rules()
	return RuleReload{Rules: len(rf.rules), Files: rf.Paths}, nil
}

func (rf *RuleFiles) load(ctx context.Context) (*rules.Set, error) {
	if rf.Load != nil {
		return rf.Load(ctx)
	}
	rs, _, err := rules.LoadPathsWith(rf.Paths, rf.Options)
	if err != nil {
		return nil, err
	}
	set, err := rules.Compile(rs)
	if err != nil {
		return nil, fmt.Errorf("compiling the rules: %w", err)
	}
	return set, nil
}
