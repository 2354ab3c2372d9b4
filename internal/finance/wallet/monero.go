package wallet

import (
	"errors"
	"math/bits"

	"golang.org/x/crypto/sha3"
)

// Monero's base58 works on 8-byte blocks encoded as 11 characters; a short
// last block of n bytes takes moneroBlockLen[n] characters.
var moneroBlockLen = [9]int{0, 2, 3, 5, 6, 7, 9, 10, 11}

// MoneroBase58Decode decodes Monero's block-wise base58.
func MoneroBase58Decode(s string) ([]byte, error) {
	if len(s) > maxBase58Len*2 {
		return nil, ErrTooLong
	}
	out := make([]byte, 0, len(s)/11*8+8)
	for len(s) > 0 {
		n := min(11, len(s))
		block := s[:n]
		s = s[n:]
		size := -1
		for b, l := range moneroBlockLen {
			if l == n {
				size = b
			}
		}
		if size < 0 {
			return nil, errors.New("invalid last block length")
		}
		var v uint64
		for i := 0; i < len(block); i++ {
			d := base58Index[block[i]]
			if d == 0xFF {
				return nil, ErrBase58Char
			}
			hi, lo := bits.Mul64(v, 58)
			if hi != 0 {
				return nil, errors.New("block overflow")
			}
			lo2 := lo + uint64(d)
			if lo2 < lo {
				return nil, errors.New("block overflow")
			}
			v = lo2
		}
		if size < 8 && v>>(8*uint(size)) != 0 {
			return nil, errors.New("block overflow")
		}
		for i := size - 1; i >= 0; i-- {
			out = append(out, byte(v>>(8*uint(i))))
		}
	}
	return out, nil
}

type moneroNet struct{ network, kind string }

var moneroNets = map[byte]moneroNet{
	18: {"main", "standard"}, 19: {"main", "integrated"}, 42: {"main", "subaddress"},
	53: {"test", "standard"}, 54: {"test", "integrated"}, 63: {"test", "subaddress"},
	24: {"stagenet", "standard"}, 25: {"stagenet", "integrated"}, 36: {"stagenet", "subaddress"},
}

// ParseMonero recognises a Monero address (standard or subaddress, 95
// characters; integrated, 106) and verifies its keccak-256 checksum.
func ParseMonero(s string) (Address, bool) {
	if len(s) != 95 && len(s) != 106 {
		return Address{}, false
	}
	switch s[0] {
	case '4', '8', '9', 'A', 'B', '5', '7':
	default:
		return Address{}, false
	}
	a := Address{Chain: Monero, Normalized: s}
	b, err := MoneroBase58Decode(s)
	if errors.Is(err, ErrBase58Char) {
		return Address{}, false
	}
	if err != nil {
		a.Reason = "base58: " + err.Error()
		return a, true
	}
	want := 69
	if len(s) == 106 {
		want = 77
	}
	if len(b) != want {
		a.Reason = "wrong decoded length"
		return a, true
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(b[:len(b)-4])
	sum := h.Sum(nil)
	for i := 0; i < 4; i++ {
		if sum[i] != b[len(b)-4+i] {
			a.Reason = "keccak checksum mismatch"
			return a, true
		}
	}
	net, known := moneroNets[b[0]]
	if !known || (net.kind == "integrated") != (len(s) == 106) {
		a.Reason = "unknown network byte"
		return a, true
	}
	a.Network, a.Kind, a.Valid = net.network, net.kind, true
	return a, true
}
