package arabic

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

// TestAnalyzeGolden compares Analyze on real text (every line of the
// tweets, comments, Arabizi and probe files below, plus deterministic
// mutations that exercise elongation, spaced-out letters, tatweel splits,
// censoring marks and look-alikes) with a dump written by an earlier
// version of the code. It guards performance work, which must not change
// any result:
//
//	BASIRA_ANALYZE_GOLDEN=/tmp/golden BASIRA_ANALYZE_GOLDEN_WRITE=1 go test ./arabic -run AnalyzeGolden  # old code
//	BASIRA_ANALYZE_GOLDEN=/tmp/golden go test ./arabic -run AnalyzeGolden                             # new code
//
// The dump holds the text of the data sets, so it stays in a temporary
// folder and is never committed.
func TestAnalyzeGolden(t *testing.T) {
	dir := os.Getenv("BASIRA_ANALYZE_GOLDEN")
	if dir == "" {
		t.Skip("set BASIRA_ANALYZE_GOLDEN to a folder (and BASIRA_ANALYZE_GOLDEN_WRITE=1 to write it with the old code)")
	}
	inputs := goldenInputs(t)
	path := filepath.Join(dir, "analyze.jsonl")
	if os.Getenv("BASIRA_ANALYZE_GOLDEN_WRITE") != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		for _, in := range inputs {
			if err := enc.Encode(goldenRecord(in)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d records to %s", len(inputs), path)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (write the dump with the old code first: see the test's comment)", err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	bad := 0
	for i, in := range inputs {
		var want goldenDoc
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("record %d: %v (dump written from other inputs?)", i, err)
		}
		got := goldenRecord(in)
		// Invalid UTF-8 does not survive JSON: compare the results only.
		got.Original, want.Original = "", ""
		if g, w := mustJSON(got), mustJSON(want); g != w {
			bad++
			if bad <= 10 {
				t.Errorf("record %d differs:\n got %s\nwant %s", i, g, w)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d documents differ", bad, len(inputs))
	}
	t.Logf("%d documents compared", len(inputs))
}

type goldenDoc struct {
	Original string
	Folded   string
	Lang     string
	Tokens   []Token
	Fold     string
	Detect   string
	Translit string
}

func goldenRecord(in string) goldenDoc {
	d := Analyze(in)
	return goldenDoc{Original: in, Folded: d.Folded, Lang: d.Lang, Tokens: d.Tokens,
		Fold: Fold(in), Detect: DetectLang(in), Translit: Translit(in)}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// goldenInputs reads every line of the listed data files and adds
// mutations of a sample of them.
func goldenInputs(t *testing.T) []string {
	files := []string{
		"checkworthy/CT21-AR-Train-T1-Labels.tsv",
		"darija/ElecMorocco2016.tsv",
		"langid/haifaclg_arabizi_codeswitch/sen_annotated.csv",
		"arabic/arabizi/doda_mit_sentences_arabizi_english.tsv",
		"arabic/probes.tsv",
		"arabic/garabic_cases.tsv",
		"abuse/mlma/hate_speech_mlma/fr_dataset.csv",
		"abuse/osact2020/OSACT2020-sharedTask-dev.txt",
	}
	var lines []string
	for _, rel := range files {
		b, err := os.ReadFile(refdata.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
	}
	// Mutations: insert tricky runes between the bytes of a line (some at
	// invalid UTF-8 positions on purpose), or space out its letters.
	tricky := []string{"ـ", "\u200c", "\u200f", "*", " ", ".", "3", "7", "ا", "а", "ه", "ﷺ", "ل", "ـ ـ", " د ا ع ش ", "\xff", "٫", ",", "1", "ك", "ی", "ڭ", "T", "É"}
	rng := rand.New(rand.NewPCG(1, 2))
	n := len(lines)
	for i := 0; i < n; i += 3 {
		l := lines[i]
		if l == "" {
			continue
		}
		var b strings.Builder
		for j := 0; j < len(l); j++ {
			b.WriteByte(l[j])
			if rng.IntN(12) == 0 {
				b.WriteString(tricky[rng.IntN(len(tricky))])
			}
		}
		lines = append(lines, b.String())
		if i%2 == 0 {
			var sp strings.Builder
			for _, r := range l {
				sp.WriteRune(r)
				sp.WriteByte(' ')
			}
			lines = append(lines, sp.String())
		}
	}
	return lines
}
