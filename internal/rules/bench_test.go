package rules

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/refdata"
)

// Benchmarks run synthetic rule sets built from the vocabulary of real
// posts (Moroccan Facebook comments and Arabic tweets of the reference
// data) over those posts, so terms hit at realistic rates.

type benchCorpus struct {
	texts  []string
	docs   []*arabic.Doc
	words  []string // vocabulary ranked by frequency, the 1,000 most frequent skipped
	rare   []string // words seen two or three times
	absent []string // reversed words that occur in no post: rules that never fire
	pairs  []string // two-word phrases seen in the posts
}

var (
	corpusOnce sync.Once
	corpus     *benchCorpus
	corpusErr  string
)

func loadBenchCorpus(b *testing.B) *benchCorpus {
	b.Helper()
	darija := refdata.Path(b, "darija/ElecMorocco2016.tsv")
	tweets := refdata.Path(b, "checkworthy/CT21-AR-Train-T1-Labels.tsv")
	corpusOnce.Do(func() {
		c := &benchCorpus{}
		for _, f := range []struct {
			path string
			col  int
		}{{darija, 1}, {tweets, 3}} {
			fh, err := os.Open(f.path)
			if err != nil {
				corpusErr = err.Error()
				return
			}
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for i := 0; sc.Scan(); i++ {
				fields := strings.Split(sc.Text(), "\t")
				if i == 0 || f.col >= len(fields) {
					continue
				}
				if t := strings.TrimSpace(fields[f.col]); t != "" && len(t) <= 560 {
					c.texts = append(c.texts, t)
				}
			}
			fh.Close()
		}
		freq := map[string]int{}
		pairSeen := map[string]bool{}
		for _, t := range c.texts {
			d := arabic.Analyze(t)
			c.docs = append(c.docs, d)
			for i, tk := range d.Tokens {
				freq[tk.Text]++
				if i > 0 && len(c.pairs) < 50000 {
					p := d.Tokens[i-1].Text + " " + tk.Text
					if !pairSeen[p] {
						pairSeen[p] = true
						c.pairs = append(c.pairs, p)
					}
				}
			}
		}
		for w, n := range freq {
			if n >= 2 && len([]rune(w)) >= 3 {
				c.words = append(c.words, w)
			}
		}
		sort.Slice(c.words, func(i, j int) bool {
			if freq[c.words[i]] != freq[c.words[j]] {
				return freq[c.words[i]] > freq[c.words[j]]
			}
			return c.words[i] < c.words[j]
		})
		for _, w := range c.words {
			if n := freq[w]; n <= 3 {
				c.rare = append(c.rare, w)
			}
			r := []rune(w)
			slices.Reverse(r)
			if rw := string(r); freq[rw] == 0 {
				c.absent = append(c.absent, rw)
			}
		}
		// Skip the 1,000 most frequent words: analysts do not write rules
		// on stop words and everyday vocabulary.
		c.words = c.words[min(1000, len(c.words)):]
		corpus = c
	})
	if corpusErr != "" {
		b.Fatal(corpusErr)
	}
	return corpus
}

// Vocabularies of the synthetic rule sets.
const (
	// dense: words of the posts themselves past the 1,000 most frequent,
	// and two-word phrases of the posts. At 10,000 rules nearly every
	// word of a post is in some rule: the worst case.
	dense = "dense"
	// rare: words seen two or three times in the posts.
	rare = "rare"
	// absent: 10 dense rules plus rules over words that occur in no post,
	// which isolates the cost of rules that do not match.
	absent = "absent"
)

// syntheticRules generates n rules mixing any, all, near and none over a
// vocabulary, deterministically.
func syntheticRules(c *benchCorpus, n int, vocab string) []*Rule {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	i := 0
	term := func() string {
		switch {
		case vocab == rare:
			return c.rare[rng.IntN(len(c.rare))]
		case vocab == absent && i >= 10:
			return c.absent[rng.IntN(len(c.absent))]
		case rng.IntN(10) < 3:
			return c.pairs[rng.IntN(len(c.pairs))]
		}
		return c.words[rng.IntN(len(c.words))]
	}
	terms := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = term()
		}
		return out
	}
	rules := make([]*Rule, n)
	for i = range rules {
		r := &Rule{ID: fmt.Sprintf("r%d", i), Label: "incitement", Severity: Medium, File: "synthetic", Line: i + 1}
		switch k := rng.IntN(20); {
		case k < 10:
			r.Any = terms(1 + rng.IntN(4))
		case k < 15:
			r.All = [][]string{terms(1 + rng.IntN(2)), terms(1)}
		default:
			r.Near = &Near{Terms: [][]string{terms(2), terms(1)}, Within: 3 + rng.IntN(4)}
		}
		if rng.IntN(4) == 0 {
			r.None = terms(2)
		}
		rules[i] = r
	}
	return rules
}

func benchSet(b *testing.B, c *benchCorpus, n int, vocab string) *Set {
	b.Helper()
	s, err := Compile(syntheticRules(c, n, vocab))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func reportPostsPerSecond(b *testing.B, posts int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(posts)/s, "posts/s")
	}
}

// BenchmarkMatch measures rule matching alone on analysed posts (one post
// per iteration) with 10, 1,000 and 10,000 rules of each vocabulary.
func BenchmarkMatch(b *testing.B) {
	c := loadBenchCorpus(b)
	for _, vocab := range []string{absent, rare, dense} {
		for _, n := range []int{10, 1000, 10000} {
			s := benchSet(b, c, n, vocab)
			b.Run(fmt.Sprintf("%s/rules=%d", vocab, n), func(b *testing.B) {
				i, fired := 0, 0
				for b.Loop() {
					fired += len(s.Match(c.docs[i%len(c.docs)]))
					i++
				}
				reportPostsPerSecond(b, i)
				b.ReportMetric(float64(fired)/float64(i), "matches/post")
			})
		}
	}
}

