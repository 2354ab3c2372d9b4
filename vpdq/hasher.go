package vpdq

import (
	"fmt"

	"github.com/basira-org/basira/pdq"
)

// DefaultSecondsPerHash is the reference tools' default sampling: one
// frame a second.
const DefaultSecondsPerHash = 1.0

// FrameStep is the reference's sampling: every FrameStep-th decoded frame
// (frame numbers 0, step, 2·step, …) is hashed, with step =
// int(secondsPerHash × frameRate), at least 1. secondsPerHash 0 hashes
// every frame.
func FrameStep(secondsPerHash, frameRate float64) int {
	return max(int(secondsPerHash*frameRate), 1)
}

// Hasher hashes the frames of one video. It is not safe for concurrent use.
type Hasher struct {
	FrameRate float64
	pdq       *pdq.Hasher
	out       []Feature
}

// NewHasher returns a Hasher for a video of the given frame rate (used for
// timestamps).
func NewHasher(frameRate float64) *Hasher {
	return &Hasher{FrameRate: frameRate, pdq: pdq.NewHasher()}
}

// Add hashes frame number n, packed RGB (3 bytes a pixel, no padding).
func (h *Hasher) Add(n int, rgb []byte, width, height int) error {
	if len(h.out) >= MaxFeatures {
		return fmt.Errorf("vpdq: over %d hashed frames", MaxFeatures)
	}
	r, err := h.pdq.HashRGB24(rgb, width, height, 3*width)
	if err != nil {
		return err
	}
	ts := 0.0
	if h.FrameRate > 0 {
		ts = float64(float32(float32(n) / float32(h.FrameRate))) // the reference divides in float
	}
	h.out = append(h.out, Feature{Frame: n, Quality: r.Quality, Hash: r.Hash, Timestamp: ts})
	return nil
}

// Features returns the hashes so far, in frame order.
func (h *Hasher) Features() []Feature { return h.out }
