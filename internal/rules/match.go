package rules

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/detect"
)

// maxSpans caps the evidence spans reported for one rule match.
const maxSpans = 16

// Match is one rule that fired on a text, with the spans of the original
// text that made it fire.
type Match struct {
	Rule  *Rule
	Spans []detect.Span
	// Lowered is how many of the rule's `lower:` items are present.
	Lowered int
}

// hit is one occurrence of a term: tokens [start, end) of the post.
type hit struct {
	term       int32
	start, end int32
	prev       int32 // previous occurrence of the same term, or -1
}

// scratch is the per-scan working memory, reused through a pool. Arrays
// indexed by term or rule are stamped with a generation instead of being
// cleared, so a scan costs nothing for the terms and rules it does not
// touch.
type scratch struct {
	gen      uint32
	termGen  []uint32
	termHead []int32
	ruleGen  []uint32
	hits     []hit
	cands    []int32
	symOff   []int32
	symBuf   []int32
	occ      []occurrence
	spans    []detect.Span // evidence of the rules evaluated so far
	fired    []firedRule
	// The regex text of the post, built on first use in a scan.
	reBuf   []byte
	reOffs  []int32
	reBuilt bool
}

// firedRule is a rule that fired, with its spans in scratch.spans[lo:hi].
type firedRule struct {
	rule    int32
	lo, hi  int32
	lowered int32 // `lower:` items present
}

type occurrence struct {
	pos  int32
	term int // index in the rule's near list
	hit  int32
}

func (s *Set) newScratch() any {
	return &scratch{
		termGen:  make([]uint32, len(s.terms)),
		termHead: make([]int32, len(s.terms)),
		ruleGen:  make([]uint32, len(s.rules)),
	}
}

func (sc *scratch) reset() {
	sc.gen++
	if sc.gen == 0 { // wrapped: clear the stamps once every 4 billion scans
		clear(sc.termGen)
		clear(sc.ruleGen)
		sc.gen = 1
	}
	sc.hits = sc.hits[:0]
	sc.cands = sc.cands[:0]
	sc.symOff = sc.symOff[:0]
	sc.symBuf = sc.symBuf[:0]
	sc.reBuilt = false
}

// regexText returns the text regexes run on, building it once per scan.
func (sc *scratch) regexText(doc *arabic.Doc) []byte {
	if !sc.reBuilt {
		sc.reBuf, sc.reOffs = regexText(doc.Original, sc.reBuf, sc.reOffs)
		sc.reBuilt = true
	}
	return sc.reBuf
}

func (sc *scratch) present(t int32) bool { return sc.termGen[t] == sc.gen }

func (sc *scratch) syms(i int) []int32 { return sc.symBuf[sc.symOff[i]:sc.symOff[i+1]] }

// Match returns the rules that fire on doc, in rule order.
func (s *Set) Match(doc *arabic.Doc) []Match {
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	sc.reset()
	toks := doc.Tokens
	for i := range toks {
		sc.symOff = append(sc.symOff, int32(len(sc.symBuf)))
		sc.symBuf = s.tokenSyms(sc.symBuf, &toks[i])
	}
	sc.symOff = append(sc.symOff, int32(len(sc.symBuf)))
	for i := range toks {
		for _, sym := range sc.syms(i) {
			if node := s.root[sym]; node >= 0 {
				s.walk(sc, node, i, i+1, len(toks))
			}
		}
	}
	if s.wordLits != nil {
		find(s.wordLits, doc.Folded, func(id int32) {
			for _, r := range s.wordLitRules[id] {
				sc.candidate(r)
			}
		})
	}
	if s.lits != nil {
		find(s.lits, sc.regexText(doc), func(id int32) {
			for _, r := range s.litRules[id] {
				sc.candidate(r)
			}
		})
	}
	for _, r := range s.always {
		sc.candidate(r)
	}
	if len(sc.cands) == 0 {
		return nil
	}
	slices.Sort(sc.cands)
	sc.spans = sc.spans[:0]
	sc.fired = sc.fired[:0]
	for _, r := range sc.cands {
		lo := len(sc.spans)
		if !s.eval(sc, &s.rules[r], doc) {
			sc.spans = sc.spans[:lo]
			continue
		}
		lowered := sc.lowered(&s.rules[r])
		if lowered > MaxLowered {
			// Reporting and quotation together: the post speaks about the
			// words, not in their voice.
			sc.spans = sc.spans[:lo]
			continue
		}
		merged := mergeSpans(sc.spans[lo:])
		sc.spans = sc.spans[:lo+len(merged)]
		sc.fired = append(sc.fired, firedRule{rule: r, lo: int32(lo), hi: int32(len(sc.spans)), lowered: lowered})
	}
	if len(sc.fired) == 0 {
		return nil
	}
	// Two allocations for the result, whatever the number of matches.
	spans := slices.Clone(sc.spans)
	out := make([]Match, len(sc.fired))
	for i, f := range sc.fired {
		out[i] = Match{Rule: s.rules[f.rule].rule, Spans: spans[f.lo:f.hi:f.hi], Lowered: int(f.lowered)}
	}
	return out
}

