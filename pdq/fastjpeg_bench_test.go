package pdq

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
	xdraw "golang.org/x/image/draw"
)

// BenchmarkFastJPEG: decode + PDQ of a 4032x3024 photo (ThreatExchange's
// exif-rotn-1.jpg) and of a 2000x1500 re-encoding of it (quality 90),
// with image/jpeg's full decode against the reduced luma-only decode, in
// one run.
func BenchmarkFastJPEG(b *testing.B) {
	big, err := os.ReadFile(filepath.Join(refdata.Path(b, "pdq/pdq/data/reg-test-input/exif-rotn"), "exif-rotn-1.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	// 2000x1500: the reference size.
	FastJPEG = false
	img, _, err := DecodeContext(context.Background(), big)
	FastJPEG = true
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, resize(img, 2000, 1500), &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"4032x3024", big}, {"2000x1500", buf.Bytes()}} {
		for _, fast := range []bool{false, true} {
			name := c.name + "/image-jpeg-full"
			if fast {
				name = c.name + "/luma-reduced"
			}
			b.Run(name, func(b *testing.B) {
				defer func(v bool) { FastJPEG = v }(FastJPEG)
				FastJPEG = fast
				h := NewHasher()
				for b.Loop() {
					m, _, err := DecodeForHash(context.Background(), c.data)
					if err != nil {
						b.Fatal(err)
					}
					h.Hash(m)
				}
			})
		}
	}
}

func resize(src interface {
	Bounds() image.Rectangle
	At(x, y int) color.Color
}, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), src.(image.Image), src.Bounds(), xdraw.Src, nil)
	return dst
}
