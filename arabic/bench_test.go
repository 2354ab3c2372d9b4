package arabic

import (
	"strings"
	"testing"
)

// Benchmarks run over the 3,439 tweets of the CheckThat! 2021 Arabic
// training set; one op is the whole set, and ns/post is reported. The
// strings.ToLower baseline is measured in the same run, to compare across
// noisy machines. cpu-ns/post and cpu-MB/s count the CPU time of the
// process instead of the wall clock, for loaded machines: run with -cpu 1
// to read them per core.

func benchPosts(b *testing.B, fn func(string)) {
	posts := realPosts(b)
	total := 0
	for _, p := range posts {
		total += len(p)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		for _, p := range posts {
			fn(p)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(posts)), "ns/post")
	if cpu > 0 {
		// CPU time of the process (the benchmark and its garbage
		// collection), which a loaded machine does not inflate; with -cpu 1
		// it is the cost on one core.
		b.ReportMetric(float64(cpu)/float64(b.N)/float64(len(posts)), "cpu-ns/post")
		b.ReportMetric(float64(total)*float64(b.N)/float64(cpu)*1e3, "cpu-MB/s")
	}
}

var sink any

func BenchmarkBaselineToLower(b *testing.B) {
	benchPosts(b, func(s string) { sink = strings.ToLower(s) })
}
func BenchmarkNormalize(b *testing.B)  { benchPosts(b, func(s string) { sink = Normalize(s) }) }
func BenchmarkFold(b *testing.B)       { benchPosts(b, func(s string) { sink = Fold(s) }) }
func BenchmarkAnalyze(b *testing.B)    { benchPosts(b, func(s string) { sink = Analyze(s) }) }
func BenchmarkDetectLang(b *testing.B) { benchPosts(b, func(s string) { sink = DetectLang(s) }) }
