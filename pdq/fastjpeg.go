package pdq

import (
	"image"
	"io"

	"github.com/basira-org/basira/pdq/internal/jpegluma"
)

// FastJPEG makes DecodeForHash decode large JPEGs at reduced size and luma
// only (DCT-domain scaling, pdq/internal/jpegluma): PDQ resizes a picture
// over 512 pixels to 512x512 anyway, and reads only luma. A JPEG is
// decoded at the smallest scale (1/2, 1/4 or 1/8) that keeps both sides
// at least 512 pixels, so the resize still samples a picture as large as
// its output. Hashes move a few bits (within 10 of the full decode on
// ThreatExchange's test photos); turn it off where hashes must equal the
// full decode's.
var FastJPEG = true

// jpegScale returns the reduction for a w×h JPEG (1: none).
func jpegScale(w, h int) int {
	s := 1
	for s < 8 && min(w, h)/(2*s) >= downsampleDims {
		s *= 2
	}
	return s
}

// decodeJPEGLuma decodes r's luma at the scale for its size; ok is false
// when the fast path does not apply (small, RGB or CMYK JPEGs).
func decodeJPEGLuma(r io.Reader, cfg image.Config) (image.Image, bool, error) {
	s := jpegScale(cfg.Width, cfg.Height)
	if s == 1 {
		return nil, false, nil
	}
	g, err := jpegluma.DecodeLuma(r, s)
	if err != nil {
		return nil, false, err
	}
	return g, true, nil
}
