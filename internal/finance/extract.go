// Package finance finds and validates the identifiers a financing appeal
// carries — cryptocurrency addresses, IBANs and Moroccan RIBs, phone
// numbers, payment links — in messy social-media text, and reports each
// with its span in the original text. An identifier whose checksum fails is
// still reported ("looks like a Bitcoin address but invalid"), with
// Valid=false and the reason: a typo does not make an appeal harmless.
package finance

import (
	"bytes"
	"sort"
	"strings"

	"github.com/basira-org/basira/internal/finance/iban"
	"github.com/basira-org/basira/internal/finance/phone"
	"github.com/basira-org/basira/internal/finance/wallet"
)

// Identifier types.
const (
	TypeBitcoin     = wallet.Bitcoin
	TypeLitecoin    = wallet.Litecoin
	TypeDogecoin    = wallet.Dogecoin
	TypeDash        = wallet.Dash
	TypeTron        = wallet.Tron
	TypeEVM         = wallet.EVM
	TypeMonero      = wallet.Monero
	TypeIBAN        = "iban"
	TypeRIB         = "rib"
	TypePhone       = "phone"
	TypePaymentLink = "payment_link"
)

// Span is a byte range [Start, End) of the original text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Identifier is one identifier found in a text.
type Identifier struct {
	Type string `json:"type"`
	// Value is the normalized identifier: what lists are matched against.
	Value string `json:"value"`
	Valid bool   `json:"valid"`
	// Reason says why an identifier that looks like Type is invalid.
	Reason string `json:"reason,omitempty"`
	Span   Span   `json:"span"`
	// Text is the identifier as written (the original bytes of Span).
	Text string `json:"text"`
	// Detail qualifies the type: network and address kind, IBAN country,
	// phone number type, payment service.
	Detail string `json:"detail,omitempty"`
}

// IsWallet reports whether the identifier is a cryptocurrency address.
func (id Identifier) IsWallet() bool {
	switch id.Type {
	case TypeIBAN, TypeRIB, TypePhone, TypePaymentLink, TypePaymentHandle:
		return false
	}
	return true
}

// MaxTextBytes bounds the text Extract examines; longer texts are cut
// there (a post is far shorter; this protects the service).
const MaxTextBytes = 1 << 20

// Extract returns the identifiers in text, in order of position. Texts
// without any sign of an identifier are rejected by a cheap byte scan
// before any other work.
func Extract(text string) []Identifier {
	if len(text) > MaxTextBytes {
		text = text[:MaxTextBytes]
	}
	if !MayContain(text) {
		return nil
	}
	sk := buildSkeleton(text)
	defer func() {
		if cap(sk.b) <= 64<<10 {
			skeletons.Put(sk)
		}
	}()
	toks := tokens(sk.b)
	x := &extractor{text: text, sk: sk, toks: toks, used: make([]bool, len(sk.b)), joinBudget: joinBudget}
	x.urls()
	x.paymentLinks()
	x.paymentHandles()
	x.wallets()
	x.ibans()
	x.digitGroups()
	sort.SliceStable(x.out, func(i, j int) bool { return x.out[i].Span.Start < x.out[j].Span.Start })
	return x.out
}

// MayContain is the prefilter: one pass over the bytes that reports
// whether text could hold an identifier. It looks at chunks (runs of ASCII
// letters and digits, Arabic-Indic digits, with zero-width characters
// transparent) and passes a text with a chunk of 25 or more characters (a
// compact address), with 7 or more digits in all-digit chunks (phones,
// IBANs, RIBs), with 12 or more characters in "random-looking" chunks that
// mix letters and digits or have inner capitals (an address split in
// groups), with 20 one-character chunks in a row a few bytes apart (an
// address spelled out: "T J R y W w F s 9 …"), or with a slash and a
// payment domain (payment links). Arabic script words never count;
// Arabizi words ("3andi") may let a post through to the full extractor,
// which is correct, only slower.
func MayContain(text string) bool {
	var digits, hard int
	var n, nd, nl int // current chunk: length, digits, letters
	inner := false    // an upper-case letter after the chunk's first character
	slash := false
	mark := false // '$' or '@': a cashtag or an e-mail handle
	// A run of one-character chunks a few bytes apart is an identifier
	// spelled out one character at a time ("T J R y W w F s 9 …").
	singles, letters, prevEnd := 0, 0, -spelledGap-1
	for i := 0; i < len(text); i++ {
		// Outside a chunk, skip eight bytes at a time while they are
		// Arabic-script (or other non-ASCII) text and spaces.
		for n == 0 && i+8 <= len(text) && boring8(load64(text, i)) {
			i += 8
		}
		if i >= len(text) {
			break
		}
		c := text[i]
		k := class[c]
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
		var pass bool
		if digits, hard, pass = endChunk(n, nd, nl, inner, digits, hard); pass {
			return true
		}
		if singles, letters, pass = spelledRun(n, nl, i, prevEnd, singles, letters); pass {
			return true
		}
		prevEnd = i
		n, nd, nl, inner = 0, 0, 0, false
	}
	if _, _, pass := endChunk(n, nd, nl, inner, digits, hard); pass {
		return true
	}
	if _, _, pass := spelledRun(n, nl, len(text), prevEnd, singles, letters); pass {
		return true
	}
	return slash && hasPaymentDomain(text) || mark && hasHandleCue(text)
}

