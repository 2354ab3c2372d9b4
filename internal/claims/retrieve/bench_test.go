package retrieve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/refdata"
)

// synthetic100k builds a 100,000-claim collection from the real claims of
// both CheckThat! sets: the real claims themselves, then new claims made
// by joining the first half of one real claim to the second half of
// another of the same language (titles likewise), so vocabulary and
// lengths are real. It returns the collection and real queries (dev
// tweets of both sets).
func synthetic100k(tb testing.TB) ([]claims.Claim, []eval.Query) {
	tb.Helper()
	ar, err := eval.LoadArabic2021(refdata.Path(tb, "claims/ar-ct2021-2a"))
	if err != nil {
		tb.Fatal(err)
	}
	en, err := eval.LoadEnglish2022(refdata.Path(tb, "claims/en-ct2022-2a"))
	if err != nil {
		tb.Fatal(err)
	}
	half := func(s string, first bool) string {
		w := strings.Fields(s)
		if first {
			return strings.Join(w[:len(w)/2], " ")
		}
		return strings.Join(w[len(w)/2:], " ")
	}
	cs := slices.Concat(ar.Collection, en.Collection)
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; len(cs) < 100_000; i++ {
		src := ar.Collection
		if i%2 == 1 {
			src = en.Collection
		}
		a, b := &src[rng.IntN(len(src))], &src[rng.IntN(len(src))]
		c := claims.Claim{
			ID:    fmt.Sprintf("syn-%06d", i),
			Text:  half(a.Text, true) + " " + half(b.Text, false),
			Title: half(a.Title, true) + " " + half(b.Title, false),
		}
		cs = append(cs, c)
	}
	qs := slices.Concat(ar.Dev.Queries, en.Dev.Queries)
	return cs, qs
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMatch100k measures match latency per post on a 100,000-claim
// collection, on one goroutine, with the first stage alone as the
// baseline, and reports p50/p99 and the index's heap size.
func BenchmarkMatch100k(b *testing.B) {
	cs, qs := synthetic100k(b)
	before := heapInUse()
	start := time.Now()
	ix := NewIndex(cs, Options{})
	build := time.Since(start)
	heapMB := float64(heapInUse()-before) / (1 << 20)
	ctx := context.Background()
	texts := make([]*Text, len(qs))
	for i, q := range qs {
		texts[i] = QueryText(q)
	}
	for _, bc := range []struct {
		name string
		run  func(i int)
	}{
		{"first-stage", func(i int) { ix.firstStage(ix.newQuery(texts[i]), ix.opts.Candidates, nil) }},
		{"match", func(i int) {
			if _, err := NewMatcher(ix, DefaultModel()).Match(ctx, qs[i].Text, nil, 5); err != nil {
				b.Fatal(err)
			}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			// Wall time suffers from other processes on a shared machine;
			// the thread's CPU time is what one core spends on a post.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var lat, cpu []time.Duration
			i := 0
			for b.Loop() {
				c0 := threadCPU()
				t0 := time.Now()
				bc.run(i % len(qs))
				lat = append(lat, time.Since(t0))
				cpu = append(cpu, threadCPU()-c0)
				i++
			}
			slices.Sort(lat)
			slices.Sort(cpu)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds()), "cpu-p50-µs")
			b.ReportMetric(float64(cpu[len(cpu)*99/100].Microseconds()), "cpu-p99-µs")
			b.ReportMetric(heapMB, "index-MiB")
			b.ReportMetric(build.Seconds(), "build-s")
		})
	}
}

// BenchmarkAnalyze measures the retrieval analysis of one post (the arabic
// engine plus stems and fields), the part of Match done before the index.
func BenchmarkAnalyze(b *testing.B) {
	text := "عاجل: وزارة الصحة تعلن وفاة 3 أطفال بعد تلقي لقاح كورونا في مدينة فاس #كورونا https://t.co/x"
	for b.Loop() {
		Analyze(text, nil)
	}
}
