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

func hasPaymentDomain(text string) bool {
	lower := strings.ToLower(text)
	for _, p := range paymentServices {
		if strings.Contains(lower, p.prefix[:strings.IndexByte(p.prefix, '/')]) {
			return true
		}
	}
	return strings.Contains(lower, "[dot]") || strings.Contains(lower, "(dot)")
}

// paymentLinks finds links to payment services (also written without the
// scheme, or with "[dot]"): the identifier is service/handle.
func (x *extractor) paymentLinks() {
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
