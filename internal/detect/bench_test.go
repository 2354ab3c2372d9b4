package detect

import (
	"context"
	"testing"

	"github.com/basira-org/basira/internal/post"
)

// BenchmarkPipelineRun is the per-post cost of the pipeline around the
// detectors (the generation's read lock, the error policy) with the text
// analysis: three detectors that find nothing, on a short Arabic post.
func BenchmarkPipelineRun(b *testing.B) {
	p := NewPipeline(fake{name: "a"}, fake{name: "b"}, fake{name: "c"})
	pp := &post.Post{ID: "1", Text: "انضموا إلى صفوف الدولة اليوم قبل الغد يا شباب"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Run(ctx, pp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPipelineRunParallel runs posts from every core at once, as the
// workers do, to show the generation lock does not contend.
func BenchmarkPipelineRunParallel(b *testing.B) {
	p := NewPipeline(fake{name: "a"}, fake{name: "b"}, fake{name: "c"})
	pp := &post.Post{ID: "1", Text: "انضموا إلى صفوف الدولة اليوم قبل الغد يا شباب"}
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Run(ctx, pp); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
