package entities

import (
	"testing"

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
