// Package evalset reads the reference texts that rule packs are evaluated
// on: benign Arabic text that must not be flagged (fact-check tweets and
// claims, check-worthiness tweets, Moroccan Facebook comments, tweets
// labelled not offensive) and comments Al Jazeera deleted, which hold real
// extremist speech. The files stay in the shared reference data folder
// (refdata); nothing is copied into the project.
package evalset

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Text is one text of an evaluation set.
type Text struct {
	// Source names the set (claims-queries, verified-claims, checkworthy,
	// darija, osact2022-not-off, aj-deleted).
	Source string
	// ID locates the text: file name and line.
	ID   string
	Text string
	// Label is the set's own label, if any (for aj-deleted: 0 clean, -1
	// offensive, -2 obscene).
	Label string
}

// BenignSources are the sources Benign reads, in order: Arabic, everyday
// Darija in Arabizi (DODa sentences, with their Arabic-script spelling
// where the set has one), and en-claims (English fact-checks and tweets,
// CheckThat! 2022 2A), which tests the French/English rules on news about
// terrorism in English.
var BenignSources = []string{"claims-queries", "verified-claims", "checkworthy", "darija", "osact2022-not-off", "arabizi", "en-claims"}

// Benign reads the benign texts of the reference data folder dir.
func Benign(dir string) ([]Text, error) {
	var out []Text
	// CheckThat! 2021 2A tweets: tab-separated, quoted, multi-line.
	for _, name := range []string{"CT2021-Task2A-AR-Train_Queries.txt", "CT2021-Task2A-AR-Dev_Queries.txt"} {
		ts, err := readQuoted(filepath.Join(dir, "claims/ar-ct2021-2a", name))
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	sets := []struct {
		source, rel string
		cols        []int
		header      bool
		keep        func([]string) bool
	}{
		{"verified-claims", "claims/ar-ct2021-2a/CT2021-Task2A-AR-Verified_Claims.PARTIAL_reconstructed.tsv", []int{1, 2}, true, nil},
		{"checkworthy", "checkworthy/CT21-AR-Train-T1-Labels.tsv", []int{3}, true, nil},
		{"checkworthy", "checkworthy/CT21-AR-Dev-T1-Labels.tsv", []int{3}, true, nil},
		{"darija", "darija/ElecMorocco2016.tsv", []int{1}, true, nil},
		{"osact2022-not-off", "abuse/osact2022/OSACT2022-sharedTask-train.txt", []int{1}, false,
			func(f []string) bool { return len(f) > 2 && strings.TrimSpace(f[2]) == "NOT_OFF" }},
		{"arabizi", "arabic/arabizi/doda_mit_sentences_arabizi_english.tsv", []int{0}, false, notComment},
		{"arabizi", "arabic/arabizi/doda_v2_sentence_pairs_sample1000.CC-BY-NC-4.0.tsv", []int{0, 1}, false, notComment},
	}
	for _, s := range sets {
		err := eachLine(filepath.Join(dir, s.rel), s.header, func(line int, f []string) {
			if s.keep != nil && !s.keep(f) {
				return
			}
			for _, c := range s.cols {
				if c < len(f) {
					out = appendText(out, Text{Source: s.source, ID: fmt.Sprintf("%s:%d", filepath.Base(s.rel), line), Text: f[c]})
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	en, err := englishClaims(filepath.Join(dir, "claims/en-ct2022-2a"))
	if err != nil {
		return nil, err
	}
	return append(out, en...), nil
}

// englishClaims reads the English verified claims (title, subtitle, claim)
// and the English tweets of CheckThat! 2022 2A.
func englishClaims(dir string) ([]Text, error) {
	var out []Text
	const name = "CT2022-Task2A-EN-vclaims.jsonl"
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var c struct{ Title, Subtitle, Vclaim string }
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		for _, t := range []string{c.Title, c.Subtitle, c.Vclaim} {
			out = appendText(out, Text{Source: "en-claims", ID: fmt.Sprintf("%s:%d", name, n), Text: t})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, q := range []string{"CT2022-Task2A-EN-Train-Dev_Queries.tsv", "CT2022-Task2A-EN-Dev-Test_Queries.tsv"} {
		err := eachLine(filepath.Join(dir, q), false, func(line int, f []string) {
			if len(f) >= 2 {
				out = appendText(out, Text{Source: "en-claims", ID: fmt.Sprintf("%s:%d", q, line), Text: f[1]})
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeletedComments reads the 31,692 comments Al Jazeera deleted (Mubarak et
// al. 2017), with their offensiveness label.
func DeletedComments(dir string) ([]Text, error) {
	var out []Text
	for _, name := range []string{"AJ-train.tsv", "AJ-dev.tsv", "AJ-test.tsv"} {
		err := eachLine(filepath.Join(dir, "abuse/mubarak2017_aj_tweets", name), true, func(line int, f []string) {
			if len(f) >= 3 {
				out = appendText(out, Text{Source: "aj-deleted", ID: fmt.Sprintf("%s:%d", name, line), Text: f[1], Label: f[2]})
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// notComment skips the "# …" provenance lines of the DODa files.
func notComment(f []string) bool { return len(f) > 0 && !strings.HasPrefix(f[0], "#") }

func appendText(out []Text, t Text) []Text {
	if t.Text = strings.TrimSpace(t.Text); t.Text != "" {
		out = append(out, t)
	}
	return out
}

// eachLine calls fn with the tab-separated fields of each line (numbered
// from 1), skipping a header line if there is one.
func eachLine(path string, header bool, fn func(line int, fields []string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if n == 1 && header {
			continue
		}
		fn(n, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readQuoted reads the tweet_text column of a CheckThat! queries file.
func readQuoted(path string) ([]Text, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	var out []Text
	for i := 0; ; i++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if i > 0 && len(rec) >= 2 {
			line, _ := r.FieldPos(0)
			out = appendText(out, Text{Source: "claims-queries", ID: fmt.Sprintf("%s:%d", filepath.Base(path), line), Text: rec[1]})
		}
	}
}
