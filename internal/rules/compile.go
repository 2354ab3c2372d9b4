package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/basira-org/basira/arabic"
)

// Set is a compiled rule set: every term of every rule in one trie over
// token symbols, plus an Aho-Corasick automaton over the literals of
// regex-only rules. Scanning a post walks the trie from each token and
// evaluates only the rules one of whose terms was seen, so the cost of a
// scan depends on the post and on how many rules it could match, not on
// how many rules there are. A Set is safe for concurrent use.
type Set struct {
	rules []compiled // contiguous: a candidate's conditions are one memory load away

	// words maps a word string to its symbols. A rule word as written
	// (exact) is matched by a post token's folded text or its text without
	// clitics; a rule word's clitic-stripped form (base) only by a post
	// token's clitic-stripped form, so `الدولة` in a rule matches `للدولة`
	// but `كتاب` never matches `تاب`.
	words map[string]symPair
	// skels maps the consonant skeleton of an Arabic-script rule word
	// (arabic.ConsonantSkeleton) to its symbols, with the same two roles;
	// only Arabizi post tokens are looked up here (skeleton.go).
	skels  map[string]symPair
	filter *wordFilter
	nsym   int32

	root      []int32          // symbol → trie node, -1 for none
	edges     map[uint64]int32 // node<<32 | symbol → child node, while compiling
	nodeTerms [][]int32        // node → ids of the terms ending there, while compiling
	hasKids   []bool           // while compiling
	// After compiling, flat arrays (one allocation each, no pointer to
	// chase per hit): the terms ending at node n are endTerms[endOff[n]:
	// endOff[n+1]], and the rules term t triggers are trigRules[trigOff[t]:
	// trigOff[t+1]].
	endOff, endTerms   []int32
	trigOff, trigRules []int32
	nodes              int
	// After compiling, the children of node n are kidSym/kidNode[kidOff[n]:
	// kidOff[n+1]], sorted by symbol: a few entries, scanned faster than a
	// map is hashed.
	kidOff  []int32
	kidSym  []int32
	kidNode []int32

	terms    []string  // term id → folded key (for messages)
	triggers [][]int32 // term id → rules that become candidates on a hit

	// Regex-only rules are prefiltered by the literals their expressions
	// require. A literal that is one word of one script is looked for in
	// doc.Folded, which every post already has (wordLits); others need the
	// regex text, built per post (lits).
	lits         *byteAC
	litRules     [][]int32 // literal id → regex-only rules
	wordLits     *byteAC
	wordLitRules [][]int32
	always       []int32 // regex-only rules without a literal: run on every post

	warnings []string

	pool sync.Pool
}

// compiled is a rule with its terms as term ids. The fields eval reads
// first come first.
type compiled struct {
	lang      []string
	rule      *Rule
	any, none []int32
	all, near [][]int32 // groups of alternative terms
	lower     [][]int32 // weighed exceptions
	within    int
	regex     []*regexp.Regexp
}

