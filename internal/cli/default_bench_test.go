package cli

import (
	"context"
	"io"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/post"
)

// BenchmarkDefaultDetection is what `basira scan` with no flags costs per
// post once a post is decoded: the shared analysis, then the built-in
// jihadist pack, the shipped extremism model and the finance detector.
// "analyze" is the baseline measured in the same run. Posts: the
// Moroccan comments and Arabic tweets of the reference data.
func BenchmarkDefaultDetection(b *testing.B) {
	texts := benchTexts(b)
	env := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	pipe, err := app.NewModules().Build(context.Background(), host(env))
	if err != nil {
		b.Fatal(err)
	}
	defer pipe.Close()
	b.Run("analyze", func(b *testing.B) {
		i := 0
		for b.Loop() {
			arabic.Analyze(texts[i%len(texts)])
			i++
		}
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "posts/s")
	})
	b.Run("default", func(b *testing.B) {
		i := 0
		ctx := context.Background()
		for b.Loop() {
			p := &post.Post{ID: "x", Text: texts[i%len(texts)]}
			if _, err := pipe.Run(ctx, p); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "posts/s")
	})
}
