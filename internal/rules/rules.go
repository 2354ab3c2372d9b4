// Package rules is Basira's analyst rule language: YAML files of rules that
// name terms, phrases, proximity and regular expressions, compiled into one
// automaton over the folded tokens of the arabic package, so that a post is
// scanned once whatever the number of rules.
//
// A rule fires when every condition it states holds:
//
//	any:   at least one of the terms is present
//	all:   every term is present
//	near:  every term is present within N tokens of each other
//	regex: every RE2 expression matches the folded text
//	none:  none of the terms is present (exceptions)
//	lang:  the post's language is one of these
//
// and `arabizi: exact|loose|auto` says whether Arabizi words of a post
// also meet the rule's Arabic-script words by consonant skeleton.
//
// Terms match on the same folded tokens for the rule and the post, so
// diacritics, tatweel, elongation, zero-width characters, presentation
// forms, letter variants and clitics do not hide a match. See docs/rules.md.
package rules

import (
	"fmt"
	"slices"
)

// Severities an analyst may give a rule.
const (
	Low    = "low"
	Medium = "medium"
	High   = "high"
)

// Taxonomy is the default list of labels a rule may carry (DESIGN.md,
// following the GIFCT/TCAP categories). A rule file may extend it with a
// top-level `labels:` list.
var Taxonomy = []string{
	"violent-extremist-propaganda",
	"glorification",
	"incitement",
	"recruitment",
	"instructional",
	"financing",
	"false-claim",
	// emerging-claim: a claim spreading that nobody has checked yet (a
	// case the rumour desk opens from a cluster, internal/claims/desk).
	"emerging-claim",
	"benign",
}

// Rule is one analyst rule as written in a file, with `@list` references
// and `a|b` alternatives expanded. Terms are kept as written; Compile folds
// them.
type Rule struct {
	ID          string
	Label       string
	Severity    string
	Description string
	// Any holds terms of which one must be present.
	Any []string
	// All holds groups of alternative terms; one term of every group must
	// be present. A group is one item of the `all:` list (`a|b|@list`).
	All [][]string
	// None holds exception terms, none of which may be present.
	None []string
	// Lower holds weighed exceptions: groups of alternative terms (one per
	// `lower:` item) that do not stop the rule but each lower its score by
	// LowerFactor and its severity by one level. They are for markers that
	// usually mean news or quoted scripture but cannot hide a post whose
	// own voice claims an attack, praises killers, pledges or calls to act.
	Lower [][]string
	Near  *Near
	Regex []string
	Lang  []string
	// Arabizi says whether an Arabizi word of a post may meet the rule's
	// Arabic-script words by consonant skeleton (ArabiziLoose) or only
	// through its transliteration (ArabiziExact); "" (ArabiziAuto) is
	// loose when the rule needs two words or more and exact when one word
	// can fire it. See Loose.
	Arabizi string
	// Match and NoMatch are example texts the rule must and must not fire
	// on; `basira rules check` runs them.
	Match   []string
	NoMatch []string

	// File and Line locate the rule (its `id:` line) for messages.
	File string
	Line int
}

// Near asks for every group (a term or alternatives) within Within tokens
// of each other: the distance between the first tokens of the earliest and
// the latest term is at most Within.
type Near struct {
	Terms  [][]string
	Within int
}

// Values of Rule.Arabizi, the rule language's `arabizi:` switch.
const (
	// ArabiziExact: an Arabizi word meets a rule word only through its
	// transliteration (da3ech → داعش), never by skeleton.
	ArabiziExact = "exact"
	// ArabiziLoose: an Arabizi word also meets an Arabic-script rule word
	// with the same consonant skeleton (jihad → جيهاد meets جهاد).
	ArabiziLoose = "loose"
	// ArabiziAuto, the default: loose when the rule needs two words or
	// more, exact when one word can make it fire.
	ArabiziAuto = "auto"
)

// Loose reports whether the rule's Arabic-script words are also matched
// by the consonant skeleton of Arabizi words. A skeleton is coarser than a
// word (majhoud "effort" meets مجاهد), so by default (auto) only a rule
// that needs two words or more is loose: a stray skeleton hit alone cannot
// fire it. Exceptions (`none`) are always loose: an exception that matches
// more can only flag less.
func (r *Rule) Loose() bool {
	switch r.Arabizi {
	case ArabiziLoose:
		return true
	case ArabiziExact:
		return false
	}
	need := len(r.All)
	if len(r.Any) > 0 {
		need++
	}
	if r.Near != nil {
		need += len(r.Near.Terms)
	}
	return need >= 2
}

// Pos is "file:line" of the rule, for messages.
func (r *Rule) Pos() string { return fmt.Sprintf("%s:%d", r.File, r.Line) }

// Score is the signal score of a rule with no `lower:` item present: a
// rule match is certain, so 1. Severity, not score, says how urgent it is.
func (r *Rule) Score() float64 { return 1 }

// LowerFactor is what each `lower:` item present multiplies a rule's
// score by.
const LowerFactor = 0.5

// MaxLowered is the most `lower:` items a match may have present and still
// be reported: one marker of reporting or quotation lowers a match, two
// (a report that quotes, a verse with its exegesis) mean the post speaks
// about the words rather than in their voice.
const MaxLowered = 1

// Lowered returns the score and severity of the rule when n of its
// `lower:` items are present: the score halves and the severity drops one
// level per item, down to low.
func (r *Rule) Lowered(n int) (score float64, severity string) {
	score = r.Score()
	rank := severityRank(r.Severity)
	for range n {
		score *= LowerFactor
		if rank > 0 {
			rank--
		}
	}
	if rank < 0 {
		return score, r.Severity
	}
	return score, []string{Low, Medium, High}[rank]
}

// severityRank orders severities for summaries.
func severityRank(s string) int {
	return slices.Index([]string{Low, Medium, High}, s)
}
