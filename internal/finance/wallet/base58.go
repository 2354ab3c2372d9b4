// Package wallet decodes and validates cryptocurrency addresses: Bitcoin
// (base58check P2PKH/P2SH, bech32 and bech32m segwit), Litecoin, Dogecoin,
// TRON, Ethereum and other EVM chains (EIP-55), and Monero. It reports
// whether an address is well formed and why not, so that a post quoting a
// mistyped address is still evidence ("looks like a Bitcoin address but the
// checksum fails").
package wallet

import (
	"crypto/sha256"
	"errors"
)

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Index maps a byte to its base58 digit, or 0xFF.
var base58Index = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = byte(i)
	}
	return t
}()

// IsBase58 reports whether c is a base58 digit (no 0, O, I or l).
func IsBase58(c byte) bool { return base58Index[c] != 0xFF }

// Errors returned by the decoders.
var (
	ErrBase58Char = errors.New("not a base58 character")
	ErrChecksum   = errors.New("checksum mismatch")
	ErrTooShort   = errors.New("too short")
	ErrTooLong    = errors.New("too long")
)

// maxBase58Len bounds the decoder's quadratic work; no address is longer.
const maxBase58Len = 512

// Base58Decode decodes a base58 string (Bitcoin alphabet). Leading '1's
// become leading zero bytes.
func Base58Decode(s string) ([]byte, error) {
	if len(s) > maxBase58Len {
		return nil, ErrTooLong
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// log(58)/log(256) ≈ 0.733: the big-endian result fits in this many bytes.
	buf := make([]byte, (len(s)-zeros)*733/1000+1)
	n := 0 // bytes of buf in use, counted from the end
	for i := zeros; i < len(s); i++ {
		d := base58Index[s[i]]
		if d == 0xFF {
			return nil, ErrBase58Char
		}
		carry := int(d)
		j := 0
		for k := len(buf) - 1; (carry != 0 || j < n) && k >= 0; k-- {
			carry += 58 * int(buf[k])
			buf[k] = byte(carry)
			carry >>= 8
			j++
		}
		n = j
	}
	out := make([]byte, zeros+n)
	copy(out[zeros:], buf[len(buf)-n:])
	return out, nil
}

// Base58Encode encodes b with the Bitcoin alphabet.
func Base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) ≈ 1.366
	buf := make([]byte, (len(b)-zeros)*138/100+1)
	n := 0
	for _, v := range b[zeros:] {
		carry := int(v)
		j := 0
		for k := len(buf) - 1; (carry != 0 || j < n) && k >= 0; k-- {
			carry += 256 * int(buf[k])
			buf[k] = byte(carry % 58)
			carry /= 58
			j++
		}
		n = j
	}
	out := make([]byte, zeros+n)
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i, d := range buf[len(buf)-n:] {
		out[zeros+i] = base58Alphabet[d]
	}
	return string(out)
}

// Base58CheckDecode decodes s and verifies its 4-byte double-SHA-256
// checksum; it returns the payload (version bytes included).
func Base58CheckDecode(s string) ([]byte, error) {
	b, err := Base58Decode(s)
	if err != nil {
		return nil, err
	}
	if len(b) < 5 {
		return nil, ErrTooShort
	}
	payload, sum := b[:len(b)-4], b[len(b)-4:]
	h := sha256.Sum256(payload)
	h = sha256.Sum256(h[:])
	if h[0] != sum[0] || h[1] != sum[1] || h[2] != sum[2] || h[3] != sum[3] {
		return payload, ErrChecksum
	}
	return payload, nil
}

// Base58CheckEncode appends the double-SHA-256 checksum to payload and
// encodes it.
func Base58CheckEncode(payload []byte) string {
	h := sha256.Sum256(payload)
	h = sha256.Sum256(h[:])
	return Base58Encode(append(append([]byte{}, payload...), h[:4]...))
}
