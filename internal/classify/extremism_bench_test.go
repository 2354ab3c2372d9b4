package classify_test

import (
	"context"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/detect"
)

// BenchmarkPredictExtremism scores analysed posts with the shipped
// extremism model (n-grams plus the lexicon); compare BenchmarkPredict
// (the offensive model, n-grams only) in the same run.
func BenchmarkPredictExtremism(b *testing.B) {
	texts := benchTexts(b)
	docs := make([]*arabic.Doc, len(texts))
	for i, t := range texts {
		docs[i] = arabic.Analyze(t)
	}
	m := benchModel(b, "extremism")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(docs[i%len(docs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkDetectExtremism is the scan path of the model: the classify
// detector with the extremism model alone, explaining what it flags (5
// features), on analysed posts.
func BenchmarkDetectExtremism(b *testing.B) {
	texts := benchTexts(b)
	ins := make([]*detect.Input, len(texts))
	for i, t := range texts {
		ins[i] = &detect.Input{Doc: arabic.Analyze(t)}
	}
	d := classify.NewDetector([]classify.Classifier{benchModel(b, "extremism")}, 5)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := d.Detect(ctx, ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkLexicon is the lexicon matching alone.
func BenchmarkLexicon(b *testing.B) {
	texts := benchTexts(b)
	docs := make([]*arabic.Doc, len(texts))
	for i, t := range texts {
		docs[i] = arabic.Analyze(t)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		classify.LexiconHits(docs[i%len(docs)])
		i++
	}
}