func (s *Set) walk(sc *scratch, node int32, start, end, n int) {
	for _, t := range s.endTerms[s.endOff[node]:s.endOff[node+1]] {
		s.addHit(sc, t, int32(start), int32(end))
	}
	if s.kidOff[node] == s.kidOff[node+1] || end >= n {
		return
	}
	for _, sym := range sc.syms(end) {
		if child := s.child(node, sym); child >= 0 {
			s.walk(sc, child, start, end+1, n)
		}
	}
}

func (s *Set) addHit(sc *scratch, t, start, end int32) {
	prev := int32(-1)
	if sc.termGen[t] == sc.gen {
		prev = sc.termHead[t]
		if h := sc.hits[prev]; h.start == start && h.end == end {
			return // the same occurrence reached through another form
		}
	} else {
		sc.termGen[t] = sc.gen
		for _, r := range s.trigRules[s.trigOff[t]:s.trigOff[t+1]] {
			sc.candidate(r)
		}
	}
	sc.termHead[t] = int32(len(sc.hits))
	sc.hits = append(sc.hits, hit{term: t, start: start, end: end, prev: prev})
}

func (sc *scratch) candidate(r int32) {
	if sc.ruleGen[r] != sc.gen {
		sc.ruleGen[r] = sc.gen
		sc.cands = append(sc.cands, r)
	}
}

// eval checks every condition of a candidate rule and appends the spans of
// the original text that made it fire to sc.spans.
func (s *Set) eval(sc *scratch, c *compiled, doc *arabic.Doc) bool {
	if len(c.lang) > 0 && !langMatches(c.lang, doc.Lang) {
		return false
	}
	for _, g := range c.all {
		if !sc.anyPresent(g) {
			return false
		}
	}
	if len(c.any) > 0 && !sc.anyPresent(c.any) {
		return false
	}
	if sc.anyPresent(c.none) {
		return false
	}
	lo := len(sc.spans)
	addHits := func(t int32) {
		for h := sc.termHead[t]; h >= 0 && len(sc.spans)-lo < maxSpans; h = sc.hits[h].prev {
			sc.spans = append(sc.spans, tokenSpan(doc, sc.hits[h].start, sc.hits[h].end))
		}
	}
	if len(c.near) > 0 {
		win, ok := s.nearWindow(sc, c)
		if !ok {
			return false
		}
		for _, o := range win {
			h := sc.hits[o.hit]
			sc.spans = append(sc.spans, tokenSpan(doc, h.start, h.end))
		}
	}
	for _, re := range c.regex {
		loc := re.FindIndex(sc.regexText(doc))
		if loc == nil {
			return false
		}
		if loc[1] > loc[0] {
			sc.spans = append(sc.spans, detect.Span{Start: int(sc.reOffs[loc[0]]), End: int(sc.reOffs[loc[1]])})
		}
	}
	for _, g := range c.all {
		for _, t := range g {
			if sc.present(t) {
				addHits(t)
			}
		}
	}
	for _, t := range c.any {
		if sc.present(t) {
			addHits(t)
		}
	}
	return true
}

