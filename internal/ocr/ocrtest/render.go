// Package ocrtest renders lines of Arabic text into pictures, shaped as a
// browser would shape them (joined letter forms, right to left) by
// go-text's HarfBuzz port in fonts Debian ships, for tests of OCR.
package ocrtest

import (
	"image"
	"image/color"
	"image/draw"
	"os"
	"testing"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Fonts with Arabic glyphs and shaping tables (GSUB init/medi/fina), as
// Debian ships them (fonts-dejavu-core, fonts-noto-core).
var arabicFonts = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	"/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoKufiArabic-Bold.ttf",
}

// Faces loads the Arabic fonts found on the machine; the test is skipped
// when there is none.
func Faces(t testing.TB) []*font.Face {
	t.Helper()
	var out []*font.Face
	for _, p := range arabicFonts {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		face, err := font.ParseTTF(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, face)
	}
	if len(out) == 0 {
		t.Skip("no font with Arabic glyphs found (apt-get install fonts-dejavu-core)")
	}
	return out
}

// RenderLine draws one line of Arabic text, shaped (joined letter forms,
// right to left) by go-text's HarfBuzz port, onto a picture of its size
// plus margins, with the given colours.
func RenderLine(face *font.Face, text string, px float32, bg, fg color.Color) *image.RGBA {
	w := int(shape(face, text, px).Advance/64) + int(px)
	h := int(px) * 3
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	DrawLine(img, face, text, px, float32(h)/2+px/3, fg)
	return img
}

func shape(face *font.Face, text string, px float32) shaping.Output {
	runes := []rune(text)
	return (&shaping.HarfbuzzShaper{}).Shape(shaping.Input{
		Text: runes, RunStart: 0, RunEnd: len(runes),
		Direction: di.DirectionRTL, Face: face, Size: fixed.I(int(px)),
		Script: language.Arabic, Language: language.NewLanguage("ar"),
	})
}

// DrawLine draws text with its baseline at y = baseline, ending at the
// right margin of img.
func DrawLine(img draw.Image, face *font.Face, text string, px, baseline float32, fg color.Color) {
	out := shape(face, text, px)
	b := img.Bounds()
	scale := px / float32(face.Upem())
	// Glyphs come in visual order, left to right: start at the left so
	// that the line ends at the right margin.
	total := float32(out.Advance) / 64
	x := float32(b.Dx()) - px/2 - total
	r := vector.NewRasterizer(b.Dx(), b.Dy())
	for _, g := range out.Glyphs {
		gx := x + float32(g.XOffset)/64
		gy := baseline - float32(g.YOffset)/64
		if o, ok := face.GlyphData(g.GlyphID).(font.GlyphOutline); ok {
			for _, s := range o.Segments {
				p := func(i int) (float32, float32) { return gx + s.Args[i].X*scale, gy - s.Args[i].Y*scale }
				switch s.Op {
				case ot.SegmentOpMoveTo:
					r.MoveTo(p(0))
				case ot.SegmentOpLineTo:
					r.LineTo(p(0))
				case ot.SegmentOpQuadTo:
					x1, y1 := p(0)
					x2, y2 := p(1)
					r.QuadTo(x1, y1, x2, y2)
				case ot.SegmentOpCubeTo:
					x1, y1 := p(0)
					x2, y2 := p(1)
					x3, y3 := p(2)
					r.CubeTo(x1, y1, x2, y2, x3, y3)
				}
			}
			r.ClosePath()
		}
		x += float32(g.Advance) / 64
	}
	r.Draw(img, b, image.NewUniform(fg), image.Point{})
}
