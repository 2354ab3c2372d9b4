package rules

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/rules/evalset"
)

// The reports of `basira rules check`, `rules test` and `rules eval`:
// what a set holds, whether its examples behave, which rules fire where.

// CheckExamples runs every rule's match: and no_match: examples against
// the whole set and returns one "file:line: …" message per example that
// misbehaves.
func (s *Set) CheckExamples() []string {
	var failed []string
	for _, r := range s.Rules() {
		for _, ex := range r.Match {
			if !s.firesOn(r.ID, ex) {
				failed = append(failed, fmt.Sprintf("%s: rule %q does not fire on its match: example %q", r.Pos(), r.ID, ex))
			}
		}
		for _, ex := range r.NoMatch {
			if s.firesOn(r.ID, ex) {
				failed = append(failed, fmt.Sprintf("%s: rule %q fires on its no_match: example %q", r.Pos(), r.ID, ex))
			}
		}
	}
	return failed
}

func (s *Set) firesOn(id, text string) bool {
	return slices.ContainsFunc(s.Match(arabic.Analyze(text)), func(m Match) bool { return m.Rule.ID == id })
}

// WriteSummary writes what the set holds: rules per file, distinct
// terms, examples, and rules per severity and label.
func (s *Set) WriteSummary(w io.Writer) {
	byFile, byLabel, bySev := map[string]int{}, map[string]int{}, map[string]int{}
	examples := 0
	var files []string
	for _, r := range s.Rules() {
		if byFile[r.File] == 0 {
			files = append(files, r.File)
		}
		byFile[r.File]++
		byLabel[r.Label]++
		bySev[r.Severity]++
		examples += len(r.Match) + len(r.NoMatch)
	}
	st := s.Stats()
	for _, f := range files {
		fmt.Fprintf(w, "%s: %d rules\n", f, byFile[f])
	}
	fmt.Fprintf(w, "total: %d rules, %d distinct terms, %d examples passed\n", st.Rules, st.Terms, examples)
	fmt.Fprintf(w, "severity: high %d, medium %d, low %d\n", bySev[High], bySev[Medium], bySev[Low])
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

// Tester runs a set over texts one by one and writes a row per rule that
// fired (with its evidence), for an analyst working on rules; Close adds
// a count per rule.
type Tester struct {
	Set *Set
	// Only, when set, keeps only this rule's hits.
	Only string
	// All also lists texts on which no rule fired.
	All bool

	w            io.Writer
	tw           *tabwriter.Writer
	counts       map[string]int
	texts, fired int
}

// Start writes the table header to w.
func (t *Tester) Start(w io.Writer) {
	t.w, t.counts = w, map[string]int{}
	t.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(t.tw, "POST\tLANG\tRULE\tLABEL\tSEVERITY\tEVIDENCE")
}

// Test matches one text; lang, when set, overrides the detected language.
func (t *Tester) Test(id, text, lang string) {
	doc := arabic.Analyze(text)
	if lang != "" {
		doc.Lang = lang
	}
	t.texts++
	ms := t.Set.Match(doc)
	if t.Only != "" {
		ms = slices.DeleteFunc(ms, func(m Match) bool { return m.Rule.ID != t.Only })
	}
	if len(ms) == 0 {
		if t.All {
			fmt.Fprintf(t.tw, "%s\t%s\t-\t-\t-\t%s\n", id, doc.Lang, oneLine(text, 60))
		}
		return
	}
	t.fired++
	for _, m := range ms {
		t.counts[m.Rule.ID]++
		fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, doc.Lang, m.Rule.ID, m.Rule.Label, m.Rule.Severity, oneLine(Evidence(text, m.Spans), 60))
	}
}

// Close writes the table and the count of texts, hits and hits per rule.
func (t *Tester) Close() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(t.w, "\n%d posts, %d with a rule hit\n", t.texts, t.fired)
	WriteCounts(t.w, t.counts)
	return nil
}

// WriteCounts writes a count per rule id, most frequent first.
func WriteCounts(w io.Writer, counts map[string]int) {
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

// WriteEvalReport writes the false positives on benign text per source,
// the flags on deleted comments, and the first show hits of each.
func WriteEvalReport(out io.Writer, b, d *EvalResult, show int) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(out, "Benign texts (every hit is a false positive):")
	fmt.Fprintln(tw, "source\ttexts\tflagged\t")
	var total [2]int
	for _, src := range evalset.BenignSources {
		c := b.PerSource[src]
		total[0] += c[0]
		total[1] += c[1]
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", src, c[0], c[1])
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t\n", total[0], total[1])
	tw.Flush()
	WriteCounts(out, b.PerRule)
	dc := d.PerSource["aj-deleted"]
	fmt.Fprintf(out, "\nDeleted Al Jazeera comments: %d of %d flagged (read them to judge precision)\n", dc[1], dc[0])
	WriteCounts(out, d.PerRule)
	for _, set := range []struct {
		name string
		hits []EvalHit
	}{{"benign", b.Hits}, {"deleted comments", d.Hits}} {
		if show <= 0 || len(set.hits) == 0 {
			continue
		}
		fmt.Fprintf(out, "\nHits on %s (first %d of %d):\n", set.name, min(show, len(set.hits)), len(set.hits))
		for _, h := range set.hits[:min(show, len(set.hits))] {
			fmt.Fprintf(out, "  %s  %s  [%s]  %s\n", h.Text.ID, h.Match.Rule.ID, oneLine(Evidence(h.Text.Text, h.Match.Spans), 40), oneLine(h.Text.Text, 100))
		}
	}
}

// oneLine flattens whitespace and cuts s to n runes for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
