// Package card draws the shareable image of a debunk (1200×630 PNG, the
// size social networks preview): the rating, the claim and what is true,
// in the page's language. Text is shaped by HarfBuzz's Go port
// (go-text/typesetting), so Arabic letters take their joined forms and
// mixed Arabic/Latin lines are ordered by the bidi algorithm; glyph
// outlines are filled with x/image/vector. The font is DejaVu Sans
// (embedded; Bitstream Vera licence, see font/LICENSE), which covers
// Arabic, Latin and digits.
package card

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

//go:embed font/DejaVuSans.ttf
var fontData []byte

// Size of a card, in pixels.
const (
	Width  = 1200
	Height = 630
)

// Card is what one image shows.
type Card struct {
	Lang        string // "ar" lays out right to left
	Site        string // the site's name, top line
	Rating      string // the rating's name in Lang
	RatingValue int    // 1 (false) … 5 (true): the banner's colour
	Claim       string
	Truth       string
	Footer      string // the page's address
}

var (
	faceOnce sync.Once
	faceErr  error
	// The face is shared: go-text faces are safe for concurrent reads, the
	// shaper is not, so each Render has its own.
	face *font.Face
)

func loadFace() (*font.Face, error) {
	faceOnce.Do(func() {
		face, faceErr = font.ParseTTF(bytes.NewReader(fontData))
	})
	return face, faceErr
}

// ratingColours by rating value, as on the site.
var ratingColours = map[int]color.RGBA{
	1: {0xb3, 0x26, 0x1e, 0xff}, 2: {0xc2, 0x5e, 0x00, 0xff}, 3: {0x6b, 0x5b, 0x00, 0xff},
	4: {0x2f, 0x6f, 0x95, 0xff}, 5: {0x1e, 0x7a, 0x3a, 0xff},
}

// Limits on the text of a card: longer text is cut with an ellipsis.
const (
	claimLines = 3
	truthLines = 4
	margin     = 64
)

// Render draws c as a PNG.
func Render(c Card) ([]byte, error) {
	img, err := Draw(c)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Draw draws c.
func Draw(c Card) (*image.RGBA, error) {
	f, err := loadFace()
	if err != nil {
		return nil, fmt.Errorf("the card font: %w", err)
	}
	tl := toolPool.Get().(*tools)
	defer toolPool.Put(tl)
	l := newLayout(tl, f, c.Lang)
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{0xfa, 0xfa, 0xf7, 0xff}), image.Point{}, draw.Src)
	banner, ok := ratingColours[c.RatingValue]
	if !ok {
		banner = color.RGBA{0x55, 0x55, 0x55, 0xff}
	}
	draw.Draw(img, image.Rect(0, 0, Width, 150), image.NewUniform(banner), image.Point{}, draw.Src)
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink := color.RGBA{0x1d, 0x23, 0x2b, 0xff}
	grey := color.RGBA{0x55, 0x55, 0x55, 0xff}

	l.text(img, c.Site, 28, white, 52, 1)
	l.text(img, c.Rating, 60, white, 125, 1)
	y := 150 + 70
	y = l.text(img, "«"+strings.TrimSpace(c.Claim)+"»", 48, ink, y, claimLines) + 36
	l.text(img, c.Truth, 36, grey, y+40, truthLines)
	draw.Draw(img, image.Rect(0, Height-70, Width, Height-68), image.NewUniform(color.RGBA{0xdd, 0xdd, 0xdd, 0xff}), image.Point{}, draw.Src)
	// An address reads left to right whatever the card's language, on
	// the card's start side.
	url := newLayout(tl, l.face, "en")
	url.alignEnd = l.dir == di.DirectionRTL
	url.text(img, c.Footer, 24, grey, Height-28, 1)
	return img, nil
}

// tools are a shaper, a segmenter and a line wrapper: not safe for
// concurrent use, and costly to build (the shaper prepares the font's
// layout tables on first use), so renders share them through a pool.
type tools struct {
	shaper shaping.HarfbuzzShaper
	seg    shaping.Segmenter
	wrap   shaping.LineWrapper
}

var toolPool = sync.Pool{New: func() any { return new(tools) }}

// layout shapes and draws paragraphs in one direction.
type layout struct {
	*tools
	face *font.Face
	dir  di.Direction
	lang language.Language
	// alignEnd puts left-to-right lines against the right margin.
	alignEnd bool
}

func newLayout(tl *tools, f *font.Face, lang string) *layout {
	l := &layout{tools: tl, face: f, dir: di.DirectionLTR, lang: language.NewLanguage(lang)}
	if lang == "ar" {
		l.dir = di.DirectionRTL
	}
	return l
}

type oneFace struct{ f *font.Face }

func (o oneFace) ResolveFace(rune) *font.Face { return o.f }

