package finance

import "strings"

// paymentServices are link forms of payment and crowdfunding services: a
// link to one of them is a way to send money. The handle follows the
// prefix.
var paymentServices = []struct{ prefix, service string }{
	{"paypal.me/", "paypal"},
	{"paypal.com/paypalme/", "paypal"},
	{"paypal.com/donate", "paypal"},
	{"cash.app/", "cashapp"},
	{"cash.me/", "cashapp"},
	{"venmo.com/u/", "venmo"},
	{"venmo.com/", "venmo"},
	{"ko-fi.com/", "ko-fi"},
	{"patreon.com/", "patreon"},
	{"buymeacoffee.com/", "buymeacoffee"},
	{"gofundme.com/f/", "gofundme"},
	{"gofundme.com/", "gofundme"},
	{"revolut.me/", "revolut"},
	{"wise.com/pay/", "wise"},
	{"donorbox.org/", "donorbox"},
	{"liberapay.com/", "liberapay"},
	{"opencollective.com/", "opencollective"},
	{"launchgood.com/", "launchgood"},
	{"gogetfunding.com/", "gogetfunding"},
	{"western-union.com/", "westernunion"},
}

// hasPaymentDomain reports, without allocating, whether text names a
// payment service's domain (case-insensitive), or writes a dot as "[dot]".
func hasPaymentDomain(text string) bool {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '.':
			for _, d := range paymentDomains {
				if i >= len(d.name) && strings.EqualFold(text[i-len(d.name):i], d.name) && hasPrefixFold(text[i+1:], d.tld) {
					return true
				}
			}
		case '[', '(':
			if hasPrefixFold(text[i+1:], "dot") {
				return true
			}
		}
	}
	return false
}

func hasPrefixFold(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

// paymentDomains splits the services' domains at their last dot.
var paymentDomains = func() []struct{ name, tld string } {
	var out []struct{ name, tld string }
	seen := map[string]bool{}
	for _, p := range paymentServices {
		host := p.prefix[:strings.IndexByte(p.prefix, '/')]
		if seen[host] {
			continue
		}
		seen[host] = true
		k := strings.LastIndexByte(host, '.')
		out = append(out, struct{ name, tld string }{host[:k], host[k+1:]})
	}
	return out
}()

// paymentLinks finds links to payment services (also written without the
// scheme, or with "[dot]"): the identifier is service/handle.
func (x *extractor) paymentLinks() {
	if !hasPaymentDomain(x.text) {
		return
	}
	b := x.sk.b
	for i := 0; i < len(b); i++ {
		c := b[i] | 0x20
		if c != 'p' && c != 'c' && c != 'v' && c != 'k' && c != 'b' && c != 'g' && c != 'r' && c != 'w' && c != 'd' && c != 'l' && c != 'o' {
			continue
		}
		if i > 0 && (isAlnum(b[i-1]) || b[i-1] == '-') {
			continue // inside a longer domain name
		}
		for _, p := range paymentServices {
			if !hasFold(b, i, p.prefix) {
				continue
			}
			j := i + len(p.prefix)
			h := j
			for h < len(b) && (isAlnum(b[h]) || b[h] == '_' || b[h] == '-' || b[h] == '.' || b[h] == '$' || b[h] == '/' || b[h] == '?' || b[h] == '=') {
				h++
			}
			for h > j && (b[h-1] == '.' || b[h-1] == '/' || b[h-1] == '-') {
				h-- // sentence punctuation after the link
			}
			if h == j && !strings.HasSuffix(p.prefix, "donate") {
				continue
			}
			start := i
			// include a scheme or www. written just before
			for _, pre := range []string{"https://www.", "http://www.", "https://", "http://", "www."} {
				if i >= len(pre) && hasFold(b, i-len(pre), pre) {
					start = i - len(pre)
					break
				}
			}
			value := strings.ToLower(p.prefix) + string(b[j:h])
			if x.free(start, h) {
				for k := start; k < h; k++ {
					x.used[k] = true
				}
				sp := x.sk.span(start, h)
				x.out = append(x.out, Identifier{Type: TypePaymentLink, Value: value, Valid: true, Detail: p.service, Span: sp, Text: x.text[sp.Start:sp.End]})
			}
			i = h
			break
		}
	}
}

// TypePaymentHandle is a payment account named without a link: a Cash App
// $cashtag, or the e-mail address of a PayPal account.
const TypePaymentHandle = "payment_handle"

// paymentHandles finds "$cashtag" handles in a text that names Cash App,
// and e-mail addresses within a few words after "PayPal" (باي بال).
func (x *extractor) paymentHandles() {
	if strings.IndexByte(x.text, '$') < 0 && strings.IndexByte(x.text, '@') < 0 {
		return
	}
	b := x.sk.b
	cashApp, paypalAt := false, -1
	for _, w := range []string{"cashapp", "cash app", "cash.app"} {
		cashApp = cashApp || indexFold(x.text, w) >= 0
	}
	for _, w := range []string{"paypal", "باي بال", "بايبال"} {
		if k := indexFold(x.text, w); k >= 0 {
			paypalAt = k
			break
		}
	}
	for i := 0; i < len(b); i++ {
		switch {
		case cashApp && b[i] == '$' && (i == 0 || !isAlnum(b[i-1])):
			j := i + 1
			for j < len(b) && (isAlnum(b[j]) || b[j] == '_' || b[j] == '-') {
				j++
			}
			// a cashtag starts with a letter: "$5" is a price
			if j-i-1 >= 2 && j-i-1 <= 20 && !isDigit(b[i+1]) && x.free(i, j) {
				x.emitHandle("cashapp", "$"+string(b[i+1:j]), i, j)
				i = j
			}
		case paypalAt >= 0 && b[i] == '@' && i > 0 && isAlnum(b[i-1]):
			s := i
			for s > 0 && (isAlnum(b[s-1]) || b[s-1] == '.' || b[s-1] == '_' || b[s-1] == '-' || b[s-1] == '+') {
				s--
			}
			e := i + 1
			for e < len(b) && (isAlnum(b[e]) || b[e] == '.' || b[e] == '-') {
				e++
			}
			for e > i+1 && b[e-1] == '.' {
				e--
			}
			// within about ten words after the word PayPal
			if d := int(x.sk.start[s]) - paypalAt; d >= 0 && d <= 80 && strings.Contains(string(b[i:e]), ".") && x.free(s, e) {
				x.emitHandle("paypal", strings.ToLower(string(b[s:e])), s, e)
				i = e
			}
		}
	}
}

func (x *extractor) emitHandle(service, value string, i, j int) {
	for k := i; k < j; k++ {
		x.used[k] = true
	}
	sp := x.sk.span(i, j)
	x.out = append(x.out, Identifier{Type: TypePaymentHandle, Value: value, Valid: true, Detail: service, Span: sp, Text: x.text[sp.Start:sp.End]})
}

// indexFold is strings.Index ignoring ASCII case (w is lower case),
// without allocating; a w that is not ASCII is searched as it is.
func indexFold(s, w string) int {
	if w == "" || w[0] >= 0x80 {
		return strings.Index(s, w)
	}
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i]|0x20 != w[0] {
			continue
		}
		k := 1
		for k < len(w) && (s[i+k] == w[k] || s[i+k]|0x20 == w[k] && w[k] >= 'a' && w[k] <= 'z') {
			k++
		}
		if k == len(w) {
			return i
		}
	}
	return -1
}
