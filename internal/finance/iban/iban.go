// Package iban validates International Bank Account Numbers (ISO 13616:
// mod-97 check digits and each country's BBAN length and structure) and
// Moroccan RIBs (relevé d'identité bancaire: 24 digits with a mod-97 key).
package iban

import (
	"fmt"
	"strings"
)

// Result is what Validate learned about a string shaped like an IBAN.
type Result struct {
	// Normalized is the compact form: upper case, no separators.
	Normalized string `json:"normalized"`
	Country    string `json:"country"`
	Valid      bool   `json:"valid"`
	// Reason says why it is not valid.
	Reason string `json:"reason,omitempty"`
}

// MaxLen is the longest IBAN of any country (34 characters).
const MaxLen = 34

// Compact removes the separators people write inside IBANs (spaces, dots,
// hyphens, slashes), an "IBAN" prefix, and upper-cases the rest.
func Compact(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "IBAN") {
		s = s[4:]
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ', c == '.', c == '-', c == '/', c == ':', c == '\t':
		default:
			b.WriteByte(c) // kept, so the structure check rejects it
		}
	}
	return b.String()
}

// Mod97 returns the ISO 7064 mod-97-10 remainder of an IBAN in compact
// form (the first four characters moved to the end, letters as 10–35). A
// valid IBAN gives 1. It returns -1 for a character that is not a digit or
// an upper-case letter.
func Mod97(compact string) int {
	if len(compact) < 4 {
		return -1
	}
	r := 0
	add := func(c byte) bool {
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
		return true
	}
	for i := 4; i < len(compact); i++ {
		if !add(compact[i]) {
			return -1
		}
	}
	for i := 0; i < 4; i++ {
		if !add(compact[i]) {
			return -1
		}
	}
	return r
}

// Validate checks s (compact or printed form) as an IBAN: known country,
// the country's length and BBAN structure, mod-97, and the national check
// digits where Basira knows them (Morocco's RIB key, Spain's).
func Validate(s string) Result {
	c := Compact(s)
	r := Result{Normalized: c}
	if len(c) < 5 || len(c) > MaxLen {
		r.Reason = fmt.Sprintf("%d characters: IBANs have 15 to %d", len(c), MaxLen)
		return r
	}
	r.Country = c[:2]
	format, known := bbanFormats[r.Country]
	if !known {
		r.Reason = "unknown country code " + r.Country
		return r
	}
	if c[2] < '0' || c[2] > '9' || c[3] < '0' || c[3] > '9' {
		r.Reason = "check digits are not digits"
		return r
	}
	if want := 4 + formatLen(format); len(c) != want {
		r.Reason = fmt.Sprintf("%d characters: %s IBANs have %d", len(c), r.Country, want)
		return r
	}
	if pos, ok := matchFormat(c[4:], format); !ok {
		r.Reason = fmt.Sprintf("character %d does not fit the %s format %s", 4+pos+1, r.Country, format)
		return r
	}
	if m := Mod97(c); m != 1 {
		r.Reason = fmt.Sprintf("mod-97 check fails (remainder %d, want 1)", m)
		return r
	}
	if check := nationalChecks[r.Country]; check != nil {
		if reason := check(c[4:]); reason != "" {
			r.Reason = reason
			return r
		}
	}
	r.Valid = true
	return r
}

// Length returns the IBAN length of a country, or 0 if unknown.
func Length(country string) int {
	f, ok := bbanFormats[country]
	if !ok {
		return 0
	}
	return 4 + formatLen(f)
}

// formatLen sums the lengths of a registry format such as "3!n5!n14!n2!n".
func formatLen(f string) int {
	total, n := 0, 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
		case c == 'n' || c == 'a' || c == 'c' || c == 'e':
			total += n
			n = 0
		}
	}
	return total
}

// matchFormat checks bban against a registry format and returns the
// offset of the first character that does not fit.
func matchFormat(bban, f string) (int, bool) {
	pos, n := 0, 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
			continue
		}
		if c == '!' {
			continue
		}
		for j := 0; j < n; j++ {
			if pos >= len(bban) {
				return pos, false
			}
			b := bban[pos]
			ok := false
			switch c {
			case 'n':
				ok = b >= '0' && b <= '9'
			case 'a':
				ok = b >= 'A' && b <= 'Z'
			case 'c':
				ok = b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
			case 'e':
				ok = b == ' '
			}
			if !ok {
				return pos, false
			}
			pos++
		}
		n = 0
	}
	return pos, pos == len(bban)
}

// nationalChecks verify the BBAN's own check digits, where Basira knows
// them; each returns "" when the BBAN passes.
var nationalChecks = map[string]func(bban string) string{
	"MA": func(bban string) string {
		if err := ValidateRIB(bban); err != nil {
			return "embedded Moroccan RIB: " + err.Error()
		}
		return ""
	},
	"ES": spanishCheck,
}

// spanishCheck verifies the two "dígitos de control" of a Spanish BBAN
// (bank 4, branch 4, DC 2, account 10): weighted sums mod 11.
func spanishCheck(bban string) string {
	weights := []int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	digit := func(s string) byte {
		sum := 0
		for i := 0; i < len(s); i++ {
			sum += int(s[i]-'0') * weights[len(weights)-len(s)+i]
		}
		d := 11 - sum%11
		switch d {
		case 11:
			d = 0
		case 10:
			d = 1
		}
		return byte('0' + d)
	}
	if digit(bban[0:8]) != bban[8] || digit(bban[10:20]) != bban[9] {
		return "Spanish national check digits fail"
	}
	return ""
}