// Lines shapes text at size px and wraps it to width: each line's runs in
// visual order. Exported to tests through ShapeLines.
func (l *layout) lines(text string, px, width, maxLines int) []shaping.Line {
	runes := []rune(strings.Join(strings.Fields(text), " "))
	if len(runes) == 0 {
		return nil
	}
	in := shaping.Input{Text: runes, RunStart: 0, RunEnd: len(runes), Direction: l.dir, Face: l.face,
		Size: fixed.I(px), Script: language.LookupScript(runes[0]), Language: l.lang}
	var outs []shaping.Output
	for _, run := range l.seg.Split(in, oneFace{l.face}) {
		outs = append(outs, l.shaper.Shape(run))
	}
	cfg := shaping.WrapConfig{Direction: l.dir, TruncateAfterLines: maxLines}
	if maxLines > 0 {
		ell := []rune("…")
		cfg = cfg.WithTruncator(&l.shaper, shaping.Input{Text: ell, RunEnd: len(ell), Direction: l.dir, Face: l.face, Size: fixed.I(px),
			Script: language.Common, Language: l.lang})
	}
	lines, _ := l.wrap.WrapParagraph(cfg, width, runes, shaping.NewSliceIterator(outs))
	return lines
}

// text draws text from baseline y, wrapped to the card's width and aligned
// to the start side of the direction, and returns the last baseline.
func (l *layout) text(img *image.RGBA, text string, px int, c color.RGBA, y, maxLines int) int {
	lines := l.lines(text, px, Width-2*margin, maxLines)
	if len(lines) == 0 {
		return y
	}
	// Only the band the lines cover is rasterized: filling the whole
	// card for each block of text would cost most of a render.
	lineH := px * 14 / 10
	top := max(0, y-px*13/10)
	bottom := min(Height, y+(len(lines)-1)*lineH+px/2)
	if bottom <= top {
		return y
	}
	var r vector.Rasterizer
	r.Reset(Width, bottom-top)
	last := y
	for i, line := range lines {
		base := y + i*lineH
		if base > Height {
			break
		}
		last = base
		var w fixed.Int26_6
		for _, run := range line {
			w += run.Advance
		}
		x := fixed.I(margin)
		if l.dir == di.DirectionRTL || l.alignEnd {
			x = fixed.I(Width-margin) - w
		}
		for _, run := range visualOrder(line) {
			x = l.drawRun(&r, run, x, base-top)
		}
	}
	r.Draw(img, image.Rect(0, top, Width, bottom), image.NewUniform(c), image.Point{})
	return last
}

// visualOrder returns the line's runs left to right.
func visualOrder(line shaping.Line) []shaping.Output {
	out := make([]shaping.Output, len(line))
	for i, run := range line {
		if int(run.VisualIndex) >= 0 && int(run.VisualIndex) < len(out) {
			out[run.VisualIndex] = run
		} else {
			out[i] = run
		}
	}
	return out
}

// drawRun adds the outlines of run's glyphs (already in visual order, as
// the shaper returns them) at pen x on baseline y, and returns the pen.
func (l *layout) drawRun(r *vector.Rasterizer, run shaping.Output, x fixed.Int26_6, y int) fixed.Int26_6 {
	scale := float32(run.Size) / 64 / float32(run.Face.Upem())
	for _, g := range run.Glyphs {
		ox := float32(x+g.XOffset) / 64
		oy := float32(y) - float32(g.YOffset)/64
		if outline, ok := run.Face.GlyphData(g.GlyphID).(font.GlyphOutline); ok {
			open := false
			for _, s := range outline.Segments {
				p := func(i int) (float32, float32) { return ox + s.Args[i].X*scale, oy - s.Args[i].Y*scale }
				switch s.Op {
				case opentype.SegmentOpMoveTo:
					// Font contours are closed implicitly.
					if open {
						r.ClosePath()
					}
					open = true
					r.MoveTo(p(0))
				case opentype.SegmentOpLineTo:
					r.LineTo(p(0))
				case opentype.SegmentOpQuadTo:
					x1, y1 := p(0)
					x2, y2 := p(1)
					r.QuadTo(x1, y1, x2, y2)
				case opentype.SegmentOpCubeTo:
					x1, y1 := p(0)
					x2, y2 := p(1)
					x3, y3 := p(2)
					r.CubeTo(x1, y1, x2, y2, x3, y3)
				}
			}
			if open {
				r.ClosePath()
			}
		}
		x += g.Advance
	}
	return x
}

// ShapeGlyphs returns the glyph ids the shaper chose for text in lang, in
// visual order: what a test compares with isolated forms to see that
// Arabic letters were joined.
func ShapeGlyphs(text, lang string) ([]uint32, error) {
	f, err := loadFace()
	if err != nil {
		return nil, err
	}
	tl := toolPool.Get().(*tools)
	defer toolPool.Put(tl)
	var out []uint32
	for _, line := range newLayout(tl, f, lang).lines(text, 40, 1<<20, 0) {
		for _, run := range visualOrder(line) {
			for _, g := range run.Glyphs {
				out = append(out, uint32(g.GlyphID))
			}
		}
	}
	return out, nil
}

// NominalGlyph returns the font's glyph for r without shaping (its
// isolated form for an Arabic letter).
func NominalGlyph(r rune) (uint32, bool) {
	f, err := loadFace()
	if err != nil {
		return 0, false
	}
	g, ok := f.NominalGlyph(r)
	return uint32(g), ok
}
