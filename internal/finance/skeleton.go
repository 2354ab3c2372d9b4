package finance

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// skeleton is an ASCII view of a text for identifier matching, with every
// byte mapped back to its source bytes. The identifier-specific
// de-obfuscations happen here: Arabic-Indic and full-width digits become
// ASCII, zero-width and bidi controls vanish (so they no longer split an
// identifier), odd spaces and line breaks become spaces, Unicode dashes
// become '-', and "[dot]"/"(dot)"/"[.]" become '.'. Any other non-ASCII
// character becomes sepOther, which ends an identifier.
type skeleton struct {
	b          []byte
	start, end []int32 // byte range in the original text of b[i]
}

const sepOther = 0x01

func (s *skeleton) add(c byte, from, to int) {
	s.b = append(s.b, c)
	s.start = append(s.start, int32(from))
	s.end = append(s.end, int32(to))
}

// span maps skeleton range [i, j) to original bytes.
func (s *skeleton) span(i, j int) Span {
	return Span{Start: int(s.start[i]), End: int(s.end[j-1])}
}

var dotWords = []string{"[dot]", "(dot)", "{dot}", "[.]", "(.)"}
var atWords = []string{"[at]", "(at)", "{at}", "[@]"}

// skeletons are reused between texts: Extract returns identifiers that
// hold copies, never the skeleton.
var skeletons = sync.Pool{New: func() any { return &skeleton{} }}

func buildSkeleton(text string) *skeleton {
	s := skeletons.Get().(*skeleton)
	s.b, s.start, s.end = s.b[:0], s.start[:0], s.end[:0]
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if c == '[' || c == '(' || c == '{' {
				if w, ok := hasWordAt(text, i, dotWords); ok {
					s.add('.', i, i+len(w))
					i += len(w)
					continue
				}
				if w, ok := hasWordAt(text, i, atWords); ok {
					s.add('@', i, i+len(w))
					i += len(w)
					continue
				}
			}
			switch c {
			case '\n', '\r', '\t', '\f', '\v':
				c = ' '
			}
			s.add(c, i, i+1)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r >= 0x0621 && r <= 0x065F && r != 0x0640:
			s.add(sepOther, i, i+n) // Arabic letters and marks: the common case
		case r >= '٠' && r <= '٩':
			s.add(byte('0'+r-'٠'), i, i+n)
		case r >= '۰' && r <= '۹':
			s.add(byte('0'+r-'۰'), i, i+n)
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			s.add(byte(r-0xFEE0), i, i+n)
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x00AD ||
			r == 0x200E || r == 0x200F || r == 0x061C || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x0640:
			// invisible: dropped, so "bc1q\u200bxyz" reads as one token
		case r >= 0x2010 && r <= 0x2015, r == 0x2212:
			s.add('-', i, i+n)
		case r == '٫' || r == '。' || r == '․':
			s.add('.', i, i+n)
		case unicode.IsSpace(r):
			s.add(' ', i, i+n)
		default:
			s.add(sepOther, i, i+n)
		}
		i += n
	}
	return s
}

func hasWordAt(text string, i int, words []string) (string, bool) {
	for _, w := range words {
		if len(text)-i >= len(w) && strings.EqualFold(text[i:i+len(w)], w) {
			return w, true
		}
	}
	return "", false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// token is a maximal run of ASCII letters and digits in the skeleton.
type token struct{ i, j int }

func tokens(b []byte) []token {
	var out []token
	for i := 0; i < len(b); {
		if !isAlnum(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isAlnum(b[j]) {
			j++
		}
		out = append(out, token{i, j})
		i = j
	}
	return out
}

// joinable reports whether the bytes between two tokens are a separator
// people put inside an identifier: up to three spaces, dots, hyphens,
// slashes or brackets (line breaks are spaces by now).
func joinable(gap []byte) bool {
	if len(gap) == 0 || len(gap) > 3 {
		return false
	}
	for _, c := range gap {
		switch c {
		case ' ', '.', '-', '(', ')', '_', '/':
		default:
			return false
		}
	}
	return true
}
