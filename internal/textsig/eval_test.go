package textsig

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/basira-org/basira/internal/refdata"
)

// readTweets reads the tweet_text column of a CheckThat! 2021 task 1A file,
// keeping tweets of at least 8 words and dropping exact repeats.
func readTweets(t *testing.T, rel string) []string {
	t.Helper()
	f, err := os.Open(refdata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seen := map[string]bool{}
	var out []string
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 {
			continue
		}
		text := cols[3]
		if len(strings.Fields(Clean(text))) < 8 || seen[text] {
			continue
		}
		seen[text] = true
		out = append(out, text)
	}
	return out
}

var (
	emojis   = []string{"😡", "🔥", "💔", "🇵🇸", "👇", "‼️", "😢", "🙏", "✅", "⚠️"}
	prefixes = []string{"عاجل:", "انشروها", "شاهد", "هام جدا", "للنشر", "خبر عاجل 🔴", "RT"}
	tatweel  = "\u0640"
	zwnj     = "\u200c"
)

// edit returns a near-duplicate of text made by lo to hi of the edits
// people use to repost content past exact matching. hashtags are taken from
// other tweets.
func edit(r *rand.Rand, text string, hashtags []string, lo, hi int) string {
	words := strings.Fields(text)
	n := lo + r.IntN(hi-lo+1)
	for range n {
		if len(words) < 3 {
			break
		}
		switch r.IntN(9) {
		case 0: // emojis at the end or inside
			for range 1 + r.IntN(3) {
				i := r.IntN(len(words) + 1)
				words = insert(words, i, emojis[r.IntN(len(emojis))])
			}
		case 1: // hashtags added
			for range 1 + r.IntN(3) {
				words = append(words, hashtags[r.IntN(len(hashtags))])
			}
		case 2: // a few words moved
			for range 1 + r.IntN(2) {
				i := r.IntN(len(words) - 1)
				words[i], words[i+1] = words[i+1], words[i]
			}
		case 3: // evasion spelling: elongation, tatweel, zero-width joiners
			i := r.IntN(len(words))
			w := []rune(words[i])
			if len(w) > 2 {
				k := 1 + r.IntN(len(w)-1)
				ins := strings.Repeat(string(w[k-1]), 3)
				if r.IntN(2) == 0 {
					ins = tatweel + tatweel
				} else if r.IntN(2) == 0 {
					ins = zwnj
				}
				words[i] = string(w[:k]) + ins + string(w[k:])
			}
		case 4: // a word dropped
			i := r.IntN(len(words))
			words = append(words[:i], words[i+1:]...)
		case 5: // a prefix added
			words = append([]string{prefixes[r.IntN(len(prefixes))]}, words...)
		case 6: // link removed or added
			if !strings.Contains(strings.Join(words, " "), "http") {
				words = append(words, fmt.Sprintf("https://t.co/%x", r.Uint32()))
			} else {
				words = dropLinks(words)
			}
		case 7: // a word's hamza or alef written differently
			i := r.IntN(len(words))
			words[i] = strings.NewReplacer("ا", "أ", "ي", "ى", "ة", "ه").Replace(words[i])
		case 8: // the end cut off
			if len(words) > 10 {
				words = words[:len(words)-1-r.IntN(2)]
			}
		}
	}
	return strings.Join(words, " ")
}

