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
		Help: `Parses every rule file (a folder means every *.yaml and *.yml in it), reports
each problem as "file:line: reason", compiles the rules together (ids must be
unique across files), runs each rule's match: and no_match: examples, and
prints what the files hold: rules per label and severity, distinct terms.

Exit status 0 when all files are valid and every example behaves; 1 otherwise.
The rule language is described in docs/rules.md.

Examples:
  basira rules check rules/examples.yaml
  basira rules check rules/             # every file in the folder, together`,
		Run: runRulesCheck,
	})
	Register(&Command{
		Name:    "rules test",
		Summary: "run rules over posts or a text and show which rule fired where",
		Usage:   "--rules FILE [--text TEXT] [--rule ID] [--all] [POSTS_FILE...]",
		Help: `Runs the rules over posts (JSONL or CSV/TSV, as for 'basira scan'; - for
stdin) or over one --text, and prints a row per rule that fired with the
evidence: the words of the original text that made it fire. A count per rule
follows, so an analyst can see which rules fire most before shipping a change.

Examples:
  basira rules test --rules rules/examples.yaml testdata/posts.jsonl
  basira rules test --rules my.yaml --text "انضموا إلى صفوف الدولة"
  basira rules test --rules my.yaml --all posts.csv   # list posts with no hit too
  basira rules test --rules rules/ --rule incite-kill-msa posts.jsonl`,
		Run: runRulesTest,
	})
	Register(&Command{
		Name:    "rules eval",
		Summary: "measure rules on the reference data: benign texts flagged, real extremist comments found",
		Usage:   "--rules FILE [--data DIR] [--show N]",
		Help: `Runs the rules over two sets of the shared reference data and prints what fired:
  - 90,814 benign texts that must not be flagged: Arabic fact-check tweets and
    verified claims (CheckThat! 2021), check-worthiness tweets (news, politics),
    Moroccan Facebook comments (ElecMorocco2016), tweets labelled not offensive
    (OSACT 2022), everyday Darija in Arabizi (DODa), and English fact-checks
    and tweets (CheckThat! 2022), some about ISIS and jihad. Every hit here is
    a false positive to fix.
  - 31,692 comments Al Jazeera deleted in 2015–2016 (Mubarak et al. 2017), where
    real extremist speech sits among insults: read the hits to judge precision.
The data folder is found as for tests (BASIRA_DATA, or ../shared/data beside
the repository), or given with --data.

Examples:
  basira rules eval --rules rules/examples.yaml
  basira rules eval --rules my-pack/ --show 50`,
		Run: runRulesEval,
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
	opt, err := ruleOptions(false, nil)
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
	var paths rulePaths
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
	var paths rulePaths
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
	pr.prefix = name + ": " // this command's messages name stdin "-"
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
