package detect

import (
	"context"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/post"
)

// wordDetector flags a word wherever it is, with its span.
type wordDetector struct{ word string }

func (w wordDetector) Name() string { return "word" }
func (w wordDetector) Detect(_ context.Context, in *Input) ([]Signal, error) {
	i := strings.Index(in.Post.Text, w.word)
	if i < 0 {
		return nil, nil
	}
	return []Signal{{Detector: "word", Label: "x", Score: 1, Evidence: w.word, Spans: []Span{{i, i + len(w.word)}}}}, nil
}

func TestMediaText(t *testing.T) {
	p := NewPipeline(wordDetector{"الخلافة"})
	pp := &post.Post{ID: "p", Text: "صورة", Media: []post.Media{
		{URL: "https://e.org/a.jpg"},
		{URL: "https://e.org/b.jpg", OCR: &post.MediaText{Text: "سطر اول\nانضموا الى الخلافة", Lines: []post.TextLine{
			{Start: 0, End: 13, X: 10, Y: 10, W: 200, H: 30},
			{Start: 14, End: 47, X: 10, Y: 60, W: 300, H: 30, At: 12},
		}}},
	}}
	res, err := p.Run(context.Background(), pp)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signals) != 1 {
		t.Fatalf("signals %+v", res.Signals)
	}
	s := res.Signals[0]
	if s.Details["item"] != "media[1]" || s.Details["source"] != "ocr" || s.Spans != nil ||
		!strings.HasPrefix(s.Evidence, "text in media[1] at 10,60 300x30 (12.0 s): ") {
		t.Errorf("signal %+v", s)
	}
	if r, ok := s.Details["region"].(map[string]int); !ok || r["y"] != 60 {
		t.Errorf("region %v", s.Details["region"])
	}
}
