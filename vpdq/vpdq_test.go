package vpdq

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/pdq"
)

func sample(t testing.TB, name string) []Feature {
	t.Helper()
	d := os.Getenv("BASIRA_DATA")
	if d == "" {
		d = "/work/shared/data"
	}
	f, err := os.Open(filepath.Join(d, "pdq", "vpdq", "sample-hashes", name))
	if err != nil {
		t.Skipf("ThreatExchange vPDQ sample hashes not found (set BASIRA_DATA): %v", err)
	}
	defer f.Close()
	fs, err := ParseFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestParseWriteFile(t *testing.T) {
	fs := sample(t, "chair-19-sd-bar.txt")
	if len(fs) != 564 || fs[1].Frame != 1 || fs[1].Quality != 100 || fs[563].Timestamp != 18.767 ||
		fs[0].Hash.String() != "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c" {
		t.Fatalf("parsed %d features, %+v", len(fs), fs[1])
	}
	var b bytes.Buffer
	if err := WriteFile(&b, fs); err != nil {
		t.Fatal(err)
	}
	back, err := ParseFile(&b)
	if err != nil || len(back) != len(fs) || back[563] != fs[563] {
		t.Fatalf("round trip: %v %d", err, len(back))
	}
	sig := FormatSignal(fs[:3])
	if !strings.HasPrefix(sig, `["e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,100,0.000", `) {
		t.Errorf("signal %s", sig)
	}
	got, err := ParseSignal(sig)
	if err != nil || len(got) != 3 || got[2].Hash != fs[2].Hash || got[2].Timestamp != fs[2].Timestamp {
		t.Errorf("signal round trip: %v %+v", err, got)
	}
	// python-threatexchange prints timestamps to 3 significant digits.
	if got, err := ParseSignal(`["` + fs[0].Hash.String() + `,87,1.23e+02"]`); err != nil || got[0].Timestamp != 123 || got[0].Quality != 87 {
		t.Errorf("python timestamp: %v %+v", err, got)
	}
	for _, bad := range []string{`{}`, `["x,1,0"]`, `["` + fs[0].Hash.String() + `,101,0"]`, `["` + fs[0].Hash.String() + `,1,-1"]`, `["` + fs[0].Hash.String() + `,1"]`} {
		if _, err := ParseSignal(bad); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestMatch(t *testing.T) {
	a := sample(t, "chair-19-sd-bar.txt")
	b := sample(t, "chair-20-sd-bar.txt")
	c := sample(t, "pattern-hd-no-bar.txt")
	if r := Match(a, a, Options{}); r.QueryPercent != 100 || r.ComparedPercent != 100 {
		t.Errorf("self %+v", r)
	}
	// Two edits of one video match; unrelated videos do not.
	if r := Match(a, b, Options{}); !r.IsMatch(DefaultQueryPercent, DefaultIndexPercent) {
		t.Errorf("chair 19 / 20 %+v", r)
	}
	if r := Match(a, c, Options{}); r.IsMatch(DefaultQueryPercent, DefaultIndexPercent) || r.QueryPercent > 5 {
		t.Errorf("chair / pattern %+v", r)
	}
	// The quality filter: all frames under it leave nothing to compare.
	low := append([]Feature(nil), a...)
	for i := range low {
		low[i].Quality = 10
	}
	if r := Match(low, a, Options{}); r != (Result{}) {
		t.Errorf("low quality %+v", r)
	}
	if r := Match(low, a, Options{Quality: -1}); r.QueryPercent != 100 {
		t.Errorf("quality filter off %+v", r)
	}
	// The distance bound: <= in python-threatexchange, < in the C++ tool.
	var h1, h2 pdq.Hash
	for k := range 31 {
		h2[k/64] |= 1 << (k % 64)
	}
	x := []Feature{{Quality: 100, Hash: h1}}
	y := []Feature{{Quality: 100, Hash: h2}}
	if r := Match(x, y, Options{}); r.QueryPercent != 100 {
		t.Errorf("31 bits, python: %+v", r)
	}
	if r := Match(x, y, Options{Reference: true}); r.QueryPercent != 0 {
		t.Errorf("31 bits, C++: %+v", r)
	}
	// Dedupe: a repeated frame counts once in python-threatexchange.
	z := []Feature{{Quality: 100, Hash: h1}, {Quality: 100, Hash: h1}, {Quality: 100, Hash: pdq.Hash{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}}
	if r := Match(z, x, Options{}); r.QueryPercent != 50 {
		t.Errorf("dedupe: %+v", r)
	}
	if r := Match(z, x, Options{Reference: true}); r.QueryPercent < 66 || r.QueryPercent > 67 {
		t.Errorf("no dedupe: %+v", r)
	}
}

func FuzzParseSignal(f *testing.F) {
	f.Add(`["e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,100,0.000"]`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ParseSignal(s)
		if err != nil {
			return
		}
		back, err := ParseSignal(FormatSignal(fs))
		if err != nil || len(back) != len(fs) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzParseFile(f *testing.F) {
	f.Add("0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n")
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ParseFile(strings.NewReader(s))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := WriteFile(&b, fs); err != nil {
			t.Fatal(err)
		}
		if back, err := ParseFile(&b); err != nil || len(back) != len(fs) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