// BenchmarkAnalyze is the baseline: the text analysis every detector
// shares (arabic.Analyze), on the same posts.
func BenchmarkAnalyze(b *testing.B) {
	c := loadBenchCorpus(b)
	i, bytes := 0, 0
	for b.Loop() {
		t := c.texts[i%len(c.texts)]
		arabic.Analyze(t)
		bytes += len(t)
		i++
	}
	reportPostsPerSecond(b, i)
	b.ReportMetric(float64(bytes)/float64(i), "bytes/post")
}

// BenchmarkEndToEnd is Analyze plus Match with 10,000 rules: what a post
// costs in `basira scan --rules` (without decoding and output).
func BenchmarkEndToEnd(b *testing.B) {
	c := loadBenchCorpus(b)
	for _, vocab := range []string{absent, dense} {
		s := benchSet(b, c, 10000, vocab)
		b.Run(vocab+"/rules=10000", func(b *testing.B) {
			i := 0
			for b.Loop() {
				s.Match(arabic.Analyze(c.texts[i%len(c.texts)]))
				i++
			}
			reportPostsPerSecond(b, i)
		})
	}
}

// BenchmarkCompile measures compiling 10,000 rules and the heap the
// compiled set keeps (runtime.MemStats heap delta after GC).
func BenchmarkCompile(b *testing.B) {
	c := loadBenchCorpus(b)
	rules := syntheticRules(c, 10000, dense)
	for b.Loop() {
		if _, err := Compile(rules); err != nil {
			b.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep, err := Compile(rules)
	if err != nil {
		b.Fatal(err)
	}
	keep.Match(c.docs[0]) // allocate the scan scratch too
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/(1<<20), "heap-MiB")
	st := keep.Stats()
	b.ReportMetric(float64(st.Terms), "terms")
	runtime.KeepAlive(keep)
}

// BenchmarkExamplePack runs the shipped example pack (24 rules, one of them
// regex-only, so every post also gets its regex text and literal scan) on
// the same posts: the realistic figure.
func BenchmarkExamplePack(b *testing.B) {
	c := loadBenchCorpus(b)
	rs, _, err := LoadPaths([]string{examplePack})
	if err != nil {
		b.Fatal(err)
	}
	s, err := Compile(rs)
	if err != nil {
		b.Fatal(err)
	}
	i, fired := 0, 0
	for b.Loop() {
		fired += len(s.Match(c.docs[i%len(c.docs)]))
		i++
	}
	reportPostsPerSecond(b, i)
	b.ReportMetric(float64(fired)/float64(i), "matches/post")
}

// BenchmarkJihadistPack is the default pack's cost per post (Match only
// and Analyze+Match), on the same posts as BenchmarkAnalyze: the rules
// part of what `basira scan` does with no flags.
func BenchmarkJihadistPack(b *testing.B) {
	c := loadBenchCorpus(b)
	s := loadJihadist(b)
	b.Run("match", func(b *testing.B) {
		i, fired := 0, 0
		for b.Loop() {
			fired += len(s.Match(c.docs[i%len(c.docs)]))
			i++
		}
		reportPostsPerSecond(b, i)
		b.ReportMetric(float64(fired)/float64(i), "matches/post")
	})
	b.Run("analyze+match", func(b *testing.B) {
		i := 0
		for b.Loop() {
			s.Match(arabic.Analyze(c.texts[i%len(c.texts)]))
			i++
		}
		reportPostsPerSecond(b, i)
	})
}

// longTermList returns n distinct Arabic-script words (four to six letters
// spelled from i) and their phrases: the term list of an imported lexicon.
func longTermList(n int) []string {
	letters := []rune("بتثجحخدذرزسشصضطظعغفقكلمنهوي")
	out := make([]string, n)
	for i := range out {
		var w []rune
		for x := i + len(letters)*len(letters)*len(letters); x > 0; x /= len(letters) {
			w = append(w, letters[x%len(letters)])
		}
		out[i] = string(w)
		if i%5 == 0 {
			out[i] += " " + string(letters[i%len(letters)]) + "ا" + string(letters[(i/7)%len(letters)])
		}
	}
	return out
}

// BenchmarkCompileLongList compiles one rule whose `any` list holds n
// terms, with an exception list of n/10 and an `all` of two n/2 lists
// (issue 15 item 11: compile time used to grow with the square of n).
// Near-linear: 400k should take about ten times 40k.
func BenchmarkCompileLongList(b *testing.B) {
	for _, n := range []int{40000, 400000} {
		terms := longTermList(n)
		rules := []*Rule{
			{ID: "lexicon", Label: "incitement", Severity: Medium, File: "bench", Line: 1, Any: terms, None: terms[:n/10]},
			{ID: "pairs", Label: "incitement", Severity: Medium, File: "bench", Line: 2, All: [][]string{terms[:n/2], terms[n/2:]}},
		}
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			for b.Loop() {
				s, err := Compile(rules)
				if err != nil {
					b.Fatal(err)
				}
				if st := s.Stats(); st.Terms < n {
					b.Fatalf("%d terms compiled, want %d", st.Terms, n)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "terms/s")
		})
	}
}
