package post

import (
	"encoding/json"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// member is one top-level member of a JSONL object: its key and the raw
// bytes of its value, both slices of the line.
type member struct {
	key, val []byte
}

// maxFastDepth bounds the nesting the hand-written scanner follows; deeper
// lines go to encoding/json (which allows 10,000 levels), so both the
// limit and its message stay encoding/json's.
const maxFastDepth = 256

var memberPool = sync.Pool{New: func() any { s := make([]member, 0, 16); return &s }}

// splitObject splits line, one whole JSON object with nothing around it,
// into its top-level members in one pass, without reflection. It accepts
// exactly what encoding/json accepts; it answers ok=false, and the caller
// falls back to encoding/json, for anything it does not handle itself: a
// syntax error (so the message is encoding/json's), a key holding escapes
// or invalid UTF-8 (encoding/json rewrites those), or nesting deeper than
// maxFastDepth. FuzzSplitObject checks it against encoding/json.
func splitObject(line []byte, ms []member) ([]member, bool) {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return ms, false
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return ms, skipWS(line, i+1) == len(line)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return ms, false
		}
		ks := i + 1
		end, plain := scanString(line, i)
		if end < 0 || !plain {
			return ms, false
		}
		key := line[ks : end-1]
		i = skipWS(line, end)
		if i >= len(line) || line[i] != ':' {
			return ms, false
		}
		i = skipWS(line, i+1)
		vs := i
		i = scanValue(line, i, 1)
		if i < 0 {
			return ms, false
		}
		ms = append(ms, member{key: key, val: line[vs:i]})
		i = skipWS(line, i)
		if i >= len(line) {
			return ms, false
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case '}':
			return ms, skipWS(line, i+1) == len(line)
		default:
			return ms, false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanValue returns the index just past the JSON value starting at b[i],
// or -1.
func scanValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		end, _ := scanString(b, i)
		return end
	case c == '{':
		if depth >= maxFastDepth {
			return -1
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return -1
			}
			if i, _ = scanString(b, i); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) || b[i] != ':' {
				return -1
			}
			if i = scanValue(b, skipWS(b, i+1), depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				i = skipWS(b, i+1)
			case '}':
				return i + 1
			default:
				return -1
			}
		}
	case c == '[':
		if depth >= maxFastDepth {
			return -1
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		for {
			if i = scanValue(b, i, depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				i = skipWS(b, i+1)
			case ']':
				return i + 1
			default:
				return -1
			}
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(b, i)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return -1
}

func literal(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// scanNumber follows JSON's number grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -1
		}
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -1
		}
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	}
	return i
}

// scanString returns the index just past the string starting at b[i] (a
// quote), or -1; plain reports that it holds no escape and only valid
// UTF-8, so its bytes are its value.
func scanString(b []byte, i int) (end int, plain bool) {
	plain = true
	for i++; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, plain
		case c == '\\':
			plain = false
			if i+1 >= len(b) {
				return -1, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return -1, false
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return -1, false
					}
				}
				i += 6
			default:
				return -1, false
			}
		case c < 0x20:
			return -1, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				plain = false
			}
			i += n
		}
	}
	return -1, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unquote decodes the JSON string raw (quotes included, already checked by
// splitObject or encoding/json) the way encoding/json does: escapes
// resolved, invalid UTF-8 and lone surrogates turned into U+FFFD.
func unquote(raw []byte) string {
	s := raw[1 : len(raw)-1]
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\' && r+1 < len(s):
			r++
			switch s[r] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(s[r-1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if rr1 := getu4(s[r:]); rr1 >= 0 {
						if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
							r += 6
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, s[r])
			}
			r++
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, n := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += n
		}
	}
	return string(b)
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// splitWithJSON is the fallback of splitObject: encoding/json parses the
// line (and gives its error), members come out of its map.
func splitWithJSON(line []byte, ms []member) ([]member, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(line, &all); err != nil {
		return ms, err
	}
	if all == nil { // the line was "null"
		return ms, nil
	}
	for k, v := range all {
		ms = append(ms, member{key: []byte(k), val: v})
	}
	return ms, nil
}
