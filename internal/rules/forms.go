package rules

import "github.com/basira-org/basira/arabic"

// form is one way a rule's word may be matched: by its folded text
// (matched by a post token's folded text or clitic-stripped form) or by
// its clitic-stripped form (matched only by a post token's stripped form).
type form struct {
	text string
	base bool
}

// termForms are the forms under which a rule word is put in the trie. A
// word written in Arabizi (da3ech) also goes in under its Arabic-script
// transliteration, so it matches داعش.
func termForms(t *arabic.Token) []form {
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
	return fs
}

// tokenSyms appends to dst the symbols of a post token: its folded text,
// its clitic-stripped form under both namespaces, and the same for its
// Arabic-script transliteration when it is an Arabizi word.
func (s *Set) tokenSyms(dst []int32, t *arabic.Token) []int32 {
	start := len(dst)
	if id, ok := s.exact[t.Text]; ok {
		dst = append(dst, id)
	}
	dst = s.baseSyms(dst, start, t.Base)
	if t.Translit != "" {
		if id, ok := s.exact[t.Translit]; ok && !contains(dst[start:], id) {
			dst = append(dst, id)
		}
		if b := arabic.StripClitics(t.Translit); b != t.Translit {
			dst = s.baseSyms(dst, start, b)
		}
	}
	return dst
}

// baseSyms appends the symbols of a clitic-stripped form b; the symbols of
// the current token start at dst[start].
func (s *Set) baseSyms(dst []int32, start int, b string) []int32 {
	if b == "" {
		return dst
	}
	if id, ok := s.exact[b]; ok && !contains(dst[start:], id) {
		dst = append(dst, id)
	}
	if id, ok := s.base[b]; ok && !contains(dst[start:], id) {
		dst = append(dst, id)
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
