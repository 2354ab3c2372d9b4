package wallet

import (
	"encoding/hex"
	"errors"
	"strings"
)

// Chains reported in Address.Chain.
const (
	Bitcoin  = "bitcoin"
	Litecoin = "litecoin"
	Dogecoin = "dogecoin"
	Dash     = "dash"
	Tron     = "tron"
	EVM      = "evm" // Ethereum and EVM chains share one address format
	Monero   = "monero"
)

// Address is what Parse learned about a string that has the shape of a
// cryptocurrency address.
type Address struct {
	Chain   string `json:"chain"`
	Network string `json:"network,omitempty"` // main, test, regtest, stagenet
	// Kind is p2pkh, p2sh, p2wpkh, p2wsh, p2tr, witness (other segwit
	// versions), account (EVM, TRON), standard, integrated or subaddress.
	Kind  string `json:"kind,omitempty"`
	Valid bool   `json:"valid"`
	// Reason says why an address that looks like Chain is not valid.
	Reason string `json:"reason,omitempty"`
	// Normalized is the canonical spelling: bech32 in lower case, EVM in
	// EIP-55 mixed case, others as written.
	Normalized string `json:"normalized"`
	// Script is the Bitcoin-family output script (scriptPubKey), when valid.
	Script []byte `json:"-"`
}

type base58Version struct {
	chain, network, kind string
}

// base58Versions maps the version byte of a 21-byte base58check payload.
// 0x05 is Bitcoin P2SH and Litecoin's legacy P2SH: reported as Bitcoin.
var base58Versions = map[byte]base58Version{
	0x00: {Bitcoin, "main", "p2pkh"},
	0x05: {Bitcoin, "main", "p2sh"},
	0x6f: {Bitcoin, "test", "p2pkh"},
	0xc4: {Bitcoin, "test", "p2sh"},
	0x30: {Litecoin, "main", "p2pkh"},
	0x32: {Litecoin, "main", "p2sh"},
	0x1e: {Dogecoin, "main", "p2pkh"},
	0x16: {Dogecoin, "main", "p2sh"},
	0x4c: {Dash, "main", "p2pkh"},
	0x10: {Dash, "main", "p2sh"},
	0x41: {Tron, "main", "account"},
}

// base58Guess names the chain a base58 string of address length most
// likely belongs to, from its first character, when it does not decode.
func base58Guess(c byte) string {
	switch c {
	case '1', '3', 'm', 'n', '2':
		return Bitcoin
	case 'L', 'M':
		return Litecoin
	case 'D':
		return Dogecoin
	case 'T':
		return Tron
	case 'X':
		return Dash
	}
	return ""
}

type segwitHRP struct{ chain, network string }

var segwitHRPs = map[string]segwitHRP{
	"bc":    {Bitcoin, "main"},
	"tb":    {Bitcoin, "test"},
	"bcrt":  {Bitcoin, "regtest"},
	"ltc":   {Litecoin, "main"},
	"tltc":  {Litecoin, "test"},
	"rltc":  {Litecoin, "regtest"},
	"doge":  {Dogecoin, "main"}, // not deployed on mainnet; kept for completeness
	"tdoge": {Dogecoin, "test"},
}

// Parse recognises s as a cryptocurrency address. ok is false when s does
// not have the shape of any supported address; when ok is true, a.Valid
// says whether its checksum and structure hold, and a.Reason why not.
func Parse(s string) (a Address, ok bool) {
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		return ParseEVM(s)
	case len(s) == 95 || len(s) == 106:
		if a, ok := ParseMonero(s); ok {
			return a, true
		}
	}
	if i := strings.LastIndexByte(s, '1'); i > 0 {
		if _, known := segwitHRPs[strings.ToLower(s[:i])]; known {
			return ParseSegwit(s)
		}
	}
	return ParseBase58(s)
}

// ParseBase58 recognises a base58check address (Bitcoin, Litecoin and
// Dogecoin P2PKH/P2SH, Dash, TRON).
func ParseBase58(s string) (Address, bool) {
	if len(s) < 25 || len(s) > 35 {
		return Address{}, false
	}
	payload, err := Base58CheckDecode(s)
	a := Address{Normalized: s}
	if errors.Is(err, ErrBase58Char) {
		return Address{}, false
	}
	if err != nil || len(payload) != 21 {
		chain := base58Guess(s[0])
		if v, known := base58Versions[firstByte(payload)]; known && err == nil {
			chain = v.chain
		}
		if chain == "" {
			return Address{}, false
		}
		a.Chain = chain
		if err != nil {
			a.Reason = "base58check " + err.Error()
		} else {
			a.Reason = "payload is not 21 bytes"
		}
		return a, true
	}
	v, known := base58Versions[payload[0]]
	if !known {
		if chain := base58Guess(s[0]); chain != "" {
			a.Chain, a.Reason = chain, "unknown version byte"
			return a, true
		}
		return Address{}, false
	}
	a.Chain, a.Network, a.Kind, a.Valid = v.chain, v.network, v.kind, true
	h := payload[1:]
	switch v.kind {
	case "p2pkh":
		a.Script = append(append([]byte{0x76, 0xa9, 0x14}, h...), 0x88, 0xac)
	case "p2sh":
		a.Script = append(append([]byte{0xa9, 0x14}, h...), 0x87)
	}
	return a, true
}

func firstByte(b []byte) byte {
	if len(b) == 0 {
		return 0xFF
	}
	return b[0]
}

// ParseSegwit recognises a bech32/bech32m segwit address of a known
// network (bc, tb, bcrt, ltc, …).
func ParseSegwit(s string) (Address, bool) {
	i := strings.LastIndexByte(s, '1')
	if i <= 0 {
		return Address{}, false
	}
	net, known := segwitHRPs[strings.ToLower(s[:i])]
	if !known {
		return Address{}, false
	}
	a := Address{Chain: net.chain, Network: net.network, Normalized: strings.ToLower(s)}
	_, version, program, err := SegwitDecode(s)
	if err != nil {
		a.Reason = err.Error()
		return a, true
	}
	a.Valid = true
	switch {
	case version == 0 && len(program) == 20:
		a.Kind = "p2wpkh"
	case version == 0:
		a.Kind = "p2wsh"
	case version == 1 && len(program) == 32:
		a.Kind = "p2tr"
	default:
		a.Kind = "witness"
	}
	op := byte(0)
	if version > 0 {
		op = byte(0x50 + version)
	}
	a.Script = append([]byte{op, byte(len(program))}, program...)
	return a, true
}

// ScriptHex returns the output script in hex, or "".
func (a Address) ScriptHex() string { return hex.EncodeToString(a.Script) }

// KnownHRP reports whether hrp (any case) is the human-readable part of a
// segwit address Parse accepts (bc, tb, ltc, …), without allocating.
func KnownHRP(hrp string) bool {
	var low [8]byte
	if len(hrp) > len(low) {
		return false
	}
	for i := 0; i < len(hrp); i++ {
		c := hrp[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	_, ok := segwitHRPs[string(low[:len(hrp)])]
	return ok
}
