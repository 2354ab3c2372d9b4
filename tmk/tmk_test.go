package tmk

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func samples(t testing.TB) map[string]*Features {
	d := os.Getenv("BASIRA_DATA")
	if d == "" {
		d = "/work/shared/data"
	}
	ms, _ := filepath.Glob(filepath.Join(d, "pdq", "tmk", "sample-hashes", "*.tmk"))
	if len(ms) == 0 {
		t.Skip("ThreatExchange TMK sample hashes not found (set BASIRA_DATA)")
	}
	out := map[string]*Features{}
	for _, m := range ms {
		f, err := os.Open(m)
		if err != nil {
			t.Fatal(err)
		}
		fv, err := Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		out[strings.TrimSuffix(filepath.Base(m), ".tmk")] = fv
	}
	return out
}

// TestSamples: every sample parses; each video matches itself with
// level-2 score 1; edits of one video (the chair cuts, the pattern
// videos) match each other and never a video of the other groups.
func TestSamples(t *testing.T) {
	fs := samples(t)
	group := func(n string) string {
		switch {
		case strings.HasPrefix(n, "chair"):
			return "chair"
		case strings.HasPrefix(n, "pattern"):
			return "pattern"
		}
		return n
	}
	matched := map[string]float64{}
	for a, fa := range fs {
		if fa.Algorithm != "PDQF" || len(fa.Periods) != 4 || len(fa.Coefficients) != 32 || len(fa.Average) != 256 {
			t.Fatalf("%s: %s %d %d %d", a, fa.Algorithm, len(fa.Periods), len(fa.Coefficients), len(fa.Average))
		}
		for b, fb := range fs {
			l1, l2, ok, err := Match(fa, fb, DefaultLevel1, DefaultLevel2)
			if err != nil {
				t.Fatal(err)
			}
			if a == b && (l2 < 0.999 || l2 > 1.001) {
				t.Errorf("%s with itself: level 2 %.4f", a, l2)
			}
			if group(a) != group(b) && ok {
				t.Errorf("%s matches %s (%.3f, %.3f)", a, b, l1, l2)
			}
			if group(a) == group(b) && !ok {
				t.Logf("%s does not match %s (%.3f, %.3f): a large logo changes the average frame", a, b, l1, l2)
			}
			if ok && a < b {
				matched[a+" "+b] = l2
			}
		}
	}
	// Edits without a large logo match across resolution, colour and bars.
	for _, p := range []string{"chair-19-sd-bar chair-20-sd-bar", "chair-22-sd-grey-bar chair-orig-22-sd-bar", "chair-orig-22-fhd-no-bar chair-orig-22-hd-no-bar", "pattern-hd-no-bar pattern-sd-grey-bar"} {
		if _, ok := matched[p]; !ok {
			t.Errorf("%s: no match", p)
		}
	}
	t.Logf("%d matching pairs of different videos: %v", len(matched), matched)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("TMK1FVECPDQF\x0f\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fv, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		_ = Level1(fv, fv)
		if len(data) < 1<<16 {
			_ = Level2(fv, fv)
		}
	})
}
