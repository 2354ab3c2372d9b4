package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync"
)

// The demo's image posts carry the PDQ hashes of ThreatExchange test
// photos, but the demo ships no third-party image: the picture kept as
// their evidence is this stand-in, drawn here (a dark banner with a disc
// and stripes), so the review screen can show a blurred thumbnail.
var standIn = sync.OnceValue(func() []byte {
	const w, h = 320, 200
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 24, G: 24, B: 28, A: 255}
			dx, dy := x-w/2, y-h/2
			switch {
			case dx*dx+dy*dy < 55*55:
				c = color.RGBA{R: 235, G: 235, B: 225, A: 255}
			case y > 150 && (x/16)%2 == 0:
				c = color.RGBA{R: 150, G: 20, B: 20, A: 255}
			case y < 30:
				c = color.RGBA{R: 200, G: 200, B: 190, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory RGBA image does not fail
	}
	return buf.Bytes()
})

// StandInImage returns the demo's stand-in picture (PNG) and its SHA-256.
func StandInImage() ([]byte, string) {
	b := standIn()
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// imagePosts are the demo posts whose image is kept as evidence.
var imagePosts = map[string]bool{"d04": true, "d05": true}

// WriteMedia keeps the stand-in picture under dir as the media fetcher
// keeps media (dir/<sha256[:2]>/<sha256>).
func WriteMedia(dir string) error {
	b, sum := StandInImage()
	sub := filepath.Join(dir, sum[:2])
	if err := os.MkdirAll(sub, 0o750); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(filepath.Join(sub, sum), b, 0o640); err != nil {
		return fmt.Errorf("demo: keeping the stand-in image: %w", err)
	}
	return nil
}
