// Package namematch compares names of designated persons and entities the
// way sanctions-screening tools do — Jaro-Winkler on normalized tokens,
// best token pairs weighted by length, a penalty for the part of the listed
// name left unmatched (the scheme moov-io/watchman documents) — and adds
// what Arabic needs: a phonetic consonant key shared by Arabic script and
// its Latin transliterations, so that محمد, Mohammed and Muhammad, or أبو,
// Abu and Abou, meet.
package namematch

// Jaro-Winkler parameters as in common screening practice: the prefix
// bonus applies above a Jaro score of 0.7, over at most 4 characters.
const (
	boostThreshold = 0.7
	prefixSize     = 4
	prefixScale    = 0.1
)

// JaroWinkler returns the Jaro-Winkler similarity of a and b (0..1),
// comparing bytes; callers pass normalized ASCII tokens or keys.
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [64]bool
	var ma2, mb2 []bool
	matchA, matchB := ma[:], mb[:]
	if la > 64 || lb > 64 {
		ma2, mb2 = make([]bool, la), make([]bool, lb)
		matchA, matchB = ma2, mb2
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !matchB[j] && a[i] == b[j] {
				matchA[i], matchB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !matchA[i] {
			continue
		}
		for !matchB[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	if jaro <= boostThreshold {
		return jaro
	}
	p := 0
	for p < prefixSize && p < la && p < lb && a[p] == b[p] {
		p++
	}
	return jaro + float64(p)*prefixScale*(1-jaro)
}

// tokenScore is Jaro-Winkler with two corrections screening needs: a
// penalty when token lengths differ a lot (Jaro-Winkler is lenient there)
// and when the first letters differ.
func tokenScore(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	s := JaroWinkler(a, b)
	la, lb := float64(len(a)), float64(len(b))
	if r := min(la, lb) / max(la, lb); r < 0.9 {
		s *= 1 - (1-r)*0.3
	}
	if a[0] != b[0] {
		s *= 0.9
	}
	return s
}

// BestPairs scores a query against an indexed name, both as tokens: each
// query token is paired with at most one indexed token, best pairs first
// (pairs whose first letters are phonetically unrelated are not
// considered); pair scores are averaged weighted by token length, and the
// result is scaled down by the share of the indexed name left unmatched
// (so "john doe" prefers "john doe" to "john bartholomew doe").
func BestPairs(query, indexed []string) float64 {
	return bestPairs(query, indexed, func(qi, ii int) float64 {
		if FirstClass(query[qi]) != FirstClass(indexed[ii]) {
			return -1
		}
		return tokenScore(indexed[ii], query[qi])
	})
}

// bestPairs is BestPairs with the token-pair score given by the caller
// (by token indexes); a negative score marks a pair that may not be made.
func bestPairs(query, indexed []string, score func(qi, ii int) float64) float64 {
	if len(query) == 0 || len(indexed) == 0 {
		return 0
	}
	type pair struct {
		s    float64
		q, i int
	}
	var buf [64]pair
	pairs := buf[:0]
	for qi, q := range query {
		for ii, x := range indexed {
			if q == "" || x == "" {
				continue
			}
			if sc := score(qi, ii); sc >= 0 {
				pairs = append(pairs, pair{sc, qi, ii})
			}
		}
	}
	// insertion sort, descending: the lists are tiny
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && pairs[j].s > pairs[j-1].s; j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	var usedQ, usedI [32]bool
	if len(query) > 32 || len(indexed) > 32 {
		return 0
	}
	weighted, matchedI := 0.0, 0
	for _, p := range pairs {
		if usedQ[p.q] || usedI[p.i] {
			continue
		}
		usedQ[p.q], usedI[p.i] = true, true
		weighted += p.s * float64(len(query[p.q])+len(indexed[p.i]))
		matchedI += len(indexed[p.i])
	}
	qLen, iLen := 0, 0
	for _, q := range query {
		qLen += len(q)
	}
	for _, x := range indexed {
		iLen += len(x)
	}
	if qLen+matchedI == 0 || iLen == 0 {
		return 0
	}
	avg := weighted / float64(qLen+matchedI)
	frac := float64(matchedI) / float64(iLen)
	return avg * (1 - (1-frac)*0.15)
}

// firstClasses groups letters by sound for the first-letter filter:
// vowels and y; b f p v; c g j k q s x z; d t; l; m n; r; h w.
var firstClasses = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		t[c] = byte(c)
	}
	set := func(letters string, class byte) {
		for i := 0; i < len(letters); i++ {
			t[letters[i]] = class
			t[letters[i]-'a'+'A'] = class
		}
	}
	set("aeiouy", 'a')
	set("bfpv", 'b')
	set("cgjkqsxz", 'c')
	set("dt", 'd')
	set("l", 'l')
	set("mn", 'm')
	set("r", 'r')
	set("hw", 'h')
	return t
}()

// FirstClass returns the phonetic class of the first letter of s.
func FirstClass(s string) byte {
	if s == "" {
		return ' '
	}
	return firstClasses[s[0]]
}

// Soundex returns the standard American Soundex code of s (letter and
// three digits), or "" when s has no letter.
func Soundex(s string) string {
	var letters []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c >= 'A' && c <= 'Z' {
			letters = append(letters, c)
		}
	}
	if len(letters) == 0 {
		return ""
	}
	code := []byte{letters[0]}
	last := soundexDigit(letters[0])
	for _, c := range letters[1:] {
		if c == 'H' || c == 'W' {
			continue // transparent: neighbours count as adjacent
		}
		d := soundexDigit(c)
		if d == 0 {
			last = 0 // a vowel separates equal codes
			continue
		}
		if d != last {
			code = append(code, d)
			last = d
		}
		if len(code) == 4 {
			break
		}
	}
	for len(code) < 4 {
		code = append(code, '0')
	}
	return string(code)
}

func soundexDigit(c byte) byte {
	switch c {
	case 'B', 'F', 'P', 'V':
		return '1'
	case 'C', 'G', 'J', 'K', 'Q', 'S', 'X', 'Z':
		return '2'
	case 'D', 'T':
		return '3'
	case 'L':
		return '4'
	case 'M', 'N':
		return '5'
	case 'R':
		return '6'
	}
	return 0
}
