package rules

import "github.com/basira-org/basira/arabic"

// form is one way a rule's word may be matched: by its folded text
// (matched by a post token's folded text or clitic-stripped form) or by
// its clitic-stripped form (matched only by a post token's stripped form).
type form struct {
	text string
	base bool
	skel bool // text is a consonant skeleton, matched only by Arabizi tokens
}

// termForms are the forms under which a rule word is put in the trie. A
// word written in Arabizi (da3ech) also goes in under its Arabic-script
// transliteration, so it matches داعش. A word written in Arabic script
// whose consonant skeleton is specific enough also goes in under its
// skeleton, matched only by Arabizi tokens (skeleton.go), unless loose
// is false (a rule with `arabizi: exact`).
func termForms(t *arabic.Token, loose bool) []form {
	fs := []form{{text: t.Text}}
	if t.Base != "" {
		fs = append(fs, form{text: t.Base, base: true})
	}
	if t.Translit != "" && t.Translit != t.Text {
		fs = append(fs, form{text: t.Translit})
		if b := arabic.StripClitics(t.Translit); b != t.Translit {
			fs = append(fs, form{text: b, base: true})
		}
	}
	if loose && t.Translit == "" && isArabicWord(t.Text) {
		if sk := skeletonOf(t.Text); sk != "" {
			fs = append(fs, form{text: sk, skel: true})
		}
		if sk := skeletonOf(t.Base); sk != "" {
			fs = append(fs, form{text: sk, base: true, skel: true})
		}
		for _, k := range callKeysOf(t.Text) {
			fs = append(fs, form{text: k, skel: true})
		}
		if t.Base != t.Text {
			for _, k := range callKeysOf(t.Base) {
				fs = append(fs, form{text: k, base: true, skel: true})
			}
		}
	}
	return fs
}

// hasSkeleton reports whether some word of a term goes in the trie under
// a skeleton when loose: only then do its exact and loose versions differ.
func hasSkeleton(toks []arabic.Token) bool {
	for i := range toks {
		t := &toks[i]
		if t.Translit == "" && isArabicWord(t.Text) && (skeletonOf(t.Text) != "" || skeletonOf(t.Base) != "" || len(callKeysOf(t.Text)) > 0 || len(callKeysOf(t.Base)) > 0) {
			return true
		}
	}
	return false
}

// symPair holds the symbols of one word string: as a rule word written
// that way (exact) and as the clitic-stripped form of a rule word (base);
// -1 when the word has no such role.
type symPair struct{ exact, base int32 }

// wordFilter is a 64 Ki-bit set over a cheap fingerprint of every word in
// the trie (length and three bytes). Most post tokens are in no rule, and
// the filter turns them away without hashing the whole string for a map
// lookup.
type wordFilter [1 << 10]uint64

func fingerprint(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	h := uint32(n)
	h = h*0x9E3779B1 ^ uint32(s[n-1])
	h = h*0x9E3779B1 ^ uint32(s[n/2])
	if n > 1 {
		h = h*0x9E3779B1 ^ uint32(s[1])
	}
	return (h * 0x85EBCA6B) >> 16
}

func (f *wordFilter) add(s string) {
	h := fingerprint(s)
	f[h>>6] |= 1 << (h & 63)
}

func (f *wordFilter) has(s string) bool {
	h := fingerprint(s)
	return f[h>>6]&(1<<(h&63)) != 0
}

// lookup returns the symbols of word w, or ok=false.
func (s *Set) lookup(w string) (symPair, bool) {
	if w == "" || !s.filter.has(w) {
		return symPair{}, false
	}
	p, ok := s.words[w]
	return p, ok
}

// tokenSyms appends to dst the symbols of a post token: its folded text,
// its clitic-stripped form under both roles, and the same for its
// Arabic-script transliteration when it is an Arabizi word.
func (s *Set) tokenSyms(dst []int32, t *arabic.Token) []int32 {
	start := len(dst)
	if p, ok := s.lookup(t.Text); ok && p.exact >= 0 {
		dst = append(dst, p.exact)
	}
	dst = s.baseSyms(dst, start, t.Base)
	if t.Translit != "" {
		if p, ok := s.lookup(t.Translit); ok && p.exact >= 0 && !contains(dst[start:], p.exact) {
			dst = append(dst, p.exact)
		}
		b := arabic.StripClitics(t.Translit)
		if b != t.Translit {
			dst = s.baseSyms(dst, start, b)
		}
		if len(s.skels) > 0 {
			dst = s.skeletonSyms(dst, start, t.Translit, b)
		}
	}
	return dst
}

// baseSyms appends the symbols of a clitic-stripped form b; the symbols of
// the current token start at dst[start].
func (s *Set) baseSyms(dst []int32, start int, b string) []int32 {
	p, ok := s.lookup(b)
	if !ok {
		return dst
	}
	if p.exact >= 0 && !contains(dst[start:], p.exact) {
		dst = append(dst, p.exact)
	}
	if p.base >= 0 && !contains(dst[start:], p.base) {
		dst = append(dst, p.base)
	}
	return dst
}

// contains is slices.Contains for the few symbols of one token, written
// out because it runs for every token of every post.
func contains(s []int32, x int32) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