// Compile builds a Set from rules (as returned by Parse or LoadPaths).
func Compile(rules []*Rule) (*Set, error) {
	s := &Set{
		words:  map[string]symPair{},
		skels:  map[string]symPair{},
		filter: new(wordFilter),
		edges:  map[uint64]int32{},
	}
	s.newNode() // node 0 is the root: insert starts there; the words of a term start at s.root
	termIDs := map[string]int32{}
	rawIDs := map[string]int32{} // term as written → id, to tokenize each once
	// A term of a rule with `arabizi: exact` whose words have skeletons is
	// a term of its own, put in the trie without its skeleton paths, so a
	// skeleton-only hit never reaches that rule; other terms are shared.
	// Rules that are loose pay nothing more, and a post without Arabizi
	// words at most one more hit per such shared term.
	addTerm := func(t string, loose bool) (int32, error) {
		raw := t
		if !loose {
			raw = "\x00" + t
		}
		if id, ok := rawIDs[raw]; ok {
			return id, nil
		}
		toks := arabic.Tokenize(t)
		if len(toks) == 0 || len(toks) > MaxPhraseTokens {
			return 0, fmt.Errorf("term %q %s", t, checkTerm(t))
		}
		key := termKey(toks)
		if !loose && hasSkeleton(toks) {
			key += "\x00exact"
		}
		if id, ok := termIDs[key]; ok {
			rawIDs[raw] = id
			return id, nil
		}
		id := int32(len(s.terms))
		rawIDs[raw] = id
		termIDs[key] = id
		s.terms = append(s.terms, key)
		s.triggers = append(s.triggers, nil)
		s.insert(toks, id, loose)
		return id, nil
	}
	// inList[id] is the number of the addTerms call that last put term id
	// in its list: duplicates are dropped in constant time, so a list of
	// n terms costs O(n), not O(n²) (issue 15 item 11).
	var inList []int32
	calls := int32(0)
	addTerms := func(r *Rule, ts []string, loose bool) ([]int32, error) {
		calls++
		var ids []int32
		for _, t := range ts {
			id, err := addTerm(t, loose)
			if err != nil {
				return nil, fmt.Errorf("%s: rule %q: %w", r.Pos(), r.ID, err)
			}
			for int(id) >= len(inList) {
				inList = append(inList, 0)
			}
			if inList[id] != calls {
				inList[id] = calls
				ids = append(ids, id)
			}
		}
		return ids, nil
	}
	var litList, wordList []string
	litIDs, wordIDs := map[string]int32{}, map[string]int32{}
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.ID] {
			return nil, fmt.Errorf("%s: duplicate rule id %q", r.Pos(), r.ID)
		}
		seen[r.ID] = true
		c := &compiled{rule: r, lang: r.Lang}
		loose := r.Loose()
		var err error
		if c.any, err = addTerms(r, r.Any, loose); err != nil {
			return nil, err
		}
		for _, g := range r.All {
			ids, err := addTerms(r, g, loose)
			if err != nil {
				return nil, err
			}
			c.all = append(c.all, ids)
		}
		// Exceptions are always loose: one that matches more only flags less.
		if c.none, err = addTerms(r, r.None, true); err != nil {
			return nil, err
		}
		for _, g := range r.Lower {
			ids, err := addTerms(r, g, true)
			if err != nil {
				return nil, err
			}
			c.lower = append(c.lower, ids)
		}
		if r.Near != nil {
			for _, g := range r.Near.Terms {
				ids, err := addTerms(r, g, loose)
				if err != nil {
					return nil, err
				}
				c.near = append(c.near, ids)
			}
			c.within = r.Near.Within
		}
		for _, re := range r.Regex {
			x, err := compileRegex(re)
			if err != nil {
				return nil, fmt.Errorf("%s: rule %q: regex %q: %w", r.Pos(), r.ID, re, err)
			}
			c.regex = append(c.regex, x)
		}
		if len(c.any)+len(c.all)+len(c.near) == 0 && len(c.regex) == 0 {
			return nil, fmt.Errorf("%s: rule %q states nothing to look for", r.Pos(), r.ID)
		}
		if msg := s.neverFires(c); msg != "" {
			s.warnings = append(s.warnings, fmt.Sprintf("%s: rule %q can never fire: %s", r.Pos(), r.ID, msg))
		}
		idx := int32(len(s.rules))
		s.rules = append(s.rules, *c)
		if len(c.any)+len(c.all)+len(c.near) > 0 {
			continue // term triggers are chosen below, once fan-out is known
		}
		// Regex-only rule: prefilter on a literal of the most selective
		// expression, or run always.
		var best []string
		for _, re := range r.Regex {
			lits, _ := requiredLiterals(re)
			if len(lits) > 0 && score(lits) > score(best) {
				best = lits
			}
		}
		if best == nil {
			s.always = append(s.always, idx)
			continue
		}
		list, ids, rules := &litList, litIDs, &s.litRules
		if allWords(best) {
			list, ids, rules = &wordList, wordIDs, &s.wordLitRules
		}
		for _, l := range best {
			id, ok := ids[l]
			if !ok {
				id = int32(len(*list))
				ids[l] = id
				*list = append(*list, l)
				*rules = append(*rules, nil)
			}
			(*rules)[id] = append((*rules)[id], idx)
		}
	}
	s.chooseTriggers()
	s.freezeEdges()
	s.endOff, s.endTerms = flatten(s.nodeTerms)
	s.trigOff, s.trigRules = flatten(s.triggers)
	s.nodes = len(s.nodeTerms)
	s.nodeTerms, s.hasKids, s.triggers = nil, nil, nil
	if len(litList) > 0 {
		s.lits = newByteAC(litList)
	}
	if len(wordList) > 0 {
		s.wordLits = newByteAC(wordList)
	}
	s.pool.New = func() any { return s.newScratch() }
	return s, nil
}

