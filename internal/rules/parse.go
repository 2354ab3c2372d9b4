package rules

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/basira-org/basira/arabic"
	"go.yaml.in/yaml/v3"
)

// Limits on what a rule file may hold. They keep a broken or hostile file
// from exhausting memory; real rule packs are far below them.
const (
	// MaxFileBytes is the largest rule file Parse reads.
	MaxFileBytes = 8 << 20
	// MaxPhraseTokens is the most tokens one term may fold to.
	MaxPhraseTokens = 8
	// MaxWithin is the largest `near.within`.
	MaxWithin = 100
	// MaxRegexBytes is the longest regular expression.
	MaxRegexBytes = 2000
	// MaxExpandedTerms caps the terms of a file once `@list` references
	// are expanded, so that a small file cannot expand to billions.
	MaxExpandedTerms = 1_000_000
)

// Error is one problem in a rule file, at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrorList is every problem found in one or more rule files, in file and
// line order. Parse reports them all at once so an analyst can fix a file
// in one pass.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// File is a parsed rule file.
type File struct {
	Name        string
	Description string
	// Labels are the file's additions to Taxonomy.
	Labels []string
	// Lists are named term lists that rules use as `@name`.
	Lists map[string][]string
	// Arabizi is the file's `defaults: {arabizi: …}`, given to every rule
	// of the file without its own `arabizi:` ("" when not set).
	Arabizi string
	Rules   []*Rule
	// Warnings are problems that do not stop the file from loading, such
	// as a regex-only rule without a literal to prefilter on.
	Warnings []*Error
}

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	labelPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	langPattern  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z][a-z]{3})?$`)
	yamlLine     = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// parser collects the problems of one file.
type parser struct {
	name     string
	pre      map[string][]string // predeclared lists (Options.Lists)
	errs     ErrorList
	warn     []*Error
	expanded int // terms produced by @list references so far
}

// maxErrors is the most problems reported for one file.
const maxErrors = 100

func (p *parser) errorf(n *yaml.Node, format string, a ...any) {
	if len(p.errs) > maxErrors {
		return
	}
	if len(p.errs) == maxErrors {
		p.errs = append(p.errs, &Error{File: p.name, Msg: fmt.Sprintf("more than %d problems; fix these first", maxErrors)})
		return
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.name, Line: line, Msg: fmt.Sprintf(format, a...)})
}

// Parse reads one rule file. name is used in messages. On problems it
// returns an ErrorList with every problem found.
func Parse(name string, data []byte) (*File, error) {
	return ParseWith(name, data, Options{})
}

// Options are what a caller gives every rule file beyond its own text.
type Options struct {
	// Lists are predeclared named lists, usable as `@name` in every file
	// (Basira's designated-entity lists, internal/entities). A file may
	// not define a list of the same name.
	Lists map[string][]string
	// Packs are rule files carried by the binary (Basira's default
	// jihadist pack), loaded before the files named by path.
	Packs []Pack
}

// Pack is a rule file given as bytes. Its rules' File is Name, which
// should say where it comes from ("builtin:rules/jihadist.yaml").
type Pack struct {
	Name string
	Data []byte
}

// BuiltinPrefix starts the name of every pack carried by the binary.
const BuiltinPrefix = "builtin:"

// ParseWith is Parse with predeclared lists.
func ParseWith(name string, data []byte, opt Options) (*File, error) {
	if len(data) > MaxFileBytes {
		return nil, ErrorList{{File: name, Msg: fmt.Sprintf("rule file is %d bytes, more than the limit of %d MiB; split it into several files in one folder", len(data), MaxFileBytes>>20)}}
	}
	p := &parser{name: name, pre: opt.Lists}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		if strings.Contains(msg, "cannot start any") {
			msg += ` (quote values that start with @ or a backquote, e.g. "@news")`
		}
		return nil, ErrorList{{File: name, Line: line, Msg: "not valid YAML: " + msg}}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, ErrorList{{File: name, Line: 1, Msg: "the file is empty; a rule file is a mapping with a `rules:` list"}}
	}
	if hasAlias(&root) {
		return nil, ErrorList{{File: name, Line: 1, Msg: "YAML anchors and aliases (& and *) are not allowed in rule files; write each rule out"}}
	}
	f := p.file(root.Content[0])
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int { return a.Line - b.Line })
		return nil, p.errs
	}
	f.Warnings = p.warn
	return f, nil
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

func (p *parser) file(n *yaml.Node) *File {
	f := &File{Name: p.name}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "a rule file is a mapping with a `rules:` list, not a %s", kindName(n))
		return f
	}
	var rulesNode *yaml.Node
	for k, v := range pairs(n) {
		switch k.Value {
		case "rules":
			rulesNode = v
		case "defaults":
			f.Arabizi = p.defaults(v)
		case "lists":
			f.Lists = p.lists(v)
		case "labels":
			f.Labels = p.strings(k, v, false)
			for _, l := range f.Labels {
				if !labelPattern.MatchString(l) {
					p.errorf(v, "label %q: use lower-case letters, digits and dashes", l)
				}
			}
		case "description":
			f.Description = p.scalar(k, v)
		default:
			p.errorf(k, "unknown key %q at the top of a rule file; expected rules, lists, labels, defaults or description", k.Value)
		}
	}
	if rulesNode == nil {
		p.errorf(n, "no `rules:` list in the file")
		return f
	}
	if rulesNode.Kind != yaml.SequenceNode {
		p.errorf(rulesNode, "`rules:` must be a list of rules (each item starting with `- id:`), not a %s", kindName(rulesNode))
		return f
	}
	if len(rulesNode.Content) == 0 {
		p.errorf(rulesNode, "`rules:` is empty")
	}
	labels := slices.Concat(Taxonomy, f.Labels)
	lists := f.Lists
	if len(p.pre) > 0 {
		lists = make(map[string][]string, len(p.pre)+len(f.Lists))
		maps.Copy(lists, p.pre)
		maps.Copy(lists, f.Lists)
	}
	seen := map[string]int{}
	for _, rn := range rulesNode.Content {
		r := p.rule(rn, labels, lists)
		if r == nil {
			continue
		}
		if r.Arabizi == "" {
			r.Arabizi = f.Arabizi
		}
		if prev, dup := seen[r.ID]; dup {
			p.errorf(rn, "duplicate rule id %q (first defined at line %d); ids must be unique", r.ID, prev)
			continue
		}
		seen[r.ID] = r.Line
		f.Rules = append(f.Rules, r)
	}
	return f
}

// defaults reads the top-level `defaults:` mapping: settings given to
// every rule of the file that does not state its own. Only `arabizi` is
// one so far.
func (p *parser) defaults(v *yaml.Node) string {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "defaults: expected a mapping such as {arabizi: exact}, not a %s", kindName(v))
		return ""
	}
	mode := ""
	for k, vv := range pairs(v) {
		switch k.Value {
		case "arabizi":
			mode = p.arabizi(k, vv)
		default:
			p.errorf(k, "unknown key %q in defaults; expected arabizi", k.Value)
		}
	}
	return mode
}

// arabizi reads an `arabizi:` value: exact, loose or auto.
func (p *parser) arabizi(k, v *yaml.Node) string {
	s := p.scalar(k, v)
	switch s {
	case "":
		return ""
	case ArabiziExact, ArabiziLoose, ArabiziAuto:
		return s
	}
	p.errorf(v, "arabizi %q must be exact (Arabizi words match only through their transliteration), loose (also by consonant skeleton) or auto (loose when the rule needs two words or more)", s)
	return ""
}

// pairs yields the key and value nodes of a mapping.
func pairs(n *yaml.Node) func(func(k, v *yaml.Node) bool) {
	return func(yield func(k, v *yaml.Node) bool) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i], n.Content[i+1]) {
				return
			}
		}
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return fmt.Sprintf("single value (%q)", n.Value)
	}
	return "YAML node"
}

func (p *parser) scalar(k, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errorf(v, "%s: expected a single value, not a %s", k.Value, kindName(v))
		return ""
	}
	return v.Value
}

// items returns the scalar nodes of a list; a single value counts as a
// list of one. Items that are not single values are reported and skipped.
func (p *parser) items(k, v *yaml.Node) []*yaml.Node {
	var items []*yaml.Node
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag != "!!null":
		items = []*yaml.Node{v}
	case v.Kind == yaml.SequenceNode:
		items = v.Content
	default:
		p.errorf(v, "%s: expected a list of strings, not a %s", k.Value, kindName(v))
		return nil
	}
	if len(items) == 0 {
		p.errorf(v, "%s: the list is empty; remove the key or add a value", k.Value)
		return nil
	}
	out := make([]*yaml.Node, 0, len(items))
	for _, it := range items {
		if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
			p.errorf(it, "%s: each item must be a single string, not a %s", k.Value, kindName(it))
			continue
		}
		out = append(out, it)
	}
	return out
}

// strings reads a list of strings; terms are checked to fold to words.
func (p *parser) strings(k, v *yaml.Node, terms bool) []string {
	var out []string
	for _, it := range p.items(k, v) {
		if terms {
			if msg := checkTerm(it.Value); msg != "" {
				p.errorf(it, "%s: term %q %s", k.Value, it.Value, msg)
				continue
			}
		}
		out = append(out, it.Value)
	}
	return out
}

var listName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// lists reads the top-level `lists:` mapping of named term lists.
func (p *parser) lists(v *yaml.Node) map[string][]string {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "lists: expected a mapping of names to term lists, not a %s", kindName(v))
		return nil
	}
	out := map[string][]string{}
	for k, lv := range pairs(v) {
		if !listName.MatchString(k.Value) {
			p.errorf(k, "list name %q: use lower-case letters, digits, dashes and underscores", k.Value)
			continue
		}
		if _, dup := out[k.Value]; dup {
			p.errorf(k, "list %q is defined twice", k.Value)
			continue
		}
		if _, pre := p.pre[k.Value]; pre {
			p.errorf(k, "list %q is predeclared by Basira (designated entities, docs/entities.md); use it as \"@%s\" or give yours another name", k.Value, k.Value)
			continue
		}
		terms := p.strings(k, lv, true)
		for _, t := range terms {
			if strings.Contains(t, "|") || strings.HasPrefix(t, "@") {
				p.errorf(lv, "list %q: term %q: a list holds plain terms (no | or @)", k.Value, t)
			}
		}
		out[k.Value] = terms
	}
	return out
}

// groups reads a list of items, each a term, alternatives `a|b`, or a
// named list `@name` (alternatives may mix both), and returns one group of
// alternative terms per item.
func (p *parser) groups(k, v *yaml.Node, lists map[string][]string) [][]string {
	var out [][]string
	for _, node := range p.items(k, v) {
		it := node.Value
		var g []string
		for alt := range strings.SplitSeq(it, "|") {
			alt = strings.TrimSpace(alt)
			switch {
			case alt == "":
				p.errorf(node, "%s: %q has an empty alternative; write terms separated by |", k.Value, it)
			case strings.HasPrefix(alt, "@"):
				l, ok := lists[alt[1:]]
				if !ok {
					p.errorf(node, "%s: unknown list %q; define it under the top-level `lists:`", k.Value, alt)
				}
				p.expanded += len(l)
				if p.expanded > MaxExpandedTerms {
					p.errorf(node, "@list references expand to more than %d terms in this file; use fewer or shorter lists, or split the file", MaxExpandedTerms)
					return out
				}
				g = append(g, l...)
			default:
				if msg := checkTerm(alt); msg != "" {
					p.errorf(node, "%s: term %q %s", k.Value, alt, msg)
					continue
				}
				g = append(g, alt)
			}
		}
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// checkTerm says what is wrong with a term, or "".
func checkTerm(t string) string {
	n := len(arabic.Tokenize(t))
	switch {
	case n == 0:
		return "has no letters or digits once folded; write a word or phrase"
	case n > MaxPhraseTokens:
		return fmt.Sprintf("is %d words long; a term may have at most %d (use `all:` or `near:` for words further apart)", n, MaxPhraseTokens)
	}
	return ""
}

var ruleKeys = []string{"id", "label", "severity", "description", "any", "all", "none", "lower", "near", "regex", "lang", "arabizi", "match", "no_match"}

func (p *parser) rule(n *yaml.Node, labels []string, lists map[string][]string) *Rule {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "each rule is a mapping starting with `- id:`, not a %s", kindName(n))
		return nil
	}
	r := &Rule{File: p.name, Line: n.Line}
	before := len(p.errs)
	var idNode, labelNode, sevNode *yaml.Node
	seen := map[string]bool{}
	for k, v := range pairs(n) {
		if seen[k.Value] {
			p.errorf(k, "key %q appears twice in this rule", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "id":
			idNode = v
			r.ID = p.scalar(k, v)
			r.Line = k.Line
		case "label":
			labelNode = v
			r.Label = p.scalar(k, v)
		case "severity":
			sevNode = v
			r.Severity = p.scalar(k, v)
		case "description":
			r.Description = p.scalar(k, v)
		case "any":
			r.Any = slices.Concat(p.groups(k, v, lists)...)
		case "all":
			r.All = p.groups(k, v, lists)
		case "none":
			r.None = slices.Concat(p.groups(k, v, lists)...)
		case "lower":
			r.Lower = p.groups(k, v, lists)
		case "near":
			r.Near = p.near(v, lists)
		case "regex":
			for _, it := range p.items(k, v) {
				if msg := checkRegex(it.Value); msg != "" {
					p.errorf(it, "regex %q: %s", it.Value, msg)
					continue
				}
				r.Regex = append(r.Regex, it.Value)
			}
		case "lang":
			r.Lang = p.strings(k, v, false)
			for _, l := range r.Lang {
				if !langPattern.MatchString(l) {
					p.errorf(v, "lang %q: use a language tag such as ar, ary, ary-Latn, fr or en", l)
				}
			}
		case "arabizi":
			r.Arabizi = p.arabizi(k, v)
		case "match":
			r.Match = p.strings(k, v, false)
		case "no_match":
			r.NoMatch = p.strings(k, v, false)
		default:
			p.errorf(k, "unknown key %q in a rule; a rule may have %s", k.Value, strings.Join(ruleKeys, ", "))
		}
	}
	where := "this rule"
	if r.ID != "" {
		where = fmt.Sprintf("rule %q", r.ID)
	}
	switch {
	case idNode == nil:
		p.errorf(n, "rule without an `id:`; give every rule a unique id")
	case r.ID != "" && !idPattern.MatchString(r.ID):
		p.errorf(idNode, "rule id %q: use letters, digits, dots, dashes and underscores (at most 128)", r.ID)
	}
	switch {
	case labelNode == nil:
		p.errorf(n, "%s has no `label:`; use one of %s (or add yours to a top-level `labels:` list)", where, strings.Join(labels, ", "))
	case r.Label != "" && !slices.Contains(labels, r.Label):
		p.errorf(labelNode, "%s: unknown label %q; use one of %s (or add it to a top-level `labels:` list)", where, r.Label, strings.Join(labels, ", "))
	}
	switch {
	case sevNode == nil:
		p.errorf(n, "%s has no `severity:`; use low, medium or high", where)
	case r.Severity != "" && severityRank(r.Severity) < 0:
		p.errorf(sevNode, "%s: severity %q must be low, medium or high", where, r.Severity)
	}
	if !seen["any"] && !seen["all"] && !seen["near"] && !seen["regex"] {
		p.errorf(n, "%s states nothing to look for; give it at least one of any, all, near or regex", where)
	}
	if len(p.errs) > before {
		return nil
	}
	if len(r.Regex) > 0 && len(r.Any)+len(r.All) == 0 && r.Near == nil {
		for _, re := range r.Regex {
			if lits, _ := requiredLiterals(re); len(lits) > 0 {
				return r
			}
		}
		p.warn = append(p.warn, &Error{File: p.name, Line: r.Line, Msg: fmt.Sprintf("rule %q: no regex has a literal word to look for first, so it runs on every post; add an `any:` term or a literal to make it cheaper", r.ID)})
	}
	return r
}

func (p *parser) near(v *yaml.Node, lists map[string][]string) *Near {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "near: expected a mapping {terms: [...], within: N}, not a %s", kindName(v))
		return nil
	}
	nr := &Near{}
	hasWithin := false
	for kk, vv := range pairs(v) {
		switch kk.Value {
		case "terms":
			nr.Terms = p.groups(kk, vv, lists)
		case "within":
			s := p.scalar(kk, vv)
			if s == "" {
				continue
			}
			hasWithin = true
			w, err := strconv.Atoi(s)
			if err != nil || w < 1 || w > MaxWithin {
				p.errorf(vv, "near.within %q must be a whole number of tokens from 1 to %d", s, MaxWithin)
				continue
			}
			nr.Within = w
		default:
			p.errorf(kk, "unknown key %q in near; expected terms and within", kk.Value)
		}
	}
	if len(nr.Terms) < 2 {
		p.errorf(v, "near needs at least two terms (for one term use `any:`)")
	}
	if !hasWithin {
		p.errorf(v, "near needs `within: N`, the most tokens between the terms")
	}
	return nr
}

// checkRegex says what is wrong with a regular expression, or "".
func checkRegex(re string) string {
	if len(re) > MaxRegexBytes {
		return fmt.Sprintf("is %d bytes long; the limit is %d", len(re), MaxRegexBytes)
	}
	if _, err := compileRegex(re); err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return fmt.Sprintf("is not valid RE2 syntax: %s %q", se.Code, se.Expr)
		}
		return err.Error()
	}
	return ""
}

// LoadPaths reads rule files and folders (every *.yaml and *.yml in a
// folder, in name order) and returns their rules and warnings. Rule ids
// must be unique across all files. Problems in every file are reported
// together as an ErrorList.
func LoadPaths(paths []string) ([]*Rule, []*Error, error) {
	return LoadPathsWith(paths, Options{})
}

// LoadPathsWith is LoadPaths with predeclared lists.
func LoadPathsWith(paths []string, opt Options) ([]*Rule, []*Error, error) {
	var files []string
	var errs ErrorList
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: "cannot read rule file: " + strings.TrimPrefix(err.Error(), "stat "+p+": ")})
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var inDir []string
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(p, pat))
			inDir = append(inDir, m...)
		}
		if len(inDir) == 0 {
			errs = append(errs, &Error{File: p, Msg: "folder has no *.yaml or *.yml rule files"})
		}
		slices.Sort(inDir)
		files = append(files, inDir...)
	}
	var all []*Rule
	var warns []*Error
	byID := map[string]*Rule{}
	sources := make([]Pack, 0, len(opt.Packs)+len(files))
	sources = append(sources, opt.Packs...)
	for _, name := range files {
		sources = append(sources, Pack{Name: name})
	}
	for _, src := range sources {
		name, data := src.Name, src.Data
		if data == nil {
			var err error
			if data, err = readLimited(name); err != nil {
				errs = append(errs, &Error{File: name, Msg: err.Error()})
				continue
			}
		}
		f, err := ParseWith(name, data, opt)
		if err != nil {
			var el ErrorList
			if errors.As(err, &el) {
				errs = append(errs, el...)
			} else {
				errs = append(errs, &Error{File: name, Msg: err.Error()})
			}
			continue
		}
		warns = append(warns, f.Warnings...)
		for _, r := range f.Rules {
			if prev, dup := byID[r.ID]; dup {
				errs = append(errs, &Error{File: r.File, Line: r.Line, Msg: fmt.Sprintf("duplicate rule id %q (first defined at %s); ids must be unique across files", r.ID, prev.Pos())})
				continue
			}
			byID[r.ID] = r
			all = append(all, r)
		}
	}
	if len(errs) > 0 {
		return nil, warns, errs
	}
	return all, warns, nil
}

// readLimited reads a file, refusing one larger than MaxFileBytes before
// reading it whole.
func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read rule file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("rule file is %d bytes, more than the limit of %d MiB; split it into several files in one folder", st.Size(), MaxFileBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read rule file: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("rule file is more than the limit of %d MiB; split it into several files in one folder", MaxFileBytes>>20)
	}
	return data, nil
}
