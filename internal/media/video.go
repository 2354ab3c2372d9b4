package media

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/vpdq"
)

// VideoHasher computes the vPDQ signal string (package vpdq) of video
// bytes. It returns an error for bytes that are not a video.
type VideoHasher func(ctx context.Context, data []byte) (string, error)

// VPDQ is a VideoHasher through ffmpeg (package video) with options o, or
// nil with the reason when ffmpeg is not installed.
func VPDQ(o video.Options) (VideoHasher, error) {
	if err := video.Check(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, data []byte) (string, error) {
		r, err := video.HashBytes(ctx, data, o)
		if err != nil {
			return "", err
		}
		sig := vpdq.FormatSignal(r.Features)
		if len(sig) > post.MaxVPDQBytes {
			// Long video: keep what matching uses.
			sig = vpdq.FormatSignal(vpdq.Compact(r.Features))
		}
		if len(sig) > post.MaxVPDQBytes {
			return "", fmt.Errorf("%w: %d distinct frames, over what a post keeps (%d bytes): hash at a lower rate", video.ErrLimit, len(vpdq.Compact(r.Features)), post.MaxVPDQBytes)
		}
		return sig, nil
	}, nil
}

// IsVideo reports whether an attachment is a video: by its declared type
// or MIME type, else by the container's signature (MP4/MOV, WebM/MKV,
// AVI, MPEG), so that an unlabelled clip is still hashed.
func IsVideo(m *post.Media, data []byte) bool {
	switch {
	case m.Type == "video" || m.Type == "gif" && !strings.HasPrefix(http.DetectContentType(data), "image/"):
		return true
	case strings.HasPrefix(m.MIME, "video/"):
		return true
	}
	if len(data) >= 12 && string(data[4:8]) == "ftyp" {
		return true
	}
	return strings.HasPrefix(http.DetectContentType(data), "video/")
}
