package pdq

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"

	// Decoders for every format Basira hashes.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// MaxPixels is the largest image (width x height) Decode accepts, so a
// small file that claims a huge size cannot exhaust memory.
const MaxPixels = 100_000_000

// MaxFileBytes is the largest encoded image Decode reads.
const MaxFileBytes = 256 << 20

// ErrTooLarge is returned for images above MaxPixels or MaxFileBytes.
var ErrTooLarge = errors.New("image too large")

// Decode reads an image in any supported format (JPEG, PNG, GIF, WebP, BMP,
// TIFF), refusing files above MaxFileBytes and images above MaxPixels
// before decoding them.
func Decode(r io.Reader) (image.Image, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > MaxFileBytes {
		return nil, "", fmt.Errorf("%w: over %d MiB", ErrTooLarge, MaxFileBytes>>20)
	}
	return DecodeBytes(data)
}

// DecodeBytes is Decode for an encoded image held in memory, under the
// decode budgets of DecodeContext.
func DecodeBytes(data []byte) (image.Image, string, error) {
	return DecodeContext(context.Background(), data)
}

// HashFile decodes the image at path and hashes it.
func (h *Hasher) HashFile(path string) (Result, error) {
	img, err := DecodeFile(path)
	if err != nil {
		return Result{}, err
	}
	return h.Hash(img), nil
}

// DecodeFile opens and decodes the image at path; errors name the file.
func DecodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}
