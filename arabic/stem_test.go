package arabic

import (
	"bufio"
	"compress/gzip"
	"os"
	"testing"
)

// TestSnowballVocabulary compares SnowballStem with Snowball's reference
// vocabulary (Debian snowball-data, GPL: read here, never copied). It checks
// every 16th pair by default; BASIRA_FULL_SNOWBALL=1 checks all 9.2 M.
func TestSnowballVocabulary(t *testing.T) {
	const dir = "/usr/share/snowball/data/arabic/"
	open := func(name string) (*bufio.Scanner, func()) {
		f, err := os.Open(dir + name)
		if err != nil {
			t.Skipf("Snowball vocabulary not installed (%v): apt-get install snowball-data", err)
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sc := bufio.NewScanner(z)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		return sc, func() { z.Close(); f.Close() }
	}
	voc, c1 := open("voc.txt.gz")
	defer c1()
	out, c2 := open("output.txt.gz")
	defer c2()
	every := 16
	if os.Getenv("BASIRA_FULL_SNOWBALL") == "1" {
		every = 1
	}
	n, checked, bad := 0, 0, 0
	for voc.Scan() {
		if !out.Scan() {
			t.Fatalf("output.txt.gz ends before voc.txt.gz at line %d", n+1)
		}
		n++
		if n%every != 0 {
			continue
		}
		checked++
		if got := SnowballStem(voc.Text()); got != out.Text() {
			bad++
			if bad <= 10 {
				t.Errorf("line %d: SnowballStem(%q) = %q, want %q", n, voc.Text(), got, out.Text())
			}
		}
	}
	if err := voc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked < 100000 {
		t.Fatalf("only %d pairs checked", checked)
	}
	t.Logf("Snowball vocabulary: %d of %d pairs checked, %d mismatches", checked, n, bad)
}

func TestStem(t *testing.T) {
	cases := []struct{ in, want string }{
		{"والكتاب", "كتاب"},
		{"ساهدون", "ساهد"},
		{"كبيرة", "كبير"},
		{"الو", "الو"},
		{"مشروبات", "مشروب"},
		{"English", "english"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Stem(c.in); got != c.want {
			t.Errorf("Stem(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestStemGolden is a sanity check against the golden word/stem corpus:
// the light stemmer is not a root extractor, so only agreement after
// removing ال is asserted as a floor.
func TestStemGolden(t *testing.T) {
	rows := readRows(t, refdataPath(t, "arabic/golden_word_stem_root.tsv"))
	agree := 0
	for _, r := range rows {
		if len(r) >= 2 && Stem(r[0]) == Fold(r[1]) {
			agree++
		}
	}
	share := float64(agree) / float64(len(rows))
	t.Logf("light stem equals the golden stem for %d of %d words (%.1f%%)", agree, len(rows), 100*share)
	if share < 0.17 {
		t.Errorf("light stemmer agrees with the golden stems on %.1f%% of words, want >= 17%%", 100*share)
	}
}
