package rules

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
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
	texts []string
	docs  []*arabic.Doc
	words []string // vocabulary ranked by frequency, stop words skipped
	pairs []string // two-word phrases seen in the posts
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

// syntheticRules generates n rules mixing any, all, near and none over the
// corpus vocabulary, deterministically.
func syntheticRules(c *benchCorpus, n int) []*Rule {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	term := func() string {
		if rng.IntN(10) < 3 {
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
	for i := range rules {
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

func benchSet(b *testing.B, c *benchCorpus, n int) *Set {
	b.Helper()
	s, err := Compile(syntheticRules(c, n))
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
// per iteration) with 10, 1,000 and 10,000 rules.
func BenchmarkMatch(b *testing.B) {
	c := loadBenchCorpus(b)
	for _, n := range []int{10, 1000, 10000} {
		s := benchSet(b, c, n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			i, fired := 0, 0
			for b.Loop() {
				fired += len(s.Match(c.docs[i%len(c.docs)]))
				i++
			}
			reportPostsPerSecond(b, i)
			b.ReportMetric(float64(fired)/float64(i), "matches/post")
			b.ReportMetric(float64(len(c.words)), "vocabulary")
		})
	}
}

// BenchmarkAnalyze is the baseline: the text analysis every detector
// shares (arabic.Analyze), on the same posts.
func BenchmarkAnalyze(b *testing.B) {
	c := loadBenchCorpus(b)
	i := 0
	bytes := 0
	for b.Loop() {
		t := c.texts[i%len(c.texts)]
		arabic.Analyze(t)
		bytes += len(t)
		i++
	}
	reportPostsPerSecond(b, i)
}

// BenchmarkEndToEnd is Analyze plus Match with 10,000 rules: what the rules
// detector costs a post in `basira scan`.
func BenchmarkEndToEnd(b *testing.B) {
	c := loadBenchCorpus(b)
	s := benchSet(b, c, 10000)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		s.Match(arabic.Analyze(c.texts[i%len(c.texts)]))
		i++
	}
	reportPostsPerSecond(b, i)
}

// BenchmarkCompile measures compiling 10,000 rules and the heap the
// compiled set keeps (runtime.MemStats heap delta after GC).
func BenchmarkCompile(b *testing.B) {
	c := loadBenchCorpus(b)
	rules := syntheticRules(c, 10000)
	var keep *Set
	for b.Loop() {
		s, err := Compile(rules)
		if err != nil {
			b.Fatal(err)
		}
		keep = s
	}
	keep = nil
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep, _ = Compile(rules)
	keep.Match(c.docs[0]) // allocate the scan scratch too
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
	st := keep.Stats()
	b.ReportMetric(float64(st.Terms), "terms")
	runtime.KeepAlive(keep)
}
