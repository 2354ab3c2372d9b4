package detect

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/basira-org/basira/internal/post"
)

// runMediaText runs the detectors over the text read inside each
// attachment (post.Media.OCR), as a post of its own without media (so
// hash banks match its text, not the attachment again). Its signals are
// the post's, with evidence that names the attachment and the line's box
// (and time, in a video); their spans, which index the attachment's text
// and not the post's, move to Details["ocr_spans"].
func runMediaText(ctx context.Context, detectors []Detector, pp *post.Post) ([]Signal, error) {
	var out []Signal
	var errs []error
	for i, m := range pp.Media {
		if m.OCR == nil || m.OCR.Text == "" {
			continue
		}
		item := fmt.Sprintf("media[%d]", i)
		sub := &post.Post{ID: pp.ID, Platform: pp.Platform, URL: pp.URL, Author: pp.Author, Text: m.OCR.Text, PostedAt: pp.PostedAt}
		in := Analyze(sub)
		for _, d := range detectors {
			sigs, err := d.Detect(ctx, in)
			if err != nil {
				// As on the post's text: the other detectors go on.
				errs = append(errs, fmt.Errorf("detector %s on the text in %s of post %q: %w", d.Name(), item, pp.ID, err))
				continue
			}
			for _, s := range sigs {
				out = append(out, fromMedia(s, item, m.OCR))
			}
		}
	}
	return out, errors.Join(errs...)
}

func fromMedia(s Signal, item string, t *post.MediaText) Signal {
	d := maps.Clone(s.Details)
	if d == nil {
		d = map[string]any{}
	}
	d["item"] = item
	d["source"] = "ocr"
	where := "text in " + item
	off := 0
	if len(s.Spans) > 0 {
		off = s.Spans[0].Start
		d["ocr_spans"] = s.Spans
	}
	if l, ok := t.Line(off); ok {
		d["region"] = map[string]int{"x": l.X, "y": l.Y, "w": l.W, "h": l.H}
		where += fmt.Sprintf(" at %d,%d %dx%d", l.X, l.Y, l.W, l.H)
		if l.At > 0 {
			d["at"] = l.At
			where += fmt.Sprintf(" (%.1f s)", l.At)
		}
	}
	s.Details = d
	s.Spans = nil
	if s.Evidence != "" {
		s.Evidence = where + ": " + s.Evidence
	} else {
		s.Evidence = where
	}
	return s
}
