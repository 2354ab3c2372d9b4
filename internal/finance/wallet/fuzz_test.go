package wallet

import (
	"bytes"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC",
		"47ewoP19TN7JEEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8Ebsmgef", "A12UEL5L"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		a, ok := Parse(s)
		if !ok && (a.Valid || a.Chain != "") {
			t.Fatalf("not an address but %+v", a)
		}
		if a.Valid && a.Reason != "" {
			t.Fatalf("valid with a reason: %+v", a)
		}
		// base58 round trip
		if b, err := Base58Decode(s); err == nil && Base58Encode(b) != s {
			t.Fatalf("base58 round trip %q -> %x -> %q", s, b, Base58Encode(b))
		}
		if b, err := MoneroBase58Decode(s); err == nil && len(s) < 200 {
			_ = bytes.Clone(b)
		}
		Bech32Decode(s)
	})
}