func insert(s []string, i int, v string) []string {
	s = append(s, "")
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func dropLinks(ws []string) []string {
	out := ws[:0]
	for _, w := range ws {
		if !strings.HasPrefix(w, "http") {
			out = append(out, w)
		}
	}
	return out
}

func hashtagsOf(tweets []string) []string {
	var tags []string
	for _, t := range tweets {
		for _, w := range strings.Fields(t) {
			if strings.HasPrefix(w, "#") && utf8.RuneCountInString(w) > 3 {
				tags = append(tags, w)
			}
		}
	}
	return tags
}

// distinct drops tweets that are near-duplicates of an earlier one
// (estimated similarity >= 0.3): the source data holds quote-reposts of
// the same text, which would otherwise count as false positives.
func distinct(tweets []string) []string {
	x := NewIndex()
	var out []string
	for _, tw := range tweets {
		sig, err := Of(tw)
		if err != nil || len(x.Query(&sig, 0.3)) > 0 {
			continue
		}
		x.Add(uint32(len(out)), sig)
		out = append(out, tw)
	}
	return out
}

type evalResult struct {
	threshold        float64
	tp, fp, fn       int
	precision, recal float64
}

// evaluate puts half the tweets in an index (the bank), makes one edited
// copy of each (positives, which should match their original) and one of
// each other tweet (negatives, which should match nothing), and counts at
// each threshold: a positive whose best match is its original is a true
// positive; any other reported match is a false positive.
func evaluate(tweets []string, seed uint64, lo, hi int, thresholds []float64) []evalResult {
	r := rand.New(rand.NewPCG(seed, 42))
	tags := hashtagsOf(tweets)
	perm := r.Perm(len(tweets))
	bankN := len(tweets) / 2
	x := NewIndex()
	for _, i := range perm[:bankN] {
		sig, err := Of(tweets[i])
		if err != nil {
			continue
		}
		x.Add(uint32(i), sig)
	}
	type query struct {
		sig  Signature
		want int // -1: should match nothing
	}
	var qs []query
	for k, i := range perm {
		want := i
		if k >= bankN {
			want = -1
		}
		sig, err := Of(edit(r, tweets[i], tags, lo, hi))
		if err != nil {
			if want >= 0 {
				qs = append(qs, query{want: want}) // a miss: counted as fn
			}
			continue
		}
		qs = append(qs, query{sig: sig, want: want})
	}
	lowest := thresholds[0]
	var out []evalResult
	results := make([][]Match, len(qs))
	for i, q := range qs {
		if q.sig != (Signature{}) {
			results[i] = x.Query(&q.sig, lowest)
		}
	}
	for _, th := range thresholds {
		var e evalResult
		e.threshold = th
		for i, q := range qs {
			found := false
			for _, m := range results[i] {
				if m.Similarity < th {
					continue
				}
				if int(m.ID) == q.want {
					found = true
				} else {
					e.fp++
				}
			}
			switch {
			case found:
				e.tp++
			case q.want >= 0:
				e.fn++
			}
		}
		e.precision = float64(e.tp) / float64(max(1, e.tp+e.fp))
		e.recal = float64(e.tp) / float64(max(1, e.tp+e.fn))
		out = append(out, e)
	}
	return out
}

// TestNearDuplicateEval measures precision and recall of near-duplicate
// matching on Arabic tweets (CheckThat! 2021 1A): thresholds are compared
// on the train file, the chosen DefaultThreshold is then checked on the dev
// file, which played no part in choosing it.
func TestNearDuplicateEval(t *testing.T) {
	train := distinct(readTweets(t, "checkworthy/CT21-AR-Train-T1-Labels.tsv"))
	dev := distinct(readTweets(t, "checkworthy/CT21-AR-Dev-T1-Labels.tsv"))
	ths := []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}
	var table strings.Builder
	for _, edits := range [][2]int{{1, 4}, {5, 8}} {
		fmt.Fprintf(&table, "\ntrain (%d tweets), %d-%d edits per copy:\n| threshold | precision | recall | tp | fp | fn |\n|---|---|---|---|---|---|\n", len(train), edits[0], edits[1])
		for _, e := range evaluate(train, 1, edits[0], edits[1], ths) {
			fmt.Fprintf(&table, "| %.1f | %.4f | %.4f | %d | %d | %d |\n", e.threshold, e.precision, e.recal, e.tp, e.fp, e.fn)
		}
	}
	var d evalResult
	for _, edits := range [][2]int{{1, 4}, {5, 8}} {
		e := evaluate(dev, 2, edits[0], edits[1], []float64{DefaultThreshold})[0]
		fmt.Fprintf(&table, "dev (%d tweets), %d-%d edits, at %.1f: precision %.4f recall %.4f (tp %d fp %d fn %d)\n",
			len(dev), edits[0], edits[1], e.threshold, e.precision, e.recal, e.tp, e.fp, e.fn)
		if edits[0] == 1 {
			d = e
		}
	}
	t.Log(table.String())
	if d.recal < 0.9 || d.precision < 0.97 {
		t.Errorf("dev at threshold %.2f: precision %.3f recall %.3f, want >= 0.97 and >= 0.90", DefaultThreshold, d.precision, d.recal)
	}
}
