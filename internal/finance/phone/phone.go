// Package phone parses phone numbers as people write them in posts: E.164
// (+CC…, 00CC…) for any country, and Morocco's national formats (06…, 07…,
// 05…, 08…) checked against Morocco's numbering plan (ANRT, as encoded in
// libphonenumber's metadata). Mobile-money and "send to this number"
// appeals carry Moroccan mobile numbers most of all.
package phone

import (
	"regexp"
	"strings"
	"sync"
)

// Number is a parsed phone number.
type Number struct {
	// E164 is the canonical form, "+212650123456".
	E164 string `json:"e164"`
	// Country is the calling code ("212").
	Country string `json:"country"`
	// National is the Moroccan national format ("06 50 12 34 56"); empty
	// for other countries.
	National string `json:"national,omitempty"`
	// Type is mobile, fixed_line, toll_free, premium_rate, voip or unknown.
	Type   string `json:"type"`
	Valid  bool   `json:"valid"`
	Reason string `json:"reason,omitempty"`
}

// Digits keeps the digits of s (ASCII and Arabic-Indic), dropping every
// separator; a leading + is dropped too.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '٠' && r <= '٩':
			b.WriteByte(byte('0' + r - '٠'))
		case r >= '۰' && r <= '۹':
			b.WriteByte(byte('0' + r - '۰'))
		}
	}
	return b.String()
}

// Moroccan number types (libphonenumber metadata for region MA and EH),
// compiled on first use rather than in every command's init.
var maTypes = sync.OnceValue(func() []numberType {
	return []numberType{
		{"voip", regexp.MustCompile(`^(?:592(?:4[0-2]|93)|80[89]\d\d)\d{4}$`)},
		{"mobile", regexp.MustCompile(`^(?:6(?:[0-79]\d|8[0-247-9])|7(?:[016-8]\d|2[0-8]|5[0-5]))\d{6}$`)},
		{"fixed_line", regexp.MustCompile(`^(?:5(?:(?:18|4[0679]|5[03])\d|2(?:[0-25-79]\d|3[1-578]|4[02-46-8]|8[0235-9])|3(?:[0-47]\d|5[02-9]|6[02-8]|8[014-9]|9[3-9])))\d{5}$`)},
		{"toll_free", regexp.MustCompile(`^80[0-7]\d{6}$`)},
		{"premium_rate", regexp.MustCompile(`^89\d{7}$`)},
	}
})

type numberType struct {
	typ string
	re  *regexp.Regexp
}

// Parse reads a number written in international form (+CC…, 00CC…), or in
// Moroccan national form (0[5-8]…) or as 212… without the plus. ok is
// false when s is not shaped like a phone number at all.
func Parse(s string) (n Number, ok bool) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	// "+212 (0) 6…": the national trunk prefix in brackets is dropped.
	s = strings.Replace(s, "(0)", "", 1)
	d := Digits(s)
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "212") && len(d) == 12:
	case strings.HasPrefix(d, "0") && len(d) >= 9 && len(d) <= 10 && d[1] >= '5' && d[1] <= '8':
		d = "212" + d[1:]
	default:
		return Number{}, false
	}
	if len(d) < 7 || len(d) > 15 || d[0] == '0' {
		return Number{}, false
	}
	if strings.HasPrefix(d, "212") {
		return parseMA(d[3:]), true
	}
	n = Number{E164: "+" + d, Country: callingCode(d), Type: "unknown"}
	switch {
	case len(d) < 8:
		n.Reason = "too short for an international number"
	case distinctDigits(d[len(n.Country):]) <= 2:
		n.Reason = "a filler, not a number (" + d + ")"
	default:
		n.Valid = true
	}
	return n, true
}

func parseMA(nsn string) Number {
	n := Number{E164: "+212" + nsn, Country: "212", Type: "unknown"}
	if len(nsn) != 9 {
		n.Reason = "Moroccan numbers have 9 digits after +212 (or 10 with the leading 0)"
		return n
	}
	if nsn[0] < '5' || nsn[0] > '8' {
		n.Reason = "Moroccan numbers start with 5, 6, 7 or 8 after +212"
		return n
	}
	for _, t := range maTypes() {
		if t.re.MatchString(nsn) {
			n.Type = t.typ
			break
		}
	}
	if n.Type == "unknown" {
		n.Reason = "not in an allocated Moroccan number range"
		return n
	}
	n.Valid = true
	if nsn[0] == '8' && (nsn[1] == '0' || nsn[1] == '9') && n.Type != "voip" {
		n.National = "0" + nsn[:2] + "-" + nsn[2:]
		if strings.HasPrefix(nsn, "892") {
			n.National = "0" + nsn[:4] + "-" + nsn[4:]
		}
	} else {
		n.National = "0" + nsn[:1] + " " + nsn[1:3] + " " + nsn[3:5] + " " + nsn[5:7] + " " + nsn[7:9]
	}
	return n
}

// callingCode returns the ITU calling code at the start of an
// international number (1–3 digits), using the code-space rules: 1 and 7
// are one digit; 2x, 3x, 4x, 5x, 6x, 8x and 9x follow the ITU zone table.
func callingCode(d string) string {
	if d == "" {
		return ""
	}
	switch d[0] {
	case '1', '7':
		return d[:1]
	}
	if len(d) < 2 {
		return d
	}
	if twoDigit[d[:2]] {
		return d[:2]
	}
	if len(d) < 3 {
		return d
	}
	return d[:3]
}

// twoDigit lists the two-digit calling codes; all others in zones 2–9 have
// three digits.
var twoDigit = map[string]bool{
	"20": true, "27": true, "30": true, "31": true, "32": true, "33": true, "34": true, "36": true, "39": true,
	"40": true, "41": true, "43": true, "44": true, "45": true, "46": true, "47": true, "48": true, "49": true,
	"51": true, "52": true, "53": true, "54": true, "55": true, "56": true, "57": true, "58": true,
	"60": true, "61": true, "62": true, "63": true, "64": true, "65": true, "66": true,
	"81": true, "82": true, "84": true, "86": true,
	"90": true, "91": true, "92": true, "93": true, "94": true, "95": true, "98": true,
}

func distinctDigits(d string) int {
	var seen [10]bool
	n := 0
	for i := 0; i < len(d); i++ {
		if c := d[i] - '0'; c < 10 && !seen[c] {
			seen[c] = true
			n++
		}
	}
	return n
}