// neverFires says why a rule cannot fire because its exceptions cover a
// condition it needs, or "". Terms are compared by their folded words:
// an `arabizi: exact` term and the same (always loose) exception are the
// same words.
func (s *Set) neverFires(c *compiled) string {
	if len(c.none) == 0 {
		return ""
	}
	words := func(t int32) string { return strings.TrimSuffix(s.terms[t], "\x00exact") }
	// A set of the exceptions' words: a lookup per term, not a scan of
	// the exceptions (linear in the lists, issue 15 item 11).
	none := make(map[string]bool, len(c.none))
	for _, n := range c.none {
		none[words(n)] = true
	}
	covered := func(g []int32) bool {
		for _, t := range g {
			if !none[words(t)] {
				return false
			}
		}
		return len(g) > 0
	}
	switch {
	case covered(c.any):
		return "every `any` term is also in `none`"
	case slices.ContainsFunc(c.all, covered):
		return "an `all` item has only terms that are also in `none`"
	case slices.ContainsFunc(c.near, covered):
		return "a `near` item has only terms that are also in `none`"
	}
	return ""
}

// Warnings are problems found while compiling that do not stop the set
// from working, such as a rule that can never fire. `basira rules check`
// prints them.
func (s *Set) Warnings() []string { return s.warnings }

// allWords reports whether every literal is one word of letters of one
// script (Latin or Arabic), so that wherever it occurs in the regex text it
// also occurs inside a token of doc.Folded, and the prefilter can search
// the folded text every post already has.
func allWords(lits []string) bool {
	for _, l := range lits {
		latin, arab := 0, 0
		for _, r := range l {
			switch {
			case r >= 'a' && r <= 'z':
				latin++
			case r >= 0x0621 && r <= 0x064A:
				arab++
			default:
				return false
			}
		}
		if latin > 0 && arab > 0 {
			return false
		}
	}
	return true
}

// termKey is the identity of a term: its folded words.
func termKey(toks []arabic.Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

// chooseTriggers decides which term hits make each rule a candidate. A rule
// with `all` or `near` groups needs one term of each group, so one group is
// enough: the one whose terms trigger the fewest other rules. A rule with
// only `any` terms is triggered by each of them.
func (s *Set) chooseTriggers() {
	fanout := make([]int, len(s.terms))
	for i := range s.rules {
		c := &s.rules[i]
		req := slices.Concat(c.all, c.near)
		for _, g := range req {
			for _, t := range g {
				fanout[t]++
			}
		}
		if len(req) == 0 {
			for _, t := range c.any {
				fanout[t]++
			}
		}
	}
	cost := func(g []int32) int {
		n := 0
		for _, t := range g {
			n += fanout[t]
		}
		return n
	}
	for i := range s.rules {
		c := &s.rules[i]
		req := slices.Concat(c.all, c.near)
		trig := c.any
		if len(req) > 0 {
			trig = req[0]
			for _, g := range req[1:] {
				if cost(g) < cost(trig) {
					trig = g
				}
			}
		}
		for _, t := range trig {
			// Rules come in order: rule i is in the list only as its last
			// entry (a constant-time check where Contains was linear).
			if tr := s.triggers[t]; len(tr) == 0 || tr[len(tr)-1] != int32(i) {
				s.triggers[t] = append(tr, int32(i))
			}
		}
	}
}

// freezeEdges turns the edge map into per-node sorted child arrays.
func (s *Set) freezeEdges() {
	type edge struct{ node, sym, child int32 }
	es := make([]edge, 0, len(s.edges))
	for k, child := range s.edges {
		es = append(es, edge{int32(k >> 32), int32(uint32(k)), child})
	}
	slices.SortFunc(es, func(a, b edge) int {
		if a.node != b.node {
			return int(a.node - b.node)
		}
		return int(a.sym - b.sym)
	})
	s.kidOff = make([]int32, len(s.nodeTerms)+1)
	s.kidSym = make([]int32, len(es))
	s.kidNode = make([]int32, len(es))
	for i, e := range es {
		s.kidOff[e.node+1]++
		s.kidSym[i] = e.sym
		s.kidNode[i] = e.child
	}
	for n := 1; n < len(s.kidOff); n++ {
		s.kidOff[n] += s.kidOff[n-1]
	}
	s.edges = nil
}

// flatten packs a slice of slices into offsets and one array.
func flatten(lists [][]int32) (off, flat []int32) {
	off = make([]int32, len(lists)+1)
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	flat = make([]int32, 0, n)
	for i, l := range lists {
		flat = append(flat, l...)
		off[i+1] = int32(len(flat))
	}
	return off, flat
}

// child returns the child of node for symbol sym, or -1.
func (s *Set) child(node, sym int32) int32 {
	lo, hi := s.kidOff[node], s.kidOff[node+1]
	if hi-lo <= 8 {
		for i := lo; i < hi; i++ {
			if s.kidSym[i] == sym {
				return s.kidNode[i]
			}
		}
		return -1
	}
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		switch {
		case s.kidSym[m] == sym:
			return s.kidNode[m]
		case s.kidSym[m] < sym:
			lo = m + 1
		default:
			hi = m
		}
	}
	return -1
}

