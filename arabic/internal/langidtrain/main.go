// Command langidtrain rebuilds arabic/langid_model.bin, the embedded
// language-identification model, from training data whose licences allow
// shipping a derived model:
//
//   - lingua-go test sets (Apache-2.0): ar, fa, ur, fr, en sentences, word
//     pairs and single words;
//   - DODa sentences at the MIT-licensed commit: Darija in Arabizi (ary-Latn)
//     and, through arabic.Translit, in Arabic script (ary); half of their
//     English translations (en);
//   - arabic/darija_lexicon.txt and dialect_markers.txt, written for
//     Basira (ary, ar-dialect);
//   - OSACT 2020 train tweets (CC-BY) and MLMA Arabic tweets (MIT), mostly
//     Egyptian, Gulf and Levantine (ar-dialect).
//
// Lines whose index i satisfies arabic.HeldOut(i) are never used: they are
// the evaluation split that `basira text eval` and the tests report.
// HaifaCLG, ElecMorocco and DODa v2 (no licence or CC-BY-NC) are never read
// here. Run from the arabic folder through `go generate ./arabic`.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/basira-org/basira/arabic"
)

func main() {
	data := flag.String("data", os.Getenv("BASIRA_DATA"), "reference data folder (shared/data)")
	out := flag.String("out", "langid_model.bin", "output model file")
	lexicon := flag.String("lexicon", "darija_lexicon.txt", "hand-written Darija lexicon")
	markers := flag.String("markers", "dialect_markers.txt", "hand-written dialect marker words")
	epochs := flag.Int("epochs", 8, "training epochs")
	flag.Parse()
	if *data == "" {
		*data = filepath.Join("..", "..", "shared", "data")
	}
	samples, err := load(*data, *lexicon, *markers)
	if err != nil {
		fmt.Fprintf(os.Stderr, "langidtrain: %v\n", err)
		os.Exit(1)
	}
	model, err := arabic.TrainLangID(samples, *epochs, 20261129)
	if err != nil {
		fmt.Fprintf(os.Stderr, "langidtrain: %v\n", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "langidtrain: %v\n", err)
		os.Exit(1)
	}
	counts := map[string]int{}
	for _, s := range samples {
		counts[s.Lang]++
	}
	fmt.Fprintf(os.Stderr, "langidtrain: %d samples %v -> %s (%d bytes)\n", len(samples), counts, *out, len(model))
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%v (set -data or BASIRA_DATA to the shared/data folder)", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if t := sc.Text(); !strings.HasPrefix(t, "#") && strings.TrimSpace(t) != "" {
			lines = append(lines, t)
		}
	}
	return lines, sc.Err()
}

