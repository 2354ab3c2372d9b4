package pdq

import (
	"image"
)

// DefaultBlackThreshold is python-threatexchange's default for
// Unletterbox: rows and columns whose every pixel has a grey level below
// it are border.
const DefaultBlackThreshold = 40

// Unletterbox returns img without its black borders, as
// python-threatexchange's --photo-preprocess=unletterbox does: the picture
// is read as grey levels (ITU-R 601 weights, as Pillow's "L" conversion),
// then the rows at the top and bottom and the columns at the left and
// right whose pixels are all darker than threshold are cut off, each side
// on its own. A picture that is all border is returned unchanged (there is
// nothing left to hash). The result shares img's pixels.
func Unletterbox(img image.Image, threshold int) image.Image {
	b := img.Bounds()
	grey := greyReader(img)
	dark := func(x, y int) bool { return grey(x, y) < threshold }
	rowDark := func(y, x0, x1 int) bool {
		for x := x0; x < x1; x++ {
			if !dark(x, y) {
				return false
			}
		}
		return true
	}
	colDark := func(x, y0, y1 int) bool {
		for y := y0; y < y1; y++ {
			if !dark(x, y) {
				return false
			}
		}
		return true
	}
	// Each side is measured over the whole picture, as the reference does.
	top := b.Min.Y
	for top < b.Max.Y && rowDark(top, b.Min.X, b.Max.X) {
		top++
	}
	if top == b.Max.Y {
		return img
	}
	bottom := b.Max.Y
	for bottom > top && rowDark(bottom-1, b.Min.X, b.Max.X) {
		bottom--
	}
	left := b.Min.X
	for left < b.Max.X && colDark(left, b.Min.Y, b.Max.Y) {
		left++
	}
	right := b.Max.X
	for right > left && colDark(right-1, b.Min.Y, b.Max.Y) {
		right--
	}
	r := image.Rect(left, top, right, bottom)
	if r == b {
		return img
	}
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	return cropped{img, r}
}

// cropped is a view of part of an image that has no SubImage method.
type cropped struct {
	image.Image
	r image.Rectangle
}

func (c cropped) Bounds() image.Rectangle { return c.r }

// greyReader returns the Pillow "L" grey level of a pixel of img: for
// YCbCr pictures the luma sample (what Pillow gets converting its decoded
// RGB back, within rounding), otherwise
// (19595 R + 38470 G + 7471 B + 2^15) >> 16 of the 8-bit colour.
func greyReader(img image.Image) func(x, y int) int {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) int { return int(m.Y[m.YOffset(x, y)]) }
	case *image.Gray:
		return func(x, y int) int { return int(m.Pix[m.PixOffset(x, y)]) }
	case *image.NRGBA:
		return func(x, y int) int {
			p := m.Pix[m.PixOffset(x, y):]
			return pilGrey(p[0], p[1], p[2])
		}
	}
	return func(x, y int) int {
		r, g, b := rgb8(img.At(x, y))
		return pilGrey(r, g, b)
	}
}

func pilGrey(r, g, b uint8) int {
	return (int(r)*19595 + int(g)*38470 + int(b)*7471 + 0x8000) >> 16
}