func (s *Set) newNode() int32 {
	s.nodeTerms = append(s.nodeTerms, nil)
	s.hasKids = append(s.hasKids, false)
	return int32(len(s.nodeTerms) - 1)
}

// symbol returns the symbol of form f in its role, creating it.
func (s *Set) symbol(f form) int32 {
	m, w, base := s.words, f.text, f.base
	if f.skel {
		m = s.skels
	}
	p, ok := m[w]
	if !ok {
		p = symPair{exact: -1, base: -1}
		s.filter.add(w)
	}
	id := &p.exact
	if base {
		id = &p.base
	}
	if *id < 0 {
		*id = s.nsym
		s.nsym++
		s.root = append(s.root, -1)
	}
	m[w] = p
	return *id
}

// maxPaths caps the trie paths of one term (the product of the forms of
// its words), so that a long phrase cannot blow up the trie.
const maxPaths = 64

// insert adds every path of a term's token alternatives to the trie.
func (s *Set) insert(toks []arabic.Token, term int32, loose bool) {
	alts := make([][]int32, len(toks))
	paths := 1
	for i := range toks {
		forms := termForms(&toks[i], loose)
		if paths*len(forms) > maxPaths {
			// Every form of every word multiplies the paths of a phrase;
			// past the cap, later words match only as written.
			forms = forms[:1]
		}
		for _, f := range forms {
			sym := s.symbol(f)
			if !slices.Contains(alts[i], sym) {
				alts[i] = append(alts[i], sym)
			}
		}
		paths *= len(alts[i])
	}
	var walk func(node int32, i int)
	walk = func(node int32, i int) {
		if i == len(alts) {
			if !slices.Contains(s.nodeTerms[node], term) {
				s.nodeTerms[node] = append(s.nodeTerms[node], term)
			}
			return
		}
		for _, sym := range alts[i] {
			var child int32
			if i == 0 {
				child = s.root[sym]
				if child < 0 {
					child = s.newNode()
					s.root[sym] = child
				}
			} else {
				key := uint64(node)<<32 | uint64(sym)
				var ok bool
				if child, ok = s.edges[key]; !ok {
					child = s.newNode()
					s.edges[key] = child
					s.hasKids[node] = true
				}
			}
			walk(child, i+1)
		}
	}
	walk(0, 0)
}

// Len is the number of rules in the set.
func (s *Set) Len() int { return len(s.rules) }

// Rules returns the rules of the set in order.
func (s *Set) Rules() []*Rule {
	out := make([]*Rule, len(s.rules))
	for i, c := range s.rules {
		out[i] = c.rule
	}
	return out
}

// Stats describes the size of a compiled set.
type Stats struct {
	Rules, Terms, Symbols, Nodes int
	// RegexLiterals is the number of literals prefiltering regex-only
	// rules; AlwaysRun the regex-only rules that run on every post.
	RegexLiterals, AlwaysRun int
}

// Stats returns the size of the compiled set.
func (s *Set) Stats() Stats {
	return Stats{
		Rules: len(s.rules), Terms: len(s.terms), Symbols: int(s.nsym), Nodes: s.nodes,
		RegexLiterals: len(s.litRules) + len(s.wordLitRules), AlwaysRun: len(s.always),
	}
}