// lowered counts the rule's `lower:` items present in this scan.
func (sc *scratch) lowered(c *compiled) int32 {
	n := int32(0)
	for _, g := range c.lower {
		if sc.anyPresent(g) {
			n++
		}
	}
	return n
}

// anyPresent reports whether one of the terms was seen in this scan.
func (sc *scratch) anyPresent(terms []int32) bool {
	for _, t := range terms {
		if sc.termGen[t] == sc.gen {
			return true
		}
	}
	return false
}

// tokenSpan is the original text of tokens [start, end), with the
// combining marks that follow the last token (a final vowel sign) kept.
func tokenSpan(doc *arabic.Doc, start, end int32) detect.Span {
	sp := detect.Span{Start: doc.Tokens[start].Start, End: doc.Tokens[end-1].End}
	for sp.End < len(doc.Original) {
		r, n := utf8.DecodeRuneInString(doc.Original[sp.End:])
		if !unicode.Is(unicode.Mn, r) {
			break
		}
		sp.End += n
	}
	return sp
}

// langMatches reports whether the post language is one of the rule's,
// where a rule's `ary` also covers `ary-Latn`.
func langMatches(want []string, lang string) bool {
	for _, l := range want {
		if lang == l || (strings.HasPrefix(lang, l) && len(lang) > len(l) && lang[len(l)] == '-') {
			return true
		}
	}
	return false
}

// nearWindow finds the narrowest run of tokens holding every near term and
// reports whether it spans at most `within` tokens.
func (s *Set) nearWindow(sc *scratch, c *compiled) ([]occurrence, bool) {
	sc.occ = sc.occ[:0]
	for j, g := range c.near {
		if !slices.ContainsFunc(g, sc.present) {
			return nil, false
		}
		for _, t := range g {
			if !sc.present(t) {
				continue
			}
			for h := sc.termHead[t]; h >= 0; h = sc.hits[h].prev {
				sc.occ = append(sc.occ, occurrence{pos: sc.hits[h].start, term: j, hit: h})
			}
		}
	}
	occ := sc.occ
	slices.SortFunc(occ, func(a, b occurrence) int { return int(a.pos - b.pos) })
	k := len(c.near)
	var count [64]int
	var counts []int
	if k <= len(count) {
		counts = count[:k]
	} else {
		counts = make([]int, k)
	}
	have, lo := 0, 0
	bestLo, bestHi := -1, -1
	for hi := range occ {
		if counts[occ[hi].term] == 0 {
			have++
		}
		counts[occ[hi].term]++
		for have == k {
			if bestLo < 0 || occ[hi].pos-occ[lo].pos < occ[bestHi].pos-occ[bestLo].pos {
				bestLo, bestHi = lo, hi
			}
			counts[occ[lo].term]--
			if counts[occ[lo].term] == 0 {
				have--
			}
			lo++
		}
	}
	if bestLo < 0 || int(occ[bestHi].pos-occ[bestLo].pos) > c.within {
		return nil, false
	}
	return occ[bestLo : bestHi+1], true
}

// mergeSpans sorts spans and merges those that overlap.
func mergeSpans(sp []detect.Span) []detect.Span {
	if len(sp) < 2 {
		return sp
	}
	slices.SortFunc(sp, func(a, b detect.Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	out := sp[:1]
	for _, x := range sp[1:] {
		last := &out[len(out)-1]
		if x.Start <= last.End {
			last.End = max(last.End, x.End)
			continue
		}
		out = append(out, x)
	}
	if len(out) > maxSpans {
		out = out[:maxSpans]
	}
	return out
}

// Evidence joins the original text of spans for an analyst to read.
func Evidence(text string, spans []detect.Span) string {
	var b strings.Builder
	for i, sp := range spans {
		if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
			continue
		}
		if i > 0 {
			b.WriteString(" … ")
		}
		b.WriteString(text[sp.Start:sp.End])
	}
	return b.String()
}
