package media

import (
	"context"
	"fmt"
	"strings"

	"github.com/basira-org/basira/internal/ocr"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/video"
)

// TextReader reads the text inside an attachment (OCR): an image, or a
// video's key frames when isVideo is set. It returns nil when there is
// no text.
type TextReader func(ctx context.Context, data []byte, isVideo bool) (*post.MediaText, error)

// Keyframes read in a video: at most this many, this many seconds apart.
const (
	OCRKeyframes     = 8
	OCRKeyframeEvery = 3.0
)

// OCR is a TextReader through r (Tesseract); videos need ffmpeg too.
func OCR(r *ocr.Reader, vo video.Options) TextReader {
	return func(ctx context.Context, data []byte, isVideo bool) (*post.MediaText, error) {
		if !isVideo {
			t, err := r.Read(ctx, data)
			if err != nil {
				return nil, err
			}
			return mediaText(nil, t, 0), nil
		}
		ks, err := video.Keyframes(ctx, data, OCRKeyframes, OCRKeyframeEvery, vo)
		if err != nil {
			return nil, err
		}
		var out *post.MediaText
		seen := map[string]bool{} // a caption shown over several scenes is read once
		for _, k := range ks {
			t, err := r.Read(ctx, k.PNG)
			if err != nil {
				return out, fmt.Errorf("key frame at %.1f s: %w", k.At, err)
			}
			key := strings.Join(strings.Fields(t.Text), " ")
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			out = mediaText(out, t, k.At)
		}
		return out, nil
	}
}

// mediaText appends t's lines (found at time at) to m, within the limits
// a post keeps.
func mediaText(m *post.MediaText, t *ocr.Text, at float64) *post.MediaText {
	for _, l := range t.Lines {
		if m == nil {
			m = &post.MediaText{}
		}
		s := t.Text[l.Start:l.End]
		if len(m.Text)+len(s)+1 > post.MaxOCRBytes || len(m.Lines) >= post.MaxOCRLines {
			break
		}
		if m.Text != "" {
			m.Text += "\n"
		}
		start := len(m.Text)
		m.Text += s
		b := l.Box
		m.Lines = append(m.Lines, post.TextLine{Start: start, End: len(m.Text), X: b.Min.X, Y: b.Min.Y, W: b.Dx(), H: b.Dy(), At: at})
	}
	return m
}
