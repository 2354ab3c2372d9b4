package entities

import (
	"sync"

	"github.com/basira-org/basira/arabic"
)

// The matcher is a trie over word symbols, built like internal/rules
// builds its term trie: an alias word as written (exact) matches a post
// token's folded text, its clitic-stripped form or its Arabizi
// transliteration; an alias word's clitic-stripped form (base) only a post
// token's stripped form, so `الدولة الإسلامية` matches `للدولة الإسلامية`
// but a short word never matches inside another.
type matcher struct {
	words  map[string]symPair
	filter wordFilter
	nsym   int32
	edges  map[uint64]int32 // node<<32 | symbol → child; node 0 is the root
	nodes  int32
	ends   map[int32][]target // node → the aliases ending there
	isEnd  []bool             // node → whether ends has it (a slice: walk checks it per step)
	pool   sync.Pool
}

// symPair holds the symbols of one word string in its three roles: an
// alias word as written (exact), an alias word without clitics (base), and
// the Arabic-script transliteration of an Arabizi alias word (tr), which
// only a post token's own transliteration matches, so the Arabizi alias
// a3maq never turns the Arabic word أعماق (depths) into a plain name.
type symPair struct{ exact, base, tr int32 }

// target is one alias of one entity.
type target struct {
	entity int32
	alias  int32 // index in Aliases, or len(Aliases)+i for Shared[i]
}

// maxForms bounds the paths one alias adds to the trie (each Arabic word
// has up to two forms).
const maxForms = 64

func compile(s *Set) *matcher {
	m := &matcher{words: map[string]symPair{}, edges: map[uint64]int32{}, nodes: 1, ends: map[int32][]target{}}
	for ei, e := range s.entities {
		all := append(append([]Alias(nil), e.Aliases...), e.Shared...)
		for ai, al := range all {
			toks := arabic.Tokenize(al.Text)
			if len(toks) == 0 || len(toks) > MaxAliasWords {
				continue // Parse rejects these; a hand-built Set may not
			}
			alts := make([][]int32, len(toks))
			for i := range toks {
				alts[i] = m.wordSyms(&toks[i], al.Lang == "ary-Latn")
			}
			m.insert(alts, target{entity: int32(ei), alias: int32(ai)})
			// A Latin name of several words is also written glued in
			// hashtags (#AlQaeda, #BokoHaram).
			if len(toks) > 1 && isLatin(al.Lang) {
				glued := ""
				for i := range toks {
					glued += toks[i].Text
				}
				if len(glued) >= 6 {
					m.insert([][]int32{{m.sym(glued, roleExact)}}, target{entity: int32(ei), alias: int32(ai)})
				}
			}
		}
	}
	m.isEnd = make([]bool, m.nodes)
	for n := range m.ends {
		m.isEnd[n] = true
	}
	m.pool.New = func() any { return &scratch{} }
	return m
}

func isLatin(lang string) bool { return lang != "ar" && lang != "ary" }

const (
	roleExact = iota
	roleBase
	roleTr
)

// sym returns the symbol of word w in a role, creating it.
func (m *matcher) sym(w string, role int) int32 {
	p, ok := m.words[w]
	if !ok {
		p = symPair{-1, -1, -1}
		m.filter.add(w)
	}
	r := &p.exact
	switch role {
	case roleBase:
		r = &p.base
	case roleTr:
		r = &p.tr
	}
	if *r < 0 {
		*r = m.nsym
		m.nsym++
	}
	m.words[w] = p
	return *r
}

// wordSyms are the symbols one alias word accepts.
func (m *matcher) wordSyms(t *arabic.Token, arabizi bool) []int32 {
	out := []int32{m.sym(t.Text, roleExact)}
	if t.Base != "" {
		out = append(out, m.sym(t.Base, roleBase))
	}
	if arabizi && t.Translit != "" && t.Translit != t.Text {
		out = append(out, m.sym(t.Translit, roleTr))
	}
	return out
}

// insert adds every path through alts (one symbol per word) to the trie.
func (m *matcher) insert(alts [][]int32, t target) {
	paths := 0
	var rec func(node int32, i int)
	rec = func(node int32, i int) {
		if paths >= maxForms {
			return
		}
		if i == len(alts) {
			paths++
			// One target per entity and node: the Arabizi spellings of
			// داعش all reach the node of داعش. Plain aliases are inserted
			// before shared ones, so the first target is the strongest.
			for _, old := range m.ends[node] {
				if old.entity == t.entity {
					return
				}
			}
			m.ends[node] = append(m.ends[node], t)
			return
		}
		for _, sym := range alts[i] {
			key := uint64(node)<<32 | uint64(uint32(sym))
			child, ok := m.edges[key]
			if !ok {
				child = m.nodes
				m.nodes++
				m.edges[key] = child
			}
			rec(child, i+1)
		}
	}
	rec(0, 0)
}

