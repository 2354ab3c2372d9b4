package wallet

import (
	"golang.org/x/crypto/sha3"
)

// ParseEVM recognises an Ethereum/EVM address: 0x and 40 hex digits. A
// mixed-case address must carry a valid EIP-55 checksum; an all-lower or
// all-upper one is valid but unchecksummed.
func ParseEVM(s string) (Address, bool) {
	if len(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return Address{}, false
	}
	lower, upper := false, false
	for i := 2; i < 42; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			lower = true
		case c >= 'A' && c <= 'F':
			upper = true
		default:
			return Address{}, false
		}
	}
	a := Address{Chain: EVM, Kind: "account", Normalized: EIP55(s)}
	switch {
	case lower && upper && s[1] == 'X':
		a.Reason = "0X prefix: EIP-55 addresses start with 0x"
	case lower && upper && a.Normalized != s:
		a.Reason = "EIP-55 checksum mismatch (letter case)"
	default:
		a.Valid = true
	}
	return a, true
}

// EIP55 returns the EIP-55 checksummed spelling of a 0x-prefixed 40-digit
// hex address (any case); it returns s unchanged if s is not one.
func EIP55(s string) string {
	if len(s) != 42 {
		return s
	}
	var lower [40]byte
	for i := 0; i < 40; i++ {
		c := s[2+i]
		switch {
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		default:
			return s
		}
		lower[i] = c
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(lower[:])
	sum := h.Sum(nil)
	out := make([]byte, 42)
	out[0], out[1] = '0', 'x'
	for i, c := range lower {
		nib := sum[i/2] >> 4
		if i%2 == 1 {
			nib = sum[i/2] & 0x0f
		}
		if c >= 'a' && nib >= 8 {
			c -= 'a' - 'A'
		}
		out[2+i] = c
	}
	return string(out)
}

// EIP55Valid reports whether s is a 0x address whose letter case matches
// its EIP-55 checksum, or that is all lower or all upper case.
func EIP55Valid(s string) bool {
	a, ok := ParseEVM(s)
	return ok && a.Valid
}
