package iban

import "testing"

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"MA64011519000001205000534921", "GB82 WEST 1234 5698 7654 32", "IBAN: AL47 2121 1009", "011519000001205000534921"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Validate(s)
		if r.Valid && (Mod97(r.Normalized) != 1 || len(r.Normalized) != Length(r.Country)) {
			t.Fatalf("valid but %+v", r)
		}
		if ValidateRIB(s) == nil {
			if _, err := RIBToIBAN(s); err != nil {
				t.Fatal(err)
			}
		}
	})
}
