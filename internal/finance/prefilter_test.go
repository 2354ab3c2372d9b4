package finance

import (
	"math/rand/v2"
	"testing"
)

// mayContainRef is the byte-at-a-time prefilter the eight-byte fast path
// must agree with.
func mayContainRef(text string) bool {
	var digits, hard int
	var n, nd, nl int // current chunk: length, digits, letters
	inner := false    // an upper-case letter after the chunk's first character
	slash := false
	mark := false // '$' or '@': a cashtag or an e-mail handle
	// A run of one-character chunks a few bytes apart is an identifier
	// spelled out one character at a time ("T J R y W w F s 9 …").
	singles, letters, prevEnd := 0, 0, -spelledGap-1
	for i := 0; i < len(text); i++ {
		c := text[i]
		k := classRef[c]
		switch k {
		case cDigit:
			n++
			nd++
			continue
		case cAlpha:
			if c <= 'Z' && n > 0 {
				inner = true
			}
			n++
			nl++
			continue
		case cLead:
			if i+1 < len(text) {
				c1 := text[i+1]
				if c == 0xD9 && c1 >= 0xA0 && c1 <= 0xA9 || c == 0xDB && c1 >= 0xB0 && c1 <= 0xB9 {
					n++ // an Arabic-Indic digit
					nd++
					i++
					continue
				}
				if i+2 < len(text) && (c == 0xE2 && c1 == 0x80 && text[i+2] >= 0x8B && text[i+2] <= 0x8F || c == 0xEF && c1 == 0xBB && text[i+2] == 0xBF) {
					i += 2 // zero-width: transparent
					continue
				}
			}
		case cSlash:
			slash = true
		case cMark:
			// '$' (a cashtag) or an '@' inside a word (an e-mail address);
			// "@USER" mentions do not count.
			mark = mark || c == '$' || n > 0
		}
		if n == 0 {
			continue // no chunk open: the common case in Arabic script
		}
		// The chunk ends here.
		switch {
		case n >= 25:
			return true
		case nl == 0 && nd >= 2:
			digits += nd
		case nd > 0 && nl > 0 || inner:
			hard += n
		}
		if digits >= 7 || hard >= 12 {
			return true
		}
		switch {
		case n != 1:
			singles, letters = 0, 0
		case i-prevEnd <= spelledGap:
			singles, letters = singles+1, letters+nl
		default:
			singles, letters = 1, nl
		}
		if singles >= minSpelled && letters > 0 {
			return true
		}
		prevEnd = i
		n, nd, nl, inner = 0, 0, 0, false
	}
	switch {
	case n >= 25:
		return true
	case nl == 0 && nd >= 2:
		digits += nd
	case nd > 0 && nl > 0 || inner:
		hard += n
	}
	if digits >= 7 || hard >= 12 {
		return true
	}
	if n == 1 && len(text)-prevEnd <= spelledGap && singles+1 >= minSpelled && letters+nl > 0 {
		return true
	}
	return slash && hasPaymentDomain(text) || mark && hasHandleCue(text)
}

var classRef = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = cAlpha
		t[c-'a'+'A'] = cAlpha
	}
	t['/'] = cSlash
	t['$'], t['@'] = cMark, cMark
	t[0xD9], t[0xDB], t[0xE2], t[0xEF] = cLead, cLead, cLead, cLead
	return t
}()

func TestMayContainFastPathAgrees(t *testing.T) {
	posts, with := benchPosts(t)
	for _, p := range append(posts, with...) {
		if MayContain(p) != mayContainRef(p) {
			t.Fatalf("fast path disagrees on %q", p)
		}
	}
	// Random mixes of Arabic letters, Arabic-Indic digits, spaces and ASCII.
	r := rand.New(rand.NewPCG(3, 4))
	parts := []string{"م", "ح", "ي", " ", "٠", "٥", "۵", "1", "a", "B", "\u200b", "/", "$", "@", "،", "\n", "paypal", "cash app", "x@y.z", "$ab"}
	for range 20000 {
		s := ""
		for range r.IntN(60) {
			s += parts[r.IntN(len(parts))]
		}
		if MayContain(s) != mayContainRef(s) {
			t.Fatalf("fast path disagrees on %q", s)
		}
	}
}

func FuzzMayContain(f *testing.F) {
	f.Add("تبرعوا على ٠٦٥٠١٢٣٤٥٦")
	f.Add("مرحبا بكم في الرباط ۱۲۳۴۵۶۷")
	f.Fuzz(func(t *testing.T, s string) {
		if MayContain(s) != mayContainRef(s) {
			t.Fatalf("fast path disagrees on %q", s)
		}
	})
}
