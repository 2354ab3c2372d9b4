package pdq

import (
	"context"
	"fmt"
)

// HashRGB24 hashes a packed 8-bit RGB frame (3 bytes a pixel, stride bytes
// a row) at its full size, as the reference's frame hasher (vPDQ) does: no
// 512-pixel resize first, unlike the photo path. Frames under 5 pixels on
// a side get the zero hash and quality 0, as in the reference.
func (h *Hasher) HashRGB24(pix []byte, width, height, stride int) (Result, error) {
	if width < minHashableDim || height < minHashableDim {
		return Result{}, nil
	}
	if stride < 3*width || len(pix) < stride*(height-1)+3*width {
		return Result{}, fmt.Errorf("pdq: RGB frame of %dx%d needs %d bytes, got %d", width, height, stride*(height-1)+3*width, len(pix))
	}
	n := width * height
	h.buf1, h.buf2 = grow(h.buf1, n), grow(h.buf2, n)
	for y := range height {
		row := pix[y*stride : y*stride+3*width]
		o := h.buf1[y*width : (y+1)*width]
		for x := range o {
			p := row[3*x : 3*x+3 : 3*x+3]
			o[x] = lumaOf(p[0], p[1], p[2])
		}
	}
	h.downsample(height, width)
	q := qualityOf(&h.a64)
	dct64To16(&h.a64, &h.t16, &h.b16)
	return Result{Hash: bitsOf(&h.b16, &h.sel), Quality: q}, nil
}

// AcquireDecode takes n bytes of the process's decode budget (shared with
// image decodes) for a decoder outside this package, such as a video
// frame reader, waiting until ctx is done. Call release once.
func AcquireDecode(ctx context.Context, n int64) (release func(), err error) {
	if n > MaxDecodeBytes {
		return nil, fmt.Errorf("%w: needs %d MiB decoded, over the %d MiB limit", ErrTooLarge, n>>20, MaxDecodeBytes>>20)
	}
	if err := decodeBudget.acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { decodeBudget.release(n) }, nil
}
