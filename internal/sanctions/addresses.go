package sanctions

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParseAddressList reads a plain list of sanctioned addresses of one
// currency, one per line ("#" comments and blank lines skipped), as the
// public per-currency extracts of OFAC's list are published. Each address
// becomes an entry of its own, named after the currency: the extract
// carries no names.
func ParseAddressList(r io.Reader, currency string) ([]Entry, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxInput))
	var out []Entry
	line := 0
	for sc.Scan() {
		line++
		a := strings.TrimSpace(sc.Text())
		if a == "" || strings.HasPrefix(a, "#") {
			continue
		}
		if strings.ContainsAny(a, " \t,;") || len(a) > 128 {
			return nil, fmt.Errorf("line %d: %q is not one address", line, a)
		}
		out = append(out, Entry{ID: currency + ":" + a, Type: "wallet", Name: "OFAC-listed " + currency + " address",
			Wallets: []Wallet{{Currency: currency, Address: a}}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}
