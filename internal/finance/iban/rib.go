package iban

import (
	"errors"
	"fmt"
)

// RIBLen is the length of a Moroccan RIB: bank 3, city/branch 5, account
// 14, key 2.
const RIBLen = 24

// ValidateRIB checks a Moroccan RIB in compact form (24 digits). The key is
// 97 − (first 22 digits × 100 mod 97), i.e. the whole RIB is 0 mod 97. No
// authoritative specification was found: this rule is inferred from
// independent valid Moroccan IBANs, whose embedded RIBs all satisfy it.
func ValidateRIB(rib string) error {
	if len(rib) != RIBLen {
		return fmt.Errorf("%d digits, a RIB has %d", len(rib), RIBLen)
	}
	r := 0
	for i := 0; i < len(rib); i++ {
		c := rib[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("character %d is not a digit", i+1)
		}
		r = (r*10 + int(c-'0')) % 97
	}
	if r != 0 {
		return errors.New("RIB key (last 2 digits) fails the mod-97 check")
	}
	return nil
}

// RIBToIBAN returns the Moroccan IBAN (MA + check digits + RIB) of a valid
// 24-digit RIB.
func RIBToIBAN(rib string) (string, error) {
	if err := ValidateRIB(rib); err != nil {
		return "", err
	}
	m := Mod97("MA00" + rib)
	return fmt.Sprintf("MA%02d%s", 98-m, rib), nil
}
