// Package hma adapts Basira's hashing (package pdq) and hash banks
// (internal/hashmatch) to the server's HMA-compatible routes.
package hma

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/pdq"
)

// ContentPhoto is HMA's content type name for images.
const ContentPhoto = "photo"

// Signal type names, as Basira's banks and HMA name them.
const (
	SignalPDQ    = "pdq"
	SignalMD5    = "md5"
	SignalSHA256 = "sha256"
	SignalSHA512 = "sha512"
)

// Hasher hashes uploaded or fetched images: PDQ (HMA's default signal type
// for photos) and, when asked with ?types=, MD5, SHA-256 and SHA-512 of the
// bytes.
type Hasher struct {
	pool sync.Pool
}

var _ server.Hasher = (*Hasher)(nil)

// NewHasher returns a Hasher, safe for concurrent use. It resizes large
// pictures to 512 px before hashing, like Meta's C++ tool.
func NewHasher() *Hasher {
	return &Hasher{pool: sync.Pool{New: func() any { return pdq.NewHasher() }}}
}

// NewFullResolutionHasher returns a Hasher that hashes pictures at their
// own size, as OpenMediaMatch does: the same PDQ strings as OMM's for the
// same decoded pixels.
func NewFullResolutionHasher() *Hasher {
	return &Hasher{pool: sync.Pool{New: func() any { return pdq.NewFullResolutionHasher() }}}
}

// ContentTypes implements server.Hasher.
func (h *Hasher) ContentTypes() []string { return []string{ContentPhoto} }

// SignalTypes lists what Hash can compute.
func (h *Hasher) SignalTypes() []string {
	return []string{SignalPDQ, SignalMD5, SignalSHA256, SignalSHA512}
}

// Hash implements server.Hasher. With no types it computes PDQ only, as
// HMA does for a photo. A PDQ hash of quality below pdq.MinQuality (a flat
// or tiny image) is still returned, as HMA does; matching ignores it.
func (h *Hasher) Hash(ctx context.Context, contentType string, data []byte, types []string) (map[string]string, error) {
	if contentType != ContentPhoto {
		return nil, fmt.Errorf("%w: content type %q (Basira hashes: photo)", server.ErrUnsupportedContent, contentType)
	}
	if len(types) == 0 {
		types = []string{SignalPDQ}
	}
	for _, t := range types {
		if !slices.Contains(h.SignalTypes(), t) {
			return nil, fmt.Errorf("%w: signal type '%s' doesn't exist (use %s)", server.ErrUnknownSignalType, t, strings.Join(h.SignalTypes(), ", "))
		}
	}
	out := make(map[string]string, len(types))
	for _, t := range types {
		switch t {
		case SignalPDQ:
			img, _, err := pdq.DecodeContext(ctx, data)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", server.ErrUnsupportedContent, err)
			}
			ph := h.pool.Get().(*pdq.Hasher)
			r := ph.Hash(img)
			h.pool.Put(ph)
			out[SignalPDQ] = r.Hash.String()
		case SignalMD5:
			s := md5.Sum(data)
			out[SignalMD5] = hex.EncodeToString(s[:])
		case SignalSHA256:
			s := sha256.Sum256(data)
			out[SignalSHA256] = hex.EncodeToString(s[:])
		case SignalSHA512:
			s := sha512.Sum512(data)
			out[SignalSHA512] = hex.EncodeToString(s[:])
		}
	}
	return out, nil
}
