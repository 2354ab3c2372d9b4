package wallet

import (
	"errors"
	"fmt"
	"strings"
)

// Encoding is a bech32 checksum variant.
type Encoding int

// Bech32 checksum variants (BIP-173 and BIP-350).
const (
	EncodingNone Encoding = iota
	Bech32
	Bech32m
)

// String names the variant: bech32, bech32m or none.
func (e Encoding) String() string {
	switch e {
	case Bech32:
		return "bech32"
	case Bech32m:
		return "bech32m"
	}
	return "none"
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var bech32Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(bech32Charset); i++ {
		t[bech32Charset[i]] = int8(i) // input is lower-cased before lookup
	}
	return t
}()

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

const (
	bech32Const  = 1
	bech32mConst = 0x2bc830a3
)

// Bech32Decode decodes a bech32 or bech32m string (BIP-173/350) and returns
// its lower-case human-readable part, its 5-bit data without the checksum,
// and which checksum variant matched.
func Bech32Decode(s string) (hrp string, data []byte, enc Encoding, err error) {
	if len(s) > 90 {
		return "", nil, EncodingNone, fmt.Errorf("%w: %d characters, at most 90", ErrTooLong, len(s))
	}
	lower, upper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			return "", nil, EncodingNone, fmt.Errorf("invalid character %q at %d", c, i)
		}
		if c >= 'a' && c <= 'z' {
			lower = true
		}
		if c >= 'A' && c <= 'Z' {
			upper = true
		}
	}
	if lower && upper {
		return "", nil, EncodingNone, errors.New("mixed case")
	}
	s = strings.ToLower(s)
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 {
		return "", nil, EncodingNone, errors.New("empty or missing human-readable part")
	}
	if pos+7 > len(s) {
		return "", nil, EncodingNone, errors.New("checksum too short")
	}
	hrp = s[:pos]
	values := make([]byte, 0, 2*len(hrp)+1+len(s)-pos-1)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]&31)
	}
	for i := pos + 1; i < len(s); i++ {
		d := bech32Index[s[i]]
		if d < 0 {
			return "", nil, EncodingNone, fmt.Errorf("invalid data character %q at %d", s[i], i)
		}
		values = append(values, byte(d))
	}
	switch bech32Polymod(values) {
	case bech32Const:
		enc = Bech32
	case bech32mConst:
		enc = Bech32m
	default:
		return hrp, nil, EncodingNone, ErrChecksum
	}
	return hrp, values[len(values)-(len(s)-pos-1) : len(values)-6], enc, nil
}

// convertBits regroups bits (8→5 or 5→8). Without pad, leftover bits must
// be fewer than from and zero.
func convertBits(data []byte, from, to uint, pad bool) ([]byte, error) {
	acc, bits := uint32(0), uint(0)
	maxv := uint32(1)<<to - 1
	out := make([]byte, 0, len(data)*int(from)/int(to)+1)
	for _, v := range data {
		if uint32(v)>>from != 0 {
			return nil, errors.New("value out of range")
		}
		acc = acc<<from | uint32(v)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from {
		return nil, errors.New("more than 4 bits of padding")
	} else if acc<<(to-bits)&maxv != 0 {
		return nil, errors.New("non-zero padding")
	}
	return out, nil
}

// SegwitDecode decodes a segwit address and checks it against BIP-173/350:
// version 0 must use bech32, versions 1–16 bech32m; programs are 2–40
// bytes, and version 0 programs 20 or 32 bytes.
func SegwitDecode(addr string) (hrp string, version int, program []byte, err error) {
	hrp, data, enc, err := Bech32Decode(addr)
	if err != nil {
		return hrp, 0, nil, err
	}
	if len(data) < 1 {
		return hrp, 0, nil, errors.New("empty data section")
	}
	version = int(data[0])
	if version > 16 {
		return hrp, version, nil, fmt.Errorf("invalid witness version %d", version)
	}
	program, err = convertBits(data[1:], 5, 8, false)
	if err != nil {
		return hrp, version, nil, err
	}
	if len(program) < 2 || len(program) > 40 {
		return hrp, version, nil, fmt.Errorf("invalid program length %d", len(program))
	}
	if version == 0 && len(program) != 20 && len(program) != 32 {
		return hrp, version, nil, fmt.Errorf("invalid program length %d for witness version 0", len(program))
	}
	if version == 0 && enc != Bech32 {
		return hrp, version, nil, fmt.Errorf("%w: witness version 0 must use bech32, not bech32m", ErrChecksum)
	}
	if version != 0 && enc != Bech32m {
		return hrp, version, nil, fmt.Errorf("%w: witness version %d must use bech32m, not bech32", ErrChecksum, version)
	}
	return hrp, version, program, nil
}