func load(data, lexiconPath, markersPath string) ([]arabic.LangSample, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	var samples []arabic.LangSample
	var msaTrain []string
	for _, lang := range []string{"ar", "fa", "ur", "fr", "en"} {
		for _, kind := range []string{"sentences", "word-pairs", "single-words"} {
			lines, err := readLines(filepath.Join(data, "langid", "lingua_testdata", kind, lang+".txt"))
			if err != nil {
				return nil, err
			}
			for i, l := range lines {
				if arabic.HeldOut(i) {
					continue
				}
				samples = append(samples, arabic.LangSample{Text: l, Lang: lang})
				if lang == "ar" && kind == "sentences" {
					msaTrain = append(msaTrain, l)
				}
			}
		}
	}
	lines, err := readLines(filepath.Join(data, "arabic", "arabizi", "doda_mit_sentences_arabizi_english.tsv"))
	if err != nil {
		return nil, err
	}
	for i, l := range lines {
		if arabic.HeldOut(i) {
			continue
		}
		az, en, _ := strings.Cut(l, "\t")
		samples = append(samples, arabic.LangSample{Text: az, Lang: arabic.LangArabizi})
		if en != "" && i%2 == 0 {
			// Conversational English, weighted to about as much as lingua's.
			samples = append(samples, arabic.LangSample{Text: en, Lang: arabic.LangEnglish, Weight: 0.12})
		}
		samples = append(samples, arabic.LangSample{Text: arabic.Translit(az), Lang: arabic.LangDarija})
		// People writing Darija in Arabic script mostly leave short vowels
		// out: add a spelling drawn from each word's best candidates.
		samples = append(samples, arabic.LangSample{Text: sampleSpelling(az, rng), Lang: arabic.LangDarija})
		// Short pieces, as posts and lingua's word pairs are short.
		if w := strings.Fields(az); len(w) > 2 && i%3 == 0 {
			k := rng.IntN(len(w) - 1)
			chunk := strings.Join(w[k:k+1+rng.IntN(2)], " ")
			samples = append(samples, arabic.LangSample{Text: chunk, Lang: arabic.LangArabizi})
			samples = append(samples, arabic.LangSample{Text: arabic.Translit(chunk), Lang: arabic.LangDarija})
		}
	}
	pairs, err := readLines(filepath.Join(data, "arabic", "arabizi", "doda_mit_imagenet_general_pairs.tsv"))
	if err != nil {
		return nil, err
	}
	for _, l := range pairs {
		az, ar, _ := strings.Cut(l, "\t")
		samples = append(samples, arabic.LangSample{Text: az, Lang: arabic.LangArabizi}, arabic.LangSample{Text: ar, Lang: arabic.LangDarija})
	}
	lex, err := readLines(lexiconPath)
	if err != nil {
		return nil, err
	}
	var words []string
	for _, l := range lex {
		words = append(words, strings.Fields(l)...)
	}
	for _, w := range words {
		samples = append(samples, arabic.LangSample{Text: w, Lang: arabic.LangDarija})
	}
	// Darija as people write it: sentences of lexicon words, and MSA-looking
	// sentences carrying Darija markers (comments often mix both).
	for range 1500 {
		n := 2 + rng.IntN(6)
		var b []string
		for range n {
			b = append(b, words[rng.IntN(len(words))])
		}
		samples = append(samples, arabic.LangSample{Text: strings.Join(b, " "), Lang: arabic.LangDarija})
	}
	for i, s := range msaTrain {
		if i%2 == 0 {
			continue
		}
		w := strings.Fields(s)
		for range 2 {
			k := rng.IntN(len(w) + 1)
			w = append(w[:k], append([]string{words[rng.IntN(len(words))]}, w[k:]...)...)
		}
		samples = append(samples, arabic.LangSample{Text: strings.Join(w, " "), Lang: arabic.LangDarija})
	}
	// Other dialects: tweets of OSACT 2020 train (CC-BY) and MLMA Arabic
	// (MIT), mostly Egyptian, Gulf and Levantine, without their
	// placeholders. Only the tweets with an Egyptian/Gulf/Levantine/Iraqi
	// marker word (dialect_markers.txt) are kept: the others are as often
	// MSA, which would teach the model to call MSA a dialect.
	markers, err := readLines(markersPath)
	if err != nil {
		return nil, err
	}
	east := map[string]bool{}
	group := ""
	for _, l := range markers {
		if strings.HasPrefix(l, "[") {
			group, _, _ = strings.Cut(l[1:], "]")
			continue
		}
		if group == "ar-dialect" {
			for _, w := range strings.Fields(arabic.Fold(l)) {
				east[w] = true
			}
		}
	}
	dialectal := func(t string) bool {
		for _, tk := range arabic.Tokenize(t) {
			if east[tk.Text] || east[arabic.StripClitics(tk.Text)] {
				return true
			}
		}
		return false
	}
	osact, err := readLines(filepath.Join(data, "abuse", "osact2020", "OSACT2020-sharedTask-train.txt"))
	if err != nil {
		return nil, err
	}
	for i, l := range osact {
		if arabic.HeldOut(i) {
			continue
		}
		text, _, _ := strings.Cut(l, "\t")
		if text = cleanTweet(text); dialectal(text) {
			samples = append(samples, arabic.LangSample{Text: text, Lang: arabic.LangOtherDialect})
		}
	}
	mlma, err := readCSVColumn(filepath.Join(data, "abuse", "mlma", "hate_speech_mlma", "ar_dataset.csv"), "tweet")
	if err != nil {
		return nil, err
	}
	for i, l := range mlma {
		if arabic.HeldOut(i) {
			continue
		}
		if text := cleanTweet(l); dialectal(text) {
			samples = append(samples, arabic.LangSample{Text: text, Lang: arabic.LangOtherDialect})
		}
	}
	// The marker words of the dialect cue, one by one: Moroccan ones as
	// ary, Egyptian/Gulf/Levantine/Iraqi ones as ar-dialect.
	group = ""
	for _, l := range markers {
		if strings.HasPrefix(l, "[") {
			group, _, _ = strings.Cut(l[1:], "]")
			continue
		}
		lang := map[string]string{"ary": arabic.LangDarija, "ar-dialect": arabic.LangOtherDialect}[group]
		if lang == "" {
			continue
		}
		for _, w := range strings.Fields(l) {
			samples = append(samples, arabic.LangSample{Text: w, Lang: lang})
		}
	}
	return samples, nil
}

// cleanTweet drops the placeholders and retweet marks of the tweet sets
// (RT, @USER, URL, <LF>), which would otherwise mark their class.
func cleanTweet(t string) string {
	t = strings.ReplaceAll(t, "<LF>", " ")
	var out []string
	for _, w := range strings.Fields(t) {
		lw := strings.ToLower(strings.TrimRight(w, ":…."))
		if lw == "rt" || lw == "@user" || lw == "url" || lw == "@url" || strings.HasPrefix(lw, "http") || strings.HasPrefix(lw, "@") {
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// readCSVColumn reads one named column of a CSV file with a header.
func readCSVColumn(path, name string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := slices.Index(head, name)
	if col < 0 {
		return nil, fmt.Errorf("%s: no column %q", path, name)
	}
	var out []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if col < len(rec) {
			out = append(out, rec[col])
		}
	}
}

// sampleSpelling transliterates an Arabizi sentence choosing, for each
// word, one of its three best spellings (weights 0.4, 0.35, 0.25).
func sampleSpelling(az string, rng *rand.Rand) string {
	var out []string
	for _, w := range strings.Fields(az) {
		c := arabic.TranslitCandidates(w, 3)
		if len(c) == 0 {
			continue
		}
		x := rng.Float64()
		k := 0
		switch {
		case x > 0.75 && len(c) > 2:
			k = 2
		case x > 0.4 && len(c) > 1:
			k = 1
		}
		out = append(out, c[k])
	}
	return strings.Join(out, " ")
}
