package classify_test

import (
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/refdata"
)

// benchTexts returns the OSACT 2020 dev tweets (tweet-length posts, mean
// ~100 characters).
func benchTexts(b *testing.B) []string {
	exs, _, _, err := classify.ReadFile(filepath.Join(refdata.Path(b, "abuse/osact2020"), "OSACT2020-sharedTask-dev.txt"),
		classify.ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2"})
	if err != nil {
		b.Fatal(err)
	}
	texts := make([]string, len(exs))
	for i, ex := range exs {
		texts[i] = ex.Text
	}
	return texts
}

func benchModel(b *testing.B, name string) *classify.Model {
	ms, err := classify.LoadFS(modelsFS())
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range ms {
		if m.Name() == name {
			return m
		}
	}
	b.Fatalf("no shipped model %s", name)
	return nil
}

// BenchmarkPredict scores already analysed posts (what a detector does
// in the pipeline, where Analyze runs once for all detectors).
func BenchmarkPredict(b *testing.B) {
	texts := benchTexts(b)
	docs := make([]*arabic.Doc, len(texts))
	for i, t := range texts {
		docs[i] = arabic.Analyze(t)
	}
	m := benchModel(b, "offensive")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(docs[i%len(docs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkAnalyzePredict includes the text analysis.
func BenchmarkAnalyzePredict(b *testing.B) {
	texts := benchTexts(b)
	m := benchModel(b, "offensive")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(arabic.Analyze(texts[i%len(texts)]))
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkAnalyze is the baseline: the text analysis alone.
func BenchmarkAnalyze(b *testing.B) {
	texts := benchTexts(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		arabic.Analyze(texts[i%len(texts)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkExplain is the cost of naming the top features of a flagged
// post (only flagged posts pay it).
func BenchmarkExplain(b *testing.B) {
	texts := benchTexts(b)
	docs := make([]*arabic.Doc, len(texts))
	for i, t := range texts {
		docs[i] = arabic.Analyze(t)
	}
	m := benchModel(b, "offensive")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Explain(docs[i%len(docs)], "OFF", 5)
		i++
	}
}

// BenchmarkTrain10k trains on 10,000 posts (OSACT 2020 train + dev, and
// 2,000 OSACT 2022 tweets): features, 5 folds and the final fit.
func BenchmarkTrain10k(b *testing.B) {
	dir := refdata.Path(b, "abuse")
	opt := classify.ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2"}
	var exs []classify.Example
	for _, f := range []string{"osact2020/OSACT2020-sharedTask-train.txt", "osact2020/OSACT2020-sharedTask-dev.txt"} {
		e, _, _, err := classify.ReadFile(filepath.Join(dir, f), opt)
		if err != nil {
			b.Fatal(err)
		}
		exs = append(exs, e...)
	}
	e, _, _, err := classify.ReadFile(filepath.Join(dir, "osact2022/OSACT2022-sharedTask-train.txt"), classify.ReadOptions{Format: "tsv", TextCol: "2", LabelCol: "3"})
	if err != nil {
		b.Fatal(err)
	}
	exs = append(exs, e[:2000]...)
	if len(exs) != 10000 {
		b.Fatalf("%d examples", len(exs))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := classify.Train(exs, classify.TrainOptions{Name: "b", Features: classify.DefaultFeatures(), Params: classify.DefaultParams()}); err != nil {
			b.Fatal(err)
		}
	}
}