// scratch is per-call working memory, pooled.
type scratch struct {
	symOff []int32
	symBuf []int32
}

// tokenSyms appends the symbols a post token carries.
func (m *matcher) tokenSyms(dst []int32, t *arabic.Token) []int32 {
	start := len(dst)
	if p, ok := m.lookup(t.Text); ok && p.exact >= 0 {
		dst = append(dst, p.exact)
	}
	if p, ok := m.lookup(t.Base); ok {
		dst = addSym(dst, start, p.exact)
		dst = addSym(dst, start, p.base)
	}
	if t.Translit != "" {
		if p, ok := m.lookup(t.Translit); ok {
			dst = addSym(dst, start, p.exact)
			dst = addSym(dst, start, p.tr)
		}
		if b := arabic.StripClitics(t.Translit); b != t.Translit {
			if p, ok := m.lookup(b); ok {
				dst = addSym(dst, start, p.exact)
				dst = addSym(dst, start, p.base)
			}
		}
	}
	return dst
}

// lookup returns the symbols of word w, turning most words away with the
// filter before hashing them.
func (m *matcher) lookup(w string) (symPair, bool) {
	if w == "" || !m.filter.has(w) {
		return symPair{}, false
	}
	p, ok := m.words[w]
	return p, ok
}

// addSym appends sym unless it is -1 or already among dst[start:].
func addSym(dst []int32, start int, sym int32) []int32 {
	if sym < 0 || contains(dst[start:], sym) {
		return dst
	}
	return append(dst, sym)
}

func contains(s []int32, x int32) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// Find returns the places where doc names an entity, leftmost first; of
// overlapping names the leftmost, then the longest, wins (`الدولة
// الإسلامية في العراق والشام` is one hit, not three). A name that belongs
// to several entries (Ansar al-Sharia) gives one hit per entry.
func (s *Set) Find(doc *arabic.Doc) []Hit {
	m := s.m
	if m == nil || len(doc.Tokens) == 0 {
		return nil
	}
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	toks := doc.Tokens
	sc.symOff, sc.symBuf = sc.symOff[:0], sc.symBuf[:0]
	for i := range toks {
		sc.symOff = append(sc.symOff, int32(len(sc.symBuf)))
		sc.symBuf = m.tokenSyms(sc.symBuf, &toks[i])
	}
	sc.symOff = append(sc.symOff, int32(len(sc.symBuf)))
	if len(sc.symBuf) == 0 {
		return nil // no token of the post is a word of any name: the common case
	}
	var out []Hit
	next := 0 // first token a new hit may start at
	for i := range toks {
		if i < next {
			continue
		}
		bestEnd, bestNode := -1, int32(-1)
		m.walk(sc, 0, i, &bestEnd, &bestNode)
		if bestEnd < 0 {
			continue
		}
		for _, t := range m.ends[bestNode] {
			e := s.entities[t.entity]
			h := Hit{Kind: e.Kind, Entity: e.ID, Group: s.Root(e.ID), Start: toks[i].Start, End: toks[bestEnd-1].End}
			if int(t.alias) < len(e.Aliases) {
				h.Alias = e.Aliases[t.alias].Text
			} else {
				h.Alias, h.Shared = e.Shared[int(t.alias)-len(e.Aliases)].Text, true
			}
			out = append(out, h)
		}
		next = bestEnd
	}
	return out
}

// walk follows the trie from node over tokens from i, recording the
// longest path that ends an alias.
func (m *matcher) walk(sc *scratch, node int32, i int, bestEnd *int, bestNode *int32) {
	if i >= len(sc.symOff)-1 {
		return
	}
	for _, sym := range sc.symBuf[sc.symOff[i]:sc.symOff[i+1]] {
		child, ok := m.edges[uint64(node)<<32|uint64(uint32(sym))]
		if !ok {
			continue
		}
		if m.isEnd[child] && i+1 > *bestEnd {
			*bestEnd, *bestNode = i+1, child
		}
		m.walk(sc, child, i+1, bestEnd, bestNode)
	}
}

// wordFilter is a bit set over a cheap fingerprint of every alias word:
// most post tokens are in no name and are turned away without hashing the
// whole string for a map lookup.
type wordFilter [1 << 10]uint64

func fingerprint(s string) uint32 {
	n := len(s)
	h := uint32(n)
	h = h*0x9E3779B1 ^ uint32(s[n-1])
	h = h*0x9E3779B1 ^ uint32(s[n/2])
	if n > 1 {
		h = h*0x9E3779B1 ^ uint32(s[1])
	}
	return (h * 0x85EBCA6B) >> 16
}

func (f *wordFilter) add(s string) {
	if s == "" {
		return
	}
	h := fingerprint(s)
	f[h>>6] |= 1 << (h & 63)
}

func (f *wordFilter) has(s string) bool {
	h := fingerprint(s)
	return f[h>>6]&(1<<(h&63)) != 0
}
