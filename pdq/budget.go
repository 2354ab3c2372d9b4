package pdq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"runtime"
	"sync"
	"time"
)

// Decode budgets. A small file can claim a huge image: a 778 KB PNG of
// 10,000 x 10,000 16-bit pixels passes MaxPixels yet needs 800 MB once
// decoded. The header is read first and the decoded size estimated from
// the dimensions and the bit depth; an image over MaxDecodeBytes is
// refused before a pixel is decoded, and all decodes of the process share
// DecodeBudget bytes, so concurrent decodes wait their turn instead of
// adding up. A decode is abandoned at its deadline.
const (
	MaxDecodeBytes       = 256 << 20 // one decoded image
	DefaultDecodeBudget  = 384 << 20 // all decodes at once (the GC may hold twice the live heap)
	DefaultDecodeTimeout = 15 * time.Second
)

// largeDecode is the decoded size above which a decode first runs the
// garbage collector.
const largeDecode = 64 << 20

// ErrBusy is returned when a decode could not get its share of the budget
// before its deadline.
var ErrBusy = errors.New("image decoding budget busy")

// budget is a weighted semaphore over bytes of decoded images.
type budget struct {
	mu    sync.Mutex
	total int64
	used  int64
	wake  chan struct{} // closed and replaced on every release
}

var decodeBudget = &budget{total: DefaultDecodeBudget, wake: make(chan struct{})}

// SetDecodeBudget sets the bytes all concurrent decodes may hold together
// (the default is DefaultDecodeBudget). It is meant for start-up.
func SetDecodeBudget(n int64) {
	decodeBudget.mu.Lock()
	decodeBudget.total = max(n, MaxDecodeBytes)
	decodeBudget.mu.Unlock()
}

func (b *budget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.used+n <= b.total {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		wake := b.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
		}
	}
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

// bytesPerPixel estimates the decoded size of one pixel from the header's
// colour model (its bit depth and channels); unknown models count as the
// largest (16-bit RGBA).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel, color.NYCbCrAModel:
		return 4 // 4:4:4 at worst, plus alpha
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// DecodedSize estimates the memory a decode of the image whose header is
// cfg needs.
func DecodedSize(cfg image.Config) int64 {
	return int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel)
}

// DecodeContext is DecodeBytes under the budgets: the header is checked
// (dimensions, bit depth, MaxDecodeBytes) before decoding, the decode
// waits for its share of the process's decode budget, and it is abandoned
// when ctx is done or after DefaultDecodeTimeout.
func DecodeContext(ctx context.Context, data []byte) (image.Image, string, error) {
	return decodeContext(ctx, data, false)
}

// DecodeForHash is DecodeContext for the 512-pixel PDQ hash: with
// FastJPEG, a large JPEG is decoded at reduced size, luma only (see
// FastJPEG). The picture it returns is for Hasher.Hash, not for display
// nor for full-resolution hashing.
func DecodeForHash(ctx context.Context, data []byte) (image.Image, string, error) {
	return decodeContext(ctx, data, FastJPEG)
}

func decodeContext(ctx context.Context, data []byte, fastOK bool) (image.Image, string, error) {
	if len(data) > MaxFileBytes {
		return nil, "", fmt.Errorf("%w: over %d MiB", ErrTooLarge, MaxFileBytes>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", fmt.Errorf("not an image in a supported format (JPEG, PNG, GIF, WebP, BMP, TIFF)")
		}
		return nil, format, fmt.Errorf("reading the %s header: %w", format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, format, fmt.Errorf("%s image of %dx%d pixels: nothing to hash", format, cfg.Width, cfg.Height)
	}
	if cfg.Width > MaxPixels/cfg.Height {
		return nil, format, fmt.Errorf("%w: %dx%d %s is above %d pixels", ErrTooLarge, cfg.Width, cfg.Height, format, MaxPixels)
	}
	need := DecodedSize(cfg)
	full := need
	fast := fastOK && format == "jpeg" && jpegScale(cfg.Width, cfg.Height) > 1
	if fast {
		// Luma only, at 1/s per side.
		s := int64(jpegScale(cfg.Width, cfg.Height))
		need = int64(cfg.Width) * int64(cfg.Height) / (s * s)
	}
	if need > MaxDecodeBytes {
		return nil, format, fmt.Errorf("%w: %dx%d %s needs about %d MiB decoded, over the %d MiB limit", ErrTooLarge, cfg.Width, cfg.Height, format, need>>20, MaxDecodeBytes>>20)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultDecodeTimeout)
		defer cancel()
	}
	if err := decodeBudget.acquire(ctx, need); err != nil {
		return nil, format, err
	}
	defer decodeBudget.release(need)
	if need > largeDecode {
		// The previous large image is garbage by now but may not be
		// collected yet: collect first, so its pages are reused instead of
		// adding up (measured: 4 large decodes in a row held 4 images).
		runtime.GC()
	}
	if fast {
		img, ok, err := decodeJPEGLuma(&ctxReader{ctx: ctx, r: bytes.NewReader(data)}, cfg)
		if ok {
			return img, format, nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, format, fmt.Errorf("decoding %s: deadline: %w", format, cerr)
		}
		_ = err
		// An RGB or CMYK JPEG: decoded in full, under the full budget.
		if full > MaxDecodeBytes {
			return nil, format, fmt.Errorf("%w: %dx%d %s needs about %d MiB decoded, over the %d MiB limit", ErrTooLarge, cfg.Width, cfg.Height, format, full>>20, MaxDecodeBytes>>20)
		}
		if err := decodeBudget.acquire(ctx, full-need); err != nil {
			return nil, format, err
		}
		defer decodeBudget.release(full - need)
	}
	img, format, err := image.Decode(&ctxReader{ctx: ctx, r: bytes.NewReader(data)})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, format, fmt.Errorf("decoding %s: deadline: %w", format, cerr)
		}
		return nil, format, fmt.Errorf("decoding %s: %w", format, err)
	}
	return img, format, nil
}

// ctxReader feeds a decoder in small reads and fails once ctx is done:
// the decoders read as they go, so a decode stops soon after its deadline.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p[:min(len(p), 32<<10)])
}
