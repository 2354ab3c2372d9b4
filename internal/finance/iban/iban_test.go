package iban

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

func readLines(t *testing.T, rel string, sep string) [][]string {
	t.Helper()
	f, err := os.Open(refdata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), sep))
	}
	if len(rows) == 0 {
		t.Fatalf("%s: empty", rel)
	}
	return rows
}

func TestRegistry(t *testing.T) {
	// Every registry country: the example IBAN validates, the length and
	// the format agree with Basira's table.
	for _, r := range readLines(t, "finance/iban/php-iban_registry.txt", "|") {
		cc, example := r[0], r[7]
		if cc == "AA" {
			continue // IIBAN, not a country
		}
		if got := Validate(example); !got.Valid {
			t.Errorf("%s example %s: %s", cc, example, got.Reason)
		}
		if Length(cc) != len(example) || r[10] != itoa(len(example)) {
			t.Errorf("%s: Length = %d, registry says %s", cc, Length(cc), r[10])
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestPhpIbanExamples(t *testing.T) {
	// Real IBANs as people wrote them: all valid once every separator is
	// removed, which is what Compact does for the separators it knows.
	n := 0
	for _, r := range readLines(t, "finance/iban/php-iban_example_ibans.tsv", "\t") {
		raw, aggressive := r[1], r[5]
		if got := Validate(aggressive); !got.Valid {
			t.Errorf("%s: %s", aggressive, got.Reason)
		}
		if r[3] == "valid" {
			n++
			if got := Validate(raw); !got.Valid {
				t.Errorf("raw %q: %s", raw, got.Reason)
			}
		}
	}
	if n < 1200 {
		t.Fatalf("only %d valid rows", n)
	}
}

func TestStdnumCases(t *testing.T) {
	for _, r := range readLines(t, "finance/iban/python-stdnum_iban_cases.tsv", "\t") {
		got := Validate(r[0])
		if got.Valid != (r[1] == "valid") {
			t.Errorf("Validate(%q) = %+v, want %s (%s)", r[0], got, r[1], r[2])
		}
	}
}

func TestMorocco(t *testing.T) {
	for _, r := range readLines(t, "finance/iban/morocco_iban_rib_cases.tsv", "\t") {
		in, kind, exp := r[0], r[1], r[2]
		switch kind {
		case "iban":
			if got := Validate(in); got.Valid != (exp == "valid") {
				t.Errorf("Validate(%q) = %+v, want %s (%s)", in, got, exp, r[3])
			}
		case "rib":
			err := ValidateRIB(in)
			if (err == nil) != (exp == "valid") {
				t.Errorf("ValidateRIB(%q) = %v, want %s", in, err, exp)
			}
			if err == nil {
				ib, err := RIBToIBAN(in)
				if err != nil || !Validate(ib).Valid {
					t.Errorf("RIBToIBAN(%q) = %q, %v", in, ib, err)
				}
			}
		}
	}
	if ib, _ := RIBToIBAN("011519000001205000534921"); ib != "MA64011519000001205000534921" {
		t.Errorf("RIBToIBAN = %q", ib)
	}
}
