package wallet_test

import (
	"fmt"

	"github.com/basira-org/basira/internal/finance/wallet"
)

func ExampleParse() {
	for _, s := range []string{
		"1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH",
		"1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ",
		"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
	} {
		a, ok := wallet.Parse(s)
		fmt.Println(ok, a.Chain, a.Kind, a.Valid, a.Reason, a.Normalized)
	}
	// Output:
	// true bitcoin p2pkh true  1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH
	// true bitcoin  false base58check checksum mismatch 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ
	// true evm account true  0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
}