// endChunk adds a chunk of n characters (nd digits, nl letters, inner
// capitals or not) to the text's tallies of digits and "random-looking"
// characters, and reports whether the text now passes the prefilter.
func endChunk(n, nd, nl int, inner bool, digits, hard int) (int, int, bool) {
	switch {
	case n >= 25:
		return digits, hard, true
	case nl == 0 && nd >= 2:
		digits += nd
	case nd > 0 && nl > 0 || inner:
		hard += n
	}
	return digits, hard, digits >= 7 || hard >= 12
}

// spelledRun counts one-character chunks (nl letters: 0 or 1) that follow
// each other with at most three separator bytes between them (a chunk
// ending at end follows the one that ended at prevEnd), and the letters
// among them; minSpelled of them in a row, one a letter, pass the
// prefilter: the shortest address Basira reports has 25 characters, every
// address has a letter (spelled digits alone stay out, as before), and the
// full extractor checks the joined run's checksum.
func spelledRun(n, nl, end, prevEnd, singles, letters int) (int, int, bool) {
	switch {
	case n != 1:
		return 0, 0, false
	case end-prevEnd <= spelledGap:
		singles, letters = singles+1, letters+nl
	default:
		singles, letters = 1, nl
	}
	return singles, letters, singles >= minSpelled && letters > 0
}

const (
	// spelledGap is the most bytes from one one-character chunk's end to
	// the next one's: the character itself (two bytes for an
	// Arabic-Indic digit) and up to three separators.
	spelledGap = 5
	minSpelled = 20
)

const (
	lo7  = 0x7f7f7f7f7f7f7f7f
	hi1  = 0x8080808080808080
	ones = 0x0101010101010101
)

// load64 reads eight bytes of s at i, little-endian.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// zeroBytes has 0x80 in each byte of v that is zero.
func zeroBytes(v uint64) uint64 { return ^(((v & lo7) + lo7) | v | lo7) }

// boring8 reports whether eight bytes (little-endian) hold nothing the
// prefilter counts when no chunk is open: every byte is a space or a
// non-ASCII byte, no Arabic-Indic or Persian digit (D9 A0–A9, DB B0–B9)
// is among them, and the last byte is not a D9/DB lead whose pair lies
// beyond.
func boring8(v uint64) bool {
	high := v & hi1
	space := zeroBytes(v ^ (ones * 0x20))
	if high|space != hi1 {
		return false
	}
	d9 := zeroBytes(v ^ (ones * 0xD9))
	db := zeroBytes(v ^ (ones * 0xDB))
	if (d9|db)>>56 != 0 {
		return false // a lead in the last byte
	}
	y := v & lo7                                      // low seven bits of each byte; adding below never carries out of a byte
	a0a9 := (y + ones*0x60) & ^(y + ones*0x56) & high // 0x20 <= y <= 0x29
	b0b9 := (y + ones*0x50) & ^(y + ones*0x46) & high // 0x30 <= y <= 0x39
	return (d9<<8)&a0a9 == 0 && (db<<8)&b0b9 == 0
}

// hasHandleCue reports, without allocating, whether text names Cash App or
// PayPal, near which "$tag" and "name@host" are payment handles.
func hasHandleCue(text string) bool {
	for _, w := range []string{"cashapp", "cash app", "cash.app", "paypal", "باي بال", "بايبال"} {
		if indexFold(text, w) >= 0 {
			return true
		}
	}
	return false
}

