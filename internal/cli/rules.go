package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/rules"
	"github.com/basira-org/basira/internal/rules/evalset"
)

func init() {
	Register(&Command{
		Name:    "rules check",
		Summary: "validate analyst rule files, run their examples and print a summary",
		Usage:   "FILE|FOLDER...",
		Run:     runRulesCheck,
	})
	Register(&Command{
		Name:    "rules test",
		Summary: "run rules over posts or a text and show which rule fired where",
		Usage:   "--rules FILE [--text TEXT] [--rule ID] [--all] [POSTS_FILE...]",
		Run:     runRulesTest,
	})
	Register(&Command{
		Name:    "rules eval",
		Summary: "measure rules on the reference data: benign texts flagged, real extremist comments found",
		Usage:   "--rules FILE [--data DIR] [--show N]",
		Run:     runRulesEval,
	})
}

func runRulesCheck(_ context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return Usagef("name at least one rule FILE or FOLDER")
	}
	// The designated-entity lists are predeclared, as in scan and serve.
	opt, err := rules.DefaultOptions(false, nil)
	if err != nil {
		return err
	}
	rs, warns, err := rules.LoadPathsWith(fs.Args(), opt)
	for _, w := range warns {
		fmt.Fprintf(env.Stderr, "warning: %v\n", w)
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		var el rules.ErrorList
		if errors.As(err, &el) {
			fmt.Fprintf(env.Stderr, "%d problem(s); nothing was loaded\n", len(el))
		}
		return ErrFailed
	}
	set, err := rules.Compile(rs)
	if err != nil {
		return err
	}
	for _, w := range set.Warnings() {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	failed := set.CheckExamples()
	for _, f := range failed {
		fmt.Fprintln(env.Stderr, f)
	}
	set.WriteSummary(env.Stdout)
	if len(failed) > 0 {
		fmt.Fprintf(env.Stderr, "%d example(s) did not behave as the rule says\n", len(failed))
		return ErrFailed
	}
	return nil
}

func runRulesTest(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var paths rules.PathsFlag
	fs.Var(&paths, "rules", "rule `file` or folder (repeatable)")
	text := fs.String("text", "", "test this one text instead of a posts file")
	all := fs.Bool("all", false, "also list posts on which no rule fired")
	only := fs.String("rule", "", "show only this rule's hits (the `id` of the rule being worked on)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(paths) == 0 {
		return Usagef("give the rules to test with --rules FILE")
	}
	if *text == "" && fs.NArg() == 0 {
		return Usagef("give a posts FILE (or - for stdin) or --text TEXT")
	}
	set, err := loadRuleSet(env, paths)
	if err != nil {
		return err
	}
	if *only != "" && !slices.ContainsFunc(set.Rules(), func(r *rules.Rule) bool { return r.ID == *only }) {
		return Usagef("no rule %q in the rule files", *only)
	}
	t := &rules.Tester{Set: set, Only: *only, All: *all}
	t.Start(env.Stdout)
	if *text != "" {
		t.Test("text", *text, "")
	}
	for _, name := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := eachPost(env, name, func(p *post.Post) { t.Test(p.ID, p.Text, p.Lang) }); err != nil {
			return err
		}
	}
	return t.Close()
}

func runRulesEval(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var paths rules.PathsFlag
	fs.Var(&paths, "rules", "rule `file` or folder (repeatable)")
	data := dataFlag(fs, "")
	show := fs.Int("show", 20, "hits to list per set (0 for none)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(paths) == 0 {
		return Usagef("give the rules to evaluate with --rules FILE")
	}
	dir, err := dataDir(env, *data, true)
	if err != nil {
		return err
	}
	set, err := loadRuleSet(env, paths)
	if err != nil {
		return err
	}
	benign, err := evalset.Benign(dir)
	if err != nil {
		return fmt.Errorf("reading benign texts under %s: %w", dir, err)
	}
	deleted, err := evalset.DeletedComments(dir)
	if err != nil {
		return fmt.Errorf("reading deleted comments under %s: %w", dir, err)
	}
	b, err := set.Evaluate(ctx, benign)
	if err != nil {
		return err
	}
	d, err := set.Evaluate(ctx, deleted)
	if err != nil {
		return err
	}
	rules.WriteEvalReport(env.Stdout, b, d, *show)
	return nil
}

// eachPost decodes a posts file (or stdin for "-") and calls fn on each
// post; unreadable lines are reported on stderr and skipped.
func eachPost(env *Env, name string, fn func(*post.Post)) error {
	rejected := 0 // reported line by line; rules test does not count them
	pr, err := openPosts(env, name, "", post.Options{Source: name}, &rejected)
	if err != nil {
		return err
	}
	defer pr.close()
	pr.Prefix = name + ": " // this command's messages name stdin "-"
	for {
		p, err := pr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(p)
	}
}

// loadRuleSet reads and compiles rule files (with the designated-entity
// lists), printing warnings on stderr.
func loadRuleSet(env *Env, paths []string) (*rules.Set, error) {
	opt, err := rules.DefaultOptions(false, nil)
	if err != nil {
		return nil, err
	}
	return rules.LoadSet(paths, opt, host(env).Warn)
}
