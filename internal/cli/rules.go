package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/refdata"
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
	failed := checkExamples(env.Stderr, set)
	printRuleSummary(env.Stdout, set)
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "%d example(s) did not behave as the rule says\n", failed)
		return ErrFailed
	}
	return nil
}

// checkExamples runs every rule's match: and no_match: examples against the
// whole set and reports those that misbehave.
func checkExamples(w io.Writer, set *rules.Set) (failed int) {
	for _, r := range set.Rules() {
		for _, ex := range r.Match {
			if !firesOn(set, r.ID, ex) {
				failed++
				fmt.Fprintf(w, "%s: rule %q does not fire on its match: example %q\n", r.Pos(), r.ID, ex)
			}
		}
		for _, ex := range r.NoMatch {
			if firesOn(set, r.ID, ex) {
				failed++
				fmt.Fprintf(w, "%s: rule %q fires on its no_match: example %q\n", r.Pos(), r.ID, ex)
			}
		}
	}
	return failed
}

func firesOn(set *rules.Set, id, text string) bool {
	return slices.ContainsFunc(set.Match(arabic.Analyze(text)), func(m rules.Match) bool { return m.Rule.ID == id })
}

func printRuleSummary(w io.Writer, set *rules.Set) {
	byFile := map[string]int{}
	byLabel := map[string]int{}
	bySev := map[string]int{}
	examples := 0
	var files []string
	for _, r := range set.Rules() {
		if byFile[r.File] == 0 {
			files = append(files, r.File)
		}
		byFile[r.File]++
		byLabel[r.Label]++
		bySev[r.Severity]++
		examples += len(r.Match) + len(r.NoMatch)
	}
	st := set.Stats()
	for _, f := range files {
		fmt.Fprintf(w, "%s: %d rules\n", f, byFile[f])
	}
	fmt.Fprintf(w, "total: %d rules, %d distinct terms, %d examples passed\n", st.Rules, st.Terms, examples)
	fmt.Fprintf(w, "severity: high %d, medium %d, low %d\n", bySev[rules.High], bySev[rules.Medium], bySev[rules.Low])
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%s %d", l, byLabel[l])
	}
	fmt.Fprintf(w, "labels: %s\n", strings.Join(parts, ", "))
	if st.AlwaysRun > 0 {
		fmt.Fprintf(w, "note: %d regex-only rule(s) have no literal to prefilter on and run on every post\n", st.AlwaysRun)
	}
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
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POST\tLANG\tRULE\tLABEL\tSEVERITY\tEVIDENCE")
	counts := map[string]int{}
	posts, hits := 0, 0
	show := func(id, text, lang string) {
		doc := arabic.Analyze(text)
		if lang != "" {
			doc.Lang = lang
		}
		posts++
		ms := set.Match(doc)
		if *only != "" {
			ms = slices.DeleteFunc(ms, func(m rules.Match) bool { return m.Rule.ID != *only })
		}
		if len(ms) == 0 {
			if *all {
				fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t%s\n", id, doc.Lang, oneLine(text, 60))
			}
			return
		}
		hits++
		for _, m := range ms {
			counts[m.Rule.ID]++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, doc.Lang, m.Rule.ID, m.Rule.Label, m.Rule.Severity, oneLine(rules.Evidence(text, m.Spans), 60))
		}
	}
	if *text != "" {
		show("text", *text, "")
	}
	for _, name := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := eachPost(env, name, func(p *post.Post) { show(p.ID, p.Text, p.Lang) }); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if counts[ids[i]] != counts[ids[j]] {
			return counts[ids[i]] > counts[ids[j]]
		}
		return ids[i] < ids[j]
	})
	fmt.Fprintf(env.Stdout, "\n%d posts, %d with a rule hit\n", posts, hits)
	for _, id := range ids {
		fmt.Fprintf(env.Stdout, "  %-32s %d\n", id, counts[id])
	}
	return nil
}

func runRulesEval(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var paths rulePaths
	fs.Var(&paths, "rules", "rule `file` or folder (repeatable)")
	data := fs.String("data", "", "reference data `folder` (default: BASIRA_DATA or ../shared/data)")
	show := fs.Int("show", 20, "hits to list per set (0 for none)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(paths) == 0 {
		return Usagef("give the rules to evaluate with --rules FILE")
	}
	dir := *data
	if dir == "" {
		if dir = env.Getenv("BASIRA_DATA"); dir == "" {
			dir = refdata.Dir()
		}
	}
	if dir == "" {
		return fmt.Errorf("reference data not found: set BASIRA_DATA or give --data DIR (the shared/data folder)")
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
	type hit struct {
		t evalset.Text
		m rules.Match
	}
	run := func(texts []evalset.Text) (map[string][2]int, map[string]int, []hit, error) {
		perSource := map[string][2]int{} // texts, flagged
		perRule := map[string]int{}
		var hits []hit
		for i, t := range texts {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, nil, nil, err
				}
			}
			c := perSource[t.Source]
			c[0]++
			ms := set.Match(arabic.Analyze(t.Text))
			if len(ms) > 0 {
				c[1]++
				hits = append(hits, hit{t, ms[0]})
				for _, m := range ms {
					perRule[m.Rule.ID]++
				}
			}
			perSource[t.Source] = c
		}
		return perSource, perRule, hits, nil
	}
	out := env.Stdout
	bs, bRules, bHits, err := run(benign)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(out, "Benign texts (every hit is a false positive):")
	fmt.Fprintln(tw, "source\ttexts\tflagged\t")
	var total [2]int
	for _, src := range evalset.BenignSources {
		c := bs[src]
		total[0] += c[0]
		total[1] += c[1]
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", src, c[0], c[1])
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t\n", total[0], total[1])
	tw.Flush()
	printRuleCounts(out, bRules)
	ds, dRules, dHits, err := run(deleted)
	if err != nil {
		return err
	}
	d := ds["aj-deleted"]
	fmt.Fprintf(out, "\nDeleted Al Jazeera comments: %d of %d flagged (read them to judge precision)\n", d[1], d[0])
	printRuleCounts(out, dRules)
	for _, set := range []struct {
		name string
		hits []hit
	}{{"benign", bHits}, {"deleted comments", dHits}} {
		if *show <= 0 || len(set.hits) == 0 {
			continue
		}
		fmt.Fprintf(out, "\nHits on %s (first %d of %d):\n", set.name, min(*show, len(set.hits)), len(set.hits))
		for _, h := range set.hits[:min(*show, len(set.hits))] {
			fmt.Fprintf(out, "  %s  %s  [%s]  %s\n", h.t.ID, h.m.Rule.ID, oneLine(rules.Evidence(h.t.Text, h.m.Spans), 40), oneLine(h.t.Text, 100))
		}
	}
	return nil
}

func printRuleCounts(w io.Writer, counts map[string]int) {
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if counts[ids[i]] != counts[ids[j]] {
			return counts[ids[i]] > counts[ids[j]]
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		fmt.Fprintf(w, "  %-32s %d\n", id, counts[id])
	}
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
