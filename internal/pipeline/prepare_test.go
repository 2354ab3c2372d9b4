package pipeline

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/bus"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
)

// mediaDetector flags a post whose media carry a given SHA-256, as a hash
// bank would once the worker has fetched and hashed the media.
type mediaDetector struct{ sha string }

func (mediaDetector) Name() string { return "media" }
func (d mediaDetector) Detect(_ context.Context, in *detect.Input) ([]detect.Signal, error) {
	for _, m := range in.Post.Media {
		if m.SHA256 == d.sha {
			return []detect.Signal{{Detector: "media", Kind: detect.KindHash, Label: "violent-extremist-propaganda", Severity: detect.High, Score: 1}}, nil
		}
	}
	return nil, nil
}

// TestPrepareFillsMediaBeforeDetectorsAndStoresIt: the Prepare step runs
// before the detectors (which see its hashes) and its media are stored
// with the post, once.
func TestPrepareFillsMediaBeforeDetectorsAndStoresIt(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	calls := 0
	b := bus.NewMemory(bus.MemoryOptions{Backoff: time.Millisecond})
	t.Cleanup(func() { b.Close() })
	svc := New(Options{Store: st, Bus: b, Detect: detect.NewPipeline(mediaDetector{sha: "abc"}), Logger: slog.New(slog.DiscardHandler),
		Prepare: func(_ context.Context, p *post.Post) bool {
			calls++
			if len(p.Media) == 0 {
				return false
			}
			p.Media[0].SHA256, p.Media[0].PDQ = "abc", "f0"
			return true
		}})
	res, err := st.PutPosts(ctx, "t", "t", []*post.Post{
		{ID: "1", Platform: "x", Text: "صورة", Media: []post.Media{{URL: "https://x.example/1.jpg"}}},
		{ID: "2", Platform: "x", Text: "no media"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a redelivery must not prepare again
		if err := svc.Handle(ctx, res.New); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 {
		t.Errorf("Prepare ran %d times, want once per post", calls)
	}
	p, err := st.Post(ctx, res.New[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Media) != 1 || p.Media[0].SHA256 != "abc" || p.Media[0].PDQ != "f0" || p.Media[0].URL != "https://x.example/1.jpg" {
		t.Fatalf("stored media = %+v", p.Media)
	}
	c, _ := st.Counts(ctx)
	if c.Cases != 1 || c.Signals != 1 {
		t.Fatalf("counts = %+v; the detector should have seen the hash", c)
	}
}