const (
	cOther = iota
	cDigit
	cAlpha
	cSlash
	cMark // '$' and '@'
	cLead // first byte of a character Basira looks at: Arabic-Indic digit, zero-width
)

var class = func() (t [256]byte) {
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

type extractor struct {
	text string
	sk   *skeleton
	toks []token
	used []bool // skeleton bytes already inside a reported identifier
	url  []bool // skeleton bytes inside a URL
	out  []Identifier
	// joinBudget is what is left of the checksum tests of joined
	// tokens (see bestJoin); join is bestJoin's buffer.
	joinBudget int
	join       []byte
}

func (x *extractor) emit(id Identifier, i, j int) {
	for k := i; k < j; k++ {
		if x.used[k] {
			return // overlaps an identifier found first
		}
	}
	if x.url != nil && x.url[i] && !id.Valid {
		return // inside a link, only a verified identifier counts
	}
	for k := i; k < j; k++ {
		x.used[k] = true
	}
	id.Span = x.sk.span(i, j)
	id.Text = x.text[id.Span.Start:id.Span.End]
	x.out = append(x.out, id)
}

func (x *extractor) free(i, j int) bool {
	for k := i; k < j; k++ {
		if x.used[k] {
			return false
		}
	}
	return true
}

// urls marks the skeleton bytes that belong to links (http…, www.…).
func (x *extractor) urls() {
	if indexFold(x.text, "http") < 0 && indexFold(x.text, "www.") < 0 {
		return
	}
	b := x.sk.b
	for i := 0; i < len(b); i++ {
		if !(hasFold(b, i, "http://") || hasFold(b, i, "https://") || hasFold(b, i, "www.")) {
			continue
		}
		if x.url == nil {
			x.url = make([]bool, len(b))
		}
		j := i
		for j < len(b) && b[j] > ' ' && b[j] != sepOther {
			x.url[j] = true
			j++
		}
		i = j
	}
}

func hasFold(b []byte, i int, s string) bool {
	if len(b)-i < len(s) {
		return false
	}
	for k := 0; k < len(s); k++ {
		c := b[i+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[k] {
			return false
		}
	}
	return true
}

// wallets finds cryptocurrency addresses: a single token of address
// shape (reported even when its checksum fails), or several tokens split
// by spaces, dots, dashes or line breaks that together form a valid
// address.
func (x *extractor) wallets() {
	b := x.sk.b
	for ti, t := range x.toks {
		if !x.free(t.i, t.j) {
			continue
		}
		s := string(b[t.i:t.j])
		if a, ok := wallet.Parse(s); ok && plausibleWallet(s, a) {
			if a.Valid || x.bestJoin(ti) < 0 {
				x.emit(walletID(a), t.i, t.j)
				continue
			}
		}
		if k := x.bestJoin(ti); k >= 0 {
			joined := x.joined(ti, k)
			a, _ := wallet.Parse(joined)
			x.emit(walletID(a), t.i, x.toks[k].j)
		}
	}
}

// bestJoin returns the last token index k > ti such that tokens ti..k,
// joined without their separators, are a valid address; or -1.
func (x *extractor) bestJoin(ti int) int {
	b := x.sk.b
	first := b[x.toks[ti].i]
	if !(first == '0' || first == '1' || first == '3' || first == 'b' || first == 'B' || first == 'l' || first == 'L' ||
		first == 'T' || first == 'M' || first == 'D' || first == '4' || first == '8' || first == 'X') {
		return -1
	}
	best := -1
	buf := append(x.join[:0], b[x.toks[ti].i:x.toks[ti].j]...)
	// Beyond 40 tokens only an address spelled out one character at a
	// time continues (a first group of up to three, "bc1 q w 5 0 8 …").
	spelled := len(buf) <= 3
	shape := joinShape{first: first}
	for k := ti + 1; k < len(x.toks); k++ {
		if k >= ti+40 && !spelled || x.joinBudget <= 0 {
			break
		}
		if !joinable(b[x.toks[k-1].j:x.toks[k].i]) || !x.free(x.toks[k].i, x.toks[k].j) {
			break
		}
		t := x.toks[k]
		spelled = spelled && t.j-t.i == 1
		buf = append(buf, b[t.i:t.j]...)
		if len(buf) > 106 {
			break
		}
		try, more := shape.next(buf)
		if try {
			x.joinBudget--
			if a, ok := wallet.Parse(string(buf)); ok && a.Valid {
				best = k
			}
		}
		if !more {
			break
		}
	}
	x.join = buf
	return best
}

// joinShape follows a growing join and says which lengths could be a
// valid address, as wallet.Parse decides: segwit (a known human-readable
// part before the first '1', within the first six characters), base58
// (25 to 35 characters, never starting with b), EVM (42, starting 0x) or
// Monero (95 or 106). Skipping the other lengths changes nothing but the
// work: long runs of short groups or single letters ("b1 b1 b1 …",
// "b c b c …") used to cost a checksum test per token pair.
type joinShape struct {
	first byte
	hrp   int8 // 0 not known yet, 1 a known segwit HRP, -1 none
}

// next reports whether buf is worth a checksum test and whether a longer
// join still could be.
func (s *joinShape) next(buf []byte) (try, more bool) {
	if s.hrp == 0 {
		if i := bytes.IndexByte(buf, '1'); i > 0 && i <= 5 {
			s.hrp = -1
			if wallet.KnownHRP(string(buf[:i])) {
				s.hrp = 1
			}
		} else if i == 0 || len(buf) > 6 {
			s.hrp = -1
		}
	}
	if s.hrp == 1 {
		return true, true
	}
	n := len(buf)
	switch s.first {
	case 'b', 'B':
		return false, s.hrp == 0
	case '0':
		return n == 42, n < 42
	case '4', '8':
		return n >= 25 && n <= 35 || n == 95 || n == 106, true
	}
	return n >= 25 && n <= 35, n < 35 || s.hrp == 0
}

// joinBudget is the most checksum tests of joined tokens one text may
// spend. Every token of a long run of short groups or single letters
// ("T1 T1 T1 …", "T J T J …") starts joins of up to 106 characters, a
// dozen of them of a length an address can have: without a bound a
// 64 KiB post of them took seconds. A real appeal needs a few dozen
// tests per address.
const joinBudget = 8192

func (x *extractor) joined(ti, k int) string {
	var sb strings.Builder
	for m := ti; m <= k; m++ {
		sb.Write(x.sk.b[x.toks[m].i:x.toks[m].j])
	}
	return sb.String()
}

// plausibleWallet keeps a single token that failed validation only when
// it really looks like an address: base58 forms mix upper case, lower
// case and digits, as random-looking strings do; words do not.
func plausibleWallet(s string, a wallet.Address) bool {
	if a.Valid {
		return true
	}
	switch a.Chain {
	case wallet.EVM:
		return true
	}
	if strings.HasPrefix(a.Normalized, "bc1") || strings.HasPrefix(a.Normalized, "ltc1") || strings.HasPrefix(a.Normalized, "tb1") {
		return len(s) >= 42 && strings.IndexFunc(s[3:], func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
	}
	up, low, dig := false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			low = true
		case c >= '0' && c <= '9':
			dig = true
		}
	}
	return up && low && dig
}

func walletID(a wallet.Address) Identifier {
	id := Identifier{Type: a.Chain, Value: a.Normalized, Valid: a.Valid}
	if !a.Valid {
		id.Reason = "looks like a " + chainName(a.Chain) + " address but " + a.Reason
	}
	id.Detail = strings.TrimSpace(a.Network + " " + a.Kind)
	if a.Chain == wallet.EVM {
		id.Detail = a.Kind
	}
	return id
}

func chainName(c string) string {
	switch c {
	case wallet.EVM:
		return "Ethereum/EVM"
	case wallet.Tron:
		return "TRON"
	}
	return strings.ToUpper(c[:1]) + c[1:]
}

// ibans finds IBANs: two letters of a known country, two check digits,
// then the BBAN, compact or in groups ("MA64 0115 …", "AL 47 2121 …").
func (x *extractor) ibans() {
	b := x.sk.b
	for ti, t := range x.toks {
		if !x.free(t.i, t.j) {
			continue
		}
		// An "IBAN" or "IBAN:" label may be glued to the number.
		start := t.i
		if hasFold(b, start, "iban") && t.j-t.i >= 8 {
			start += 4
		}
		var c0, c1 byte
		switch {
		case t.j-start >= 2:
			c0, c1 = upper(b[start]), upper(b[start+1])
		case ti+1 < len(x.toks) && x.toks[ti+1].j-x.toks[ti+1].i == 1:
			c0, c1 = b[start], b[x.toks[ti+1].i]
		default:
			continue
		}
		if c0 < 'A' || c0 > 'Z' || c1 < 'A' || c1 > 'Z' {
			continue
		}
		want := iban.Length(string([]byte{c0, c1}))
		if want == 0 {
			continue
		}
		first := ti
		prefix := b[start:t.j]
		var country []byte
		if t.j-start == 1 && ti+1 < len(x.toks) && x.toks[ti+1].j-x.toks[ti+1].i == 1 && joinable(b[t.j:x.toks[ti+1].i]) {
			first++ // "M.K 07…": the country code split by a dot
			country = append(append(country, prefix...), b[x.toks[first].i:x.toks[first].j]...)
		} else {
			country = prefix
		}
		// A separate lower-case "de", "le" before digits is a word, and a
		// lower-case token ("cv19", "it39s") rarely an IBAN: such a start
		// counts only when the whole really is a valid IBAN ("Fr 76 3000 …").
		lowerStart := len(country) == 2 && (country[0] > 'Z' || country[1] > 'Z') || hasLower(prefix)
		// Two readings: a loose join (any short group, capitals of any
		// length: "AL49 … CLTJCLALLA", "gb37 midl …") reported only if it
		// validates, else a strict join (groups with digits or short
		// capitals) reported even when invalid — words end it.
		for _, loose := range []bool{true, false} {
			c, k := x.joinIBAN(country, first, want, loose)
			if len(c) < 15 || !isDigit(c[2]) || !isDigit(c[3]) || (t.j-start > 2 && t.j-start < 4) {
				continue
			}
			r := iban.Validate(c)
			if !r.Valid && (loose || lowerStart) {
				continue
			}
			id := Identifier{Type: TypeIBAN, Value: r.Normalized, Valid: r.Valid, Detail: r.Country}
			if !r.Valid {
				id.Reason = "looks like an IBAN but " + r.Reason
			}
			x.emit(id, start, x.toks[k].j)
			break
		}
	}
}

// joinIBAN appends the tokens after index first to the IBAN start while
// they are joined by separators and the result is shorter than want.
func (x *extractor) joinIBAN(start []byte, first, want int, loose bool) (string, int) {
	b := x.sk.b
	var sb strings.Builder
	sb.Write(start)
	k := first
	for sb.Len() < want && k+1 < len(x.toks) && joinable(b[x.toks[k].j:x.toks[k+1].i]) {
		next := b[x.toks[k+1].i:x.toks[k+1].j]
		if loose && !(len(next) <= 4 || !hasLower(next) || ibanGroup(next)) || !loose && !ibanGroup(next) {
			break
		}
		k++
		sb.Write(next)
	}
	return sb.String(), k
}

// ibanGroup reports whether a token can continue a printed IBAN: it holds
// a digit, or is a short group of capitals ("WEST" in GB82 WEST 1234 …);
// words ("could", "Vaccine") end it.
func ibanGroup(tok []byte) bool {
	if len(tok) <= 4 && !hasLower(tok) {
		return true
	}
	for _, c := range tok {
		if isDigit(c) {
			return !hasLower(tok) || len(tok) <= 4
		}
	}
	return false
}

func hasLower(b []byte) bool {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// digitGroups finds RIBs and phone numbers in runs of digit tokens joined
// by spaces, dots, dashes or brackets.
func (x *extractor) digitGroups() {
	b := x.sk.b
	for ti := 0; ti < len(x.toks); ti++ {
		t := x.toks[ti]
		if !allDigits(b[t.i:t.j]) || !x.free(t.i, t.j) {
			continue
		}
		// Digit tokens must not be glued to letters (Arabizi "3la", "7ta").
		if k, id, ok := x.rib(ti); ok {
			x.emit(id, t.i, x.toks[k].j)
			ti = k
			continue
		}
		if k, id, ok := x.phone(ti); ok {
			x.emit(id, x.phoneStart(t.i), x.toks[k].j)
			ti = k
			continue
		}
	}
}

// digitJoinable is joinable without the slash: in digit runs a slash
// separates dates (05/06/2023), not the groups of a number.
func digitJoinable(gap []byte) bool {
	for _, c := range gap {
		if c == '/' {
			return false
		}
	}
	return joinable(gap)
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// digitRun collects digit tokens from ti on, joined by separators, while
// their digits total at most max; it returns the index of each token end
// and the cumulative digit counts.
func (x *extractor) digitRun(ti, max int) (ends []int, counts []int) {
	b := x.sk.b
	n := 0
	for k := ti; k < len(x.toks); k++ {
		t := x.toks[k]
		if !allDigits(b[t.i:t.j]) || (k > ti && !digitJoinable(b[x.toks[k-1].j:t.i])) {
			break
		}
		n += t.j - t.i
		if n > max {
			break
		}
		ends = append(ends, k)
		counts = append(counts, n)
	}
	return ends, counts
}

func (x *extractor) rib(ti int) (int, Identifier, bool) {
	ends, counts := x.digitRun(ti, iban.RIBLen)
	for m := len(ends) - 1; m >= 0; m-- {
		if counts[m] != iban.RIBLen {
			continue
		}
		k := ends[m]
		if k+1 < len(x.toks) && digitJoinable(x.sk.b[x.toks[k].j:x.toks[k+1].i]) && allDigits(x.sk.b[x.toks[k+1].i:x.toks[k+1].j]) {
			return 0, Identifier{}, false // a longer number: not a RIB
		}
		rib := x.joined(ti, k)
		id := Identifier{Type: TypeRIB, Value: rib, Valid: true, Detail: "MA"}
		if err := iban.ValidateRIB(rib); err != nil {
			id.Valid, id.Reason = false, "looks like a Moroccan RIB but "+err.Error()
		}
		return k, id, true
	}
	return 0, Identifier{}, false
}

// phoneStart extends a phone number's start to a '+' just before it.
func (x *extractor) phoneStart(i int) int {
	if i > 0 && x.sk.b[i-1] == '+' {
		return i - 1
	}
	if i > 1 && x.sk.b[i-1] == ' ' && x.sk.b[i-2] == '+' {
		return i - 2
	}
	return i
}

func (x *extractor) phone(ti int) (int, Identifier, bool) {
	b := x.sk.b
	t := x.toks[ti]
	if t.i > 0 && isAlnum(b[t.i-1]) {
		return 0, Identifier{}, false
	}
	plus := x.phoneStart(t.i) != t.i
	ends, counts := x.digitRun(ti, 16)
	if len(ends) == 0 {
		return 0, Identifier{}, false
	}
	first := b[t.i:t.j]
	var want []int // total digit counts that make a number
	switch {
	case plus:
		want = []int{15, 14, 13, 12, 11, 10, 9, 8}
	case first[0] == '0' && len(first) >= 2 && first[1] == '0':
		want = []int{14, 15} // 00212 + 9, or 00212 (0) 9
	case hasPrefixDigits(x.joined(ti, ends[len(ends)-1]), "212"):
		want = []int{12, 13}
	case first[0] == '0' && (len(first) == 1 || first[1] >= '5' && first[1] <= '8'):
		want = []int{10}
	default:
		return 0, Identifier{}, false
	}
	for _, w := range want {
		for m, c := range counts {
			if c != w {
				continue
			}
			k := ends[m]
			if !plus && k+1 < len(x.toks) && digitJoinable(b[x.toks[k].j:x.toks[k+1].i]) && allDigits(b[x.toks[k+1].i:x.toks[k+1].j]) && m+1 < len(ends) {
				continue // the run goes on: not this length
			}
			d := x.joined(ti, k)
			raw := d
			if plus {
				raw = "+" + d
			}
			// "+212 (0) 6…" and "00212 0 6…": drop the trunk 0.
			if strings.HasPrefix(d, "2120") && len(d) == 13 || strings.HasPrefix(d, "002120") && len(d) == 15 {
				raw = strings.Replace(raw, "2120", "212", 1)
			}
			n, ok := phone.Parse(raw)
			if !ok {
				continue
			}
			id := Identifier{Type: TypePhone, Value: n.E164, Valid: n.Valid, Detail: strings.TrimSpace(n.Country + " " + n.Type)}
			if !n.Valid {
				id.Reason = "looks like a phone number but " + n.Reason
			}
			return k, id, true
		}
	}
	return 0, Identifier{}, false
}

func hasPrefixDigits(s, p string) bool { return strings.HasPrefix(s, p) }
