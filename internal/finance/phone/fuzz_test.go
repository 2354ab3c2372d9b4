package phone

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"+212 (0) 6 50 12 34 56", "06.50.12.34.56", "00212650123456", "+44 20 7123 4567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := Parse(s)
		if !ok {
			return
		}
		if !strings.HasPrefix(n.E164, "+") || len(n.E164) > 16 {
			t.Fatalf("bad E.164 %q from %q", n.E164, s)
		}
		if n.Valid && n.Country == "212" && len(n.E164) != 13 {
			t.Fatalf("valid Moroccan number of wrong length: %+v", n)
		}
	})
}
