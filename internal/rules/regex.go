package rules

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"

	"github.com/basira-org/basira/arabic"
)

// minLiteralBytes is the shortest required literal worth prefiltering on:
// one Arabic letter (two bytes) would select nearly every post.
const minLiteralBytes = 3

// maxLiteralAlternatives caps the literals kept for one regex.
const maxLiteralAlternatives = 64

// parseRegex parses an analyst's RE2 expression and folds its literal
// letters the way post text is folded (diacritics, hamza forms, case,
// elongation), so `إرهاب` in a rule matches `ارهاب` in the folded text.
func parseRegex(re string) (*syntax.Regexp, error) {
	r, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil, err
	}
	foldLiterals(r)
	return r, nil
}

func foldLiterals(r *syntax.Regexp) {
	if r.Op == syntax.OpLiteral {
		r.Rune = []rune(foldLiteral(string(r.Rune)))
		if len(r.Rune) == 0 {
			r.Op = syntax.OpEmptyMatch
		}
	}
	for _, s := range r.Sub {
		foldLiterals(s)
	}
}

// foldLiteral folds each run of word characters of s and keeps the rest
// (spaces, punctuation) as written.
func foldLiteral(s string) string {
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start >= 0 {
			b.WriteString(arabic.Fold(s[start:end]))
			start = -1
		}
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == 0x0640 {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(s))
	return b.String()
}

// compileRegex compiles an analyst's expression with folded literals.
func compileRegex(re string) (*regexp.Regexp, error) {
	r, err := parseRegex(re)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(r.String())
}

// requiredLiterals returns strings of which at least one occurs in every
// text the expression matches (after folding), or nil when there is no
// such set worth using.
func requiredLiterals(re string) ([]string, error) {
	r, err := parseRegex(re)
	if err != nil {
		return nil, err
	}
	lits, ok := required(r.Simplify())
	if !ok {
		return nil, nil
	}
	for _, l := range lits {
		if len(l) < minLiteralBytes {
			return nil, nil
		}
	}
	return lits, nil
}

// required computes a set of alternatives one of which must occur.
func required(r *syntax.Regexp) ([]string, bool) {
	switch r.Op {
	case syntax.OpLiteral:
		s := string(r.Rune)
		if r.Flags&syntax.FoldCase != 0 {
			// Folded text is lower case.
			s = strings.ToLower(s)
		}
		return []string{s}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(r.Sub[0])
	case syntax.OpRepeat:
		if r.Min >= 1 {
			return required(r.Sub[0])
		}
	case syntax.OpConcat:
		var best []string
		consider := func(set []string) {
			if len(set) > 0 && score(set) > score(best) {
				best = set
			}
		}
		var run strings.Builder
		for _, s := range r.Sub {
			if s.Op == syntax.OpLiteral && s.Flags&syntax.FoldCase == 0 {
				run.WriteString(string(s.Rune))
				continue
			}
			if run.Len() > 0 {
				consider([]string{run.String()})
				run.Reset()
			}
			if set, ok := required(s); ok {
				consider(set)
			}
		}
		if run.Len() > 0 {
			consider([]string{run.String()})
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, s := range r.Sub {
			set, ok := required(s)
			if !ok {
				return nil, false
			}
			all = append(all, set...)
		}
		slices.Sort(all)
		all = slices.Compact(all)
		if len(all) > maxLiteralAlternatives {
			return nil, false
		}
		return all, true
	}
	return nil, false
}

// score ranks a literal set by selectivity, its shortest member, and on a
// tie prefers a set of plain words, which the prefilter finds in the folded
// text every post already has.
func score(set []string) int {
	if len(set) == 0 {
		return -1
	}
	m := len(set[0])
	for _, s := range set[1:] {
		m = min(m, len(s))
	}
	m *= 2
	if allWords(set) {
		m++
	}
	return m
}

// byteAC is an Aho-Corasick automaton over bytes, used to find which
// regex literals occur in a folded text in one pass.
type byteAC struct {
	root  [256]int32       // transitions from the root (dense: most lookups)
	edges map[uint64]int32 // (state<<8 | byte) → state for other states
	fail  []int32          // failure link per state
	out   [][]int32        // literal ids ending at each state (with fail outputs merged)
	// dfa, for automata of at most maxDFAStates states, is the full
	// transition table (state<<8 | byte → state, failure links resolved):
	// one load per byte of text.
	dfa []int32
}

// maxDFAStates bounds the dense table to 1 MiB.
const maxDFAStates = 1024

func newByteAC(lits []string) *byteAC {
	a := &byteAC{edges: map[uint64]int32{}, fail: []int32{0}, out: [][]int32{nil}}
	for i := range a.root {
		a.root[i] = -1
	}
	for id, lit := range lits {
		s := int32(0)
		for i := 0; i < len(lit); i++ {
			nxt, ok := a.next(s, lit[i])
			if !ok {
				nxt = int32(len(a.fail))
				a.fail = append(a.fail, 0)
				a.out = append(a.out, nil)
				a.set(s, lit[i], nxt)
			}
			s = nxt
		}
		a.out[s] = append(a.out[s], int32(id))
	}
	// Breadth-first failure links.
	type edge struct {
		from int32
		c    byte
		to   int32
	}
	children := map[int32][]edge{}
	for k, to := range a.edges {
		from := int32(k >> 8)
		children[from] = append(children[from], edge{from, byte(k), to})
	}
	var queue []int32
	for _, to := range a.root {
		if to > 0 {
			a.fail[to] = 0
			queue = append(queue, to)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range children[s] {
			f := a.fail[s]
			for {
				if nxt, ok := a.next(f, e.c); ok {
					a.fail[e.to] = nxt
					break
				}
				if f == 0 {
					a.fail[e.to] = 0
					break
				}
				f = a.fail[f]
			}
			a.out[e.to] = append(a.out[e.to], a.out[a.fail[e.to]]...)
			queue = append(queue, e.to)
		}
	}
	if n := len(a.fail); n <= maxDFAStates {
		a.dfa = make([]int32, n<<8)
		for st := range int32(n) {
			for c := range 256 {
				a.dfa[st<<8|int32(c)] = a.step(st, byte(c))
			}
		}
	}
	return a
}

// step is the transition from state s on byte c, following failure links.
func (a *byteAC) step(s int32, c byte) int32 {
	for {
		if t, ok := a.next(s, c); ok {
			return t
		}
		if s == 0 {
			return 0
		}
		s = a.fail[s]
	}
}

func (a *byteAC) next(s int32, c byte) (int32, bool) {
	if s == 0 {
		t := a.root[c]
		return t, t >= 0
	}
	t, ok := a.edges[uint64(s)<<8|uint64(c)]
	return t, ok
}

func (a *byteAC) set(s int32, c byte, t int32) {
	if s == 0 {
		a.root[c] = t
		return
	}
	a.edges[uint64(s)<<8|uint64(c)] = t
}

// find calls hit for every literal id occurring in text (possibly more
// than once).
func find[T string | []byte](a *byteAC, text T, hit func(id int32)) {
	if a.dfa != nil {
		s := int32(0)
		for i := 0; i < len(text); i++ {
			s = a.dfa[s<<8|int32(text[i])]
			if a.out[s] != nil {
				for _, id := range a.out[s] {
					hit(id)
				}
			}
		}
		return
	}
	s := int32(0)
	for i := 0; i < len(text); i++ {
		c := text[i]
		for {
			if t, ok := a.next(s, c); ok {
				s = t
				break
			}
			if s == 0 {
				break
			}
			s = a.fail[s]
		}
		for _, id := range a.out[s] {
			hit(id)
		}
	}
}
