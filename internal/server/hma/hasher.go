// Package hma adapts Basira's hashing (packages pdq, vpdq and
// internal/video) and hash banks (internal/hashmatch) to the server's
// HMA-compatible routes.
package hma

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/vpdq"
)

// Content type names, as HMA names them.
const (
	ContentPhoto = "photo"
	ContentVideo = "video"
)

// Signal type names, as Basira's banks and HMA name them.
const (
	SignalPDQ      = "pdq"
	SignalMD5      = "md5"
	SignalSHA256   = "sha256"
	SignalSHA512   = "sha512"
	SignalVideoMD5 = "video_md5"
	SignalVPDQ     = "vpdq"
)

// contentTypes is what each content type can be hashed into, and what
// is computed when the request names no types: HMA's defaults (pdq for a
// photo; video_md5 for a video) plus vPDQ, which OMM adds with its vpdq
// extension.
var contentTypes = []struct {
	name            string
	signals, byDflt []string
}{
	{ContentPhoto, []string{SignalPDQ, SignalMD5, SignalSHA256, SignalSHA512}, []string{SignalPDQ}},
	{ContentVideo, []string{SignalVideoMD5, SignalVPDQ, SignalMD5, SignalSHA256, SignalSHA512}, []string{SignalVideoMD5, SignalVPDQ}},
}

// Hasher hashes uploaded or fetched media: photos (PDQ) and videos (MD5
// of the file and vPDQ through ffmpeg), and MD5, SHA-256 and SHA-512 of
// the bytes when asked with ?types=.
type Hasher struct {
	pool sync.Pool
	// Video sets the sampling and limits of video hashing.
	Video video.Options
	// noVideo says why vPDQ cannot be computed (ffmpeg missing).
	noVideo error
	fullRes bool
}

var _ server.Hasher = (*Hasher)(nil)

// NewHasher returns a Hasher, safe for concurrent use. It resizes large
// pictures to 512 px before hashing, like Meta's C++ tool. Without ffmpeg,
// videos get video_md5 only, and asking for vpdq is an error saying why.
func NewHasher() *Hasher {
	return &Hasher{pool: sync.Pool{New: func() any { return pdq.NewHasher() }}, noVideo: video.Check()}
}

// VideoErr says why videos get no vPDQ (nil when ffmpeg is installed).
func (h *Hasher) VideoErr() error { return h.noVideo }

// NewFullResolutionHasher returns a Hasher that hashes pictures at their
// own size, as OpenMediaMatch does: the same PDQ strings as OMM's for the
// same decoded pixels.
func NewFullResolutionHasher() *Hasher {
	return &Hasher{pool: sync.Pool{New: func() any { return pdq.NewFullResolutionHasher() }}, noVideo: video.Check(), fullRes: true}
}

// ContentTypes implements server.Hasher.
func (h *Hasher) ContentTypes() []string {
	out := make([]string, len(contentTypes))
	for i, c := range contentTypes {
		out[i] = c.name
	}
	return out
}

// SignalTypes lists what Hash can compute, for every content type.
func (h *Hasher) SignalTypes() []string {
	var out []string
	for _, c := range contentTypes {
		for _, s := range c.signals {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Hash implements server.Hasher. With no types it computes the content
// type's defaults. A PDQ hash of quality below pdq.MinQuality (a flat
// or tiny image) is still returned, as HMA does; matching ignores it.
func (h *Hasher) Hash(ctx context.Context, contentType string, data []byte, types []string) (map[string]string, error) {
	i := slices.IndexFunc(contentTypes, func(c struct {
		name            string
		signals, byDflt []string
	}) bool {
		return c.name == contentType
	})
	if i < 0 {
		return nil, fmt.Errorf("%w: content type %q (Basira hashes: %s)", server.ErrUnsupportedContent, contentType, strings.Join(h.ContentTypes(), ", "))
	}
	ct := contentTypes[i]
	if len(types) == 0 {
		types = ct.byDflt
		if contentType == ContentVideo && h.noVideo != nil {
			types = []string{SignalVideoMD5}
		}
	}
	for _, t := range types {
		if !slices.Contains(ct.signals, t) {
			return nil, fmt.Errorf("%w: signal type '%s' doesn't exist for %s (use %s)", server.ErrUnknownSignalType, t, contentType, strings.Join(ct.signals, ", "))
		}
	}
	out := make(map[string]string, len(types))
	for _, t := range types {
		switch t {
		case SignalPDQ:
			decode := pdq.DecodeForHash
			if h.fullRes {
				decode = pdq.DecodeContext // OMM's strings need every pixel
			}
			img, _, err := decode(ctx, data)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", server.ErrUnsupportedContent, err)
			}
			ph := h.pool.Get().(*pdq.Hasher)
			r := ph.Hash(img)
			h.pool.Put(ph)
			out[SignalPDQ] = r.Hash.String()
		case SignalMD5, SignalVideoMD5:
			s := md5.Sum(data)
			out[t] = hex.EncodeToString(s[:])
		case SignalSHA256:
			s := sha256.Sum256(data)
			out[SignalSHA256] = hex.EncodeToString(s[:])
		case SignalVPDQ:
			if h.noVideo != nil {
				return nil, h.noVideo
			}
			r, err := video.HashBytes(ctx, data, h.Video)
			if err != nil {
				if errors.Is(err, video.ErrNotVideo) || errors.Is(err, video.ErrLimit) {
					return nil, fmt.Errorf("%w: %v", server.ErrUnsupportedContent, err)
				}
				return nil, err
			}
			out[SignalVPDQ] = vpdq.FormatSignal(r.Features)
		case SignalSHA512:
			s := sha512.Sum512(data)
			out[SignalSHA512] = hex.EncodeToString(s[:])
		}
	}
	return out, nil
}
