package pdq

import (
	"bufio"
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

// ErrTooLarge is returned for images above MaxPixels.
var ErrTooLarge = errors.New("image too large")

// Decode reads an image in any supported format (JPEG, PNG, GIF, WebP, BMP,
// TIFF), refusing images larger than MaxPixels before decoding them.
func Decode(r io.Reader) (image.Image, string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// DecodeConfig reads only the header; peek enough of it to replay.
	head, _ := br.Peek(64 << 10)
	cfg, format, err := image.DecodeConfig(bytesReader(head))
	if err == nil && cfg.Width*cfg.Height > MaxPixels {
		return nil, format, fmt.Errorf("%w: %dx%d %s is above %d pixels", ErrTooLarge, cfg.Width, cfg.Height, format, MaxPixels)
	}
	img, format, err := image.Decode(br)
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", fmt.Errorf("not an image in a supported format (JPEG, PNG, GIF, WebP, BMP, TIFF)")
		}
		return nil, format, fmt.Errorf("decoding %s: %w", format, err)
	}
	return img, format, nil
}

type sliceReader struct {
	b []byte
	i int
}

func bytesReader(b []byte) *sliceReader { return &sliceReader{b: b} }

func (s *sliceReader) Read(p []byte) (int, error) {
	if s.i >= len(s.b) {
		return 0, io.EOF
	}
	n := copy(p, s.b[s.i:])
	s.i += n
	return n, nil
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
