package entities

import (
	"testing"
	"time"

	"github.com/basira-org/basira/arabic"
)

// benchDocs are real posts, analysed once: pro-ISIS Arabic tweets and
// others, English pro-ISIS account tweets, Moroccan comments.
func benchDocs(b *testing.B) []*arabic.Doc {
	var posts []string
	posts = append(posts, readJSONL(b, "extremism/alfifi-train.jsonl", "")...)
	posts = append(posts, readJSONL(b, "extremism/fifthtribe-dev.jsonl", "")[:3000]...)
	posts = append(posts, readColumn(b, "darija/ElecMorocco2016.tsv", 1)[:3000]...)
	docs := make([]*arabic.Doc, len(posts))
	for i, p := range posts {
		docs[i] = arabic.Analyze(p)
	}
	return docs
}

// BenchmarkFind is the cost of Find on an analysed post; BenchmarkAnalyze
// is the baseline every detector already pays, for a ratio in one run.
func BenchmarkFind(b *testing.B) {
	s := builtinSet(b)
	docs := benchDocs(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s.Find(docs[n%len(docs)])
		n++
	}
}

func BenchmarkAnalyze(b *testing.B) {
	docs := benchDocs(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		arabic.Analyze(docs[n%len(docs)].Original)
		n++
	}
}

// BenchmarkAnalyzeFind is Find as the scan path pays it: right after
// Analyze, with the post's tokens in cache. Its difference from
// BenchmarkAnalyze is the cost of entity evidence per post.
func BenchmarkAnalyzeFind(b *testing.B) {
	s := builtinSet(b)
	docs := benchDocs(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s.Find(arabic.Analyze(docs[n%len(docs)].Original))
		n++
	}
}

// BenchmarkFindVsAnalyze times Analyze and then Find over the whole
// corpus in turn, each iteration, so both see the same machine load, and
// reports both per post and their ratio: the share entity evidence adds
// to the text analysis every detector pays.
func BenchmarkFindVsAnalyze(b *testing.B) {
	s := builtinSet(b)
	docs := benchDocs(b)
	var an, fi time.Duration
	hits := 0
	for b.Loop() {
		t0 := time.Now()
		for i, d := range docs {
			docs[i] = arabic.Analyze(d.Original)
		}
		t1 := time.Now()
		for _, d := range docs {
			hits += len(s.Find(d))
		}
		t2 := time.Now()
		an, fi = an+t1.Sub(t0), fi+t2.Sub(t1)
	}
	n := float64(b.N) * float64(len(docs))
	b.ReportMetric(float64(an.Nanoseconds())/n, "analyze-ns/post")
	b.ReportMetric(float64(fi.Nanoseconds())/n, "find-ns/post")
	b.ReportMetric(float64(fi)/float64(an), "find/analyze")
}
