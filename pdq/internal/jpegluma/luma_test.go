package jpegluma

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func images(t testing.TB) []string {
	d := os.Getenv("BASIRA_DATA")
	if d == "" {
		d = "/work/shared/data"
	}
	var out []string
	_ = filepath.WalkDir(filepath.Join(d, "pdq"), func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && (strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".jpeg")) {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Skip("ThreatExchange images not found (set BASIRA_DATA)")
	}
	return out
}

// TestScaledMatchesFull: at every scale, each output pixel is within a
// few levels of the average of the full decode's luma over its square
// (the high frequencies left out make the difference).
func TestScaledMatchesFull(t *testing.T) {
	for _, p := range images(t) {
		data, _ := os.ReadFile(p)
		full, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			continue
		}
		var y []uint8
		var ys int
		switch m := full.(type) {
		case *image.YCbCr:
			y, ys = m.Y, m.YStride
		case *image.Gray:
			y, ys = m.Pix, m.Stride
		default:
			if _, err := DecodeLuma(bytes.NewReader(data), 2); err == nil {
				t.Errorf("%s: %T decoded as luma", p, full)
			}
			continue
		}
		b := full.Bounds()
		for _, s := range []int{1, 2, 4, 8} {
			g, err := DecodeLuma(bytes.NewReader(data), s)
			if err != nil {
				t.Fatalf("%s at 1/%d: %v", p, s, err)
			}
			if g.Rect.Dx() != (b.Dx()+s-1)/s || g.Rect.Dy() != (b.Dy()+s-1)/s {
				t.Fatalf("%s at 1/%d: %v", p, s, g.Rect)
			}
			var sum, n float64
			for oy := 0; oy < b.Dy()/s; oy++ {
				for ox := 0; ox < b.Dx()/s; ox++ {
					a := 0
					for dy := range s {
						for dx := range s {
							a += int(y[(oy*s+dy)*ys+ox*s+dx])
						}
					}
					d := float64(a)/float64(s*s) - float64(g.Pix[oy*g.Stride+ox])
					sum += d * d
					n++
				}
			}
			// Most pictures are within 6 levels; sharpened ones and test
			// patterns differ more (the left-out frequencies carry them).
			if rms := sqrt(sum / n); rms > 16 {
				t.Errorf("%s at 1/%d: RMS %.2f levels from the averaged full decode", filepath.Base(p), s, rms)
			}
		}
	}
}

func sqrt(x float64) float64 {
	z := x
	for range 30 {
		if z == 0 {
			return 0
		}
		z = (z + x/z) / 2
	}
	return z
}

// FuzzDecodeLuma: no input panics or allocates past its header's size.
func FuzzDecodeLuma(f *testing.F) {
	for _, p := range images(f)[:4] {
		data, _ := os.ReadFile(p)
		if len(data) < 64<<10 {
			f.Add(data, uint8(2))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, s uint8) {
		cfg, err := DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<22 {
			return
		}
		scale := []int{1, 2, 4, 8}[s%4]
		g, err := DecodeLuma(bytes.NewReader(data), scale)
		if err == nil && (g.Rect.Dx() != (cfg.Width+scale-1)/scale || g.Rect.Dy() != (cfg.Height+scale-1)/scale) {
			t.Fatalf("%dx%d at 1/%d: %v", cfg.Width, cfg.Height, scale, g.Rect)
		}
	})
}
