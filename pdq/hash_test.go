package pdq

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

func TestParseHash(t *testing.T) {
	tests := []struct {
		in      string
		wantErr bool
	}{
		{"d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22", false},
		{"  D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22 ", false},
		{"d8f8f0ce", true},
		{"z8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22", true},
		{"", true},
	}
	for _, tt := range tests {
		h, err := ParseHash(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseHash(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && h.String() != "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22" {
			t.Errorf("ParseHash(%q).String() = %s", tt.in, h)
		}
	}
}

func TestBitOrder(t *testing.T) {
	// Bit 0 is the lowest bit of the last 16-bit word printed; bit 255 the
	// highest bit of the first.
	var h Hash
	h.setBit(0)
	if got := h.String(); got[60:] != "0001" || got[:60] != "000000000000000000000000000000000000000000000000000000000000" {
		t.Errorf("bit 0 gives %s", got)
	}
	h = Hash{}
	h.setBit(255)
	if got := h.String(); got[:4] != "8000" {
		t.Errorf("bit 255 gives %s", got)
	}
	if !h.Bit(255) || h.Bit(0) {
		t.Error("Bit disagrees with setBit")
	}
}

func TestDistance(t *testing.T) {
	a, _ := ParseHash("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	b := a
	b[0] ^= 0b1011
	b[3] ^= 1 << 63
	if d := Distance(a, b); d != 4 {
		t.Errorf("Distance = %d, want 4", d)
	}
	if d := Distance(a, Hash{^a[0], ^a[1], ^a[2], ^a[3]}); d != 256 {
		t.Errorf("Distance to complement = %d, want 256", d)
	}
}

func TestSmallAndFlatImages(t *testing.T) {
	h := NewHasher()
	tiny := image.NewGray(image.Rect(0, 0, 4, 100))
	if r := h.Hash(tiny); r != (Result{}) {
		t.Errorf("4x100 image: got %v, want zero hash and quality 0", r)
	}
	flat := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range flat.Pix {
		flat.Pix[i] = 128
	}
	if r := h.Hash(flat); r.Quality != 0 {
		t.Errorf("flat image: quality %d, want 0", r.Quality)
	}
}

// The hash does not depend on where the image's bounds start, nor on the
// Go image type holding the same pixels.
func TestImageTypesAgree(t *testing.T) {
	const w, ht = 300, 200
	rgba := image.NewRGBA(image.Rect(10, 20, 10+w, 20+ht))
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, ht))
	for y := range ht {
		for x := range w {
			c := color.RGBA{uint8(x * 255 / w), uint8((x * y) % 251), uint8(y * 255 / ht), 255}
			rgba.Set(10+x, 20+y, c)
			nrgba.Set(x, y, c)
		}
	}
	h := NewHasher()
	a, b := h.Hash(rgba), h.Hash(nrgba)
	generic := h.Hash(struct{ image.Image }{rgba}) // forces the At() path
	if a != b || a != generic {
		t.Errorf("RGBA %v, NRGBA %v, generic %v differ", a, b, generic)
	}
	if a.Quality < 50 {
		t.Errorf("quality %d for a textured image", a.Quality)
	}
}

// TestFancyPathsAgree checks that the full-row 4:2:0 conversion gives the
// same luminance as the per-pixel one, on a real 256x256 JPEG.
func TestFancyPathsAgree(t *testing.T) {
	img, err := DecodeFile(filepath.Join(refdata.Path(t, "pdq/pdq/data/reg-test-input/labelme-subset"), "q0122.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if y, ok := img.(*image.YCbCr); !ok || y.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Fatalf("q0122.jpg decoded as %T, want 4:2:0 YCbCr", img)
	}
	lumaOfImage := func(rows bool) []float32 {
		fancyRows = rows
		defer func() { fancyRows = true }()
		h := NewHasher()
		h.resizeMap(img.Bounds(), 256, 256)
		h.buf1 = make([]float32, 256*256)
		h.luma(img)
		return h.buf1
	}
	if !slices.Equal(lumaOfImage(true), lumaOfImage(false)) {
		t.Fatal("the row and per-pixel 4:2:0 conversions differ")
	}
}

// FuzzDecodeHash feeds arbitrary bytes to the decoders and the hasher: no
// input may panic, and whatever decodes must hash.
func FuzzDecodeHash(f *testing.F) {
	f.Add([]byte("\xff\xd8\xff\xe0"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("GIF89a\x05\x00\x05\x00"))
	if dir := refdata.Dir(); dir != "" {
		for _, name := range []string{"misc-images/small.jpg", "misc-images/wee.jpg"} {
			if data, err := os.ReadFile(filepath.Join(dir, "pdq/pdq/data", name)); err == nil {
				f.Add(data)
			}
		}
	}
	h := NewHasher()
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := DecodeBytes(data)
		if err != nil {
			return
		}
		r := h.Hash(img)
		if r.Quality < 0 || r.Quality > 100 {
			t.Fatalf("quality %d", r.Quality)
		}
	})
}

// A fresh Hasher must hash images narrower than 64 pixels (its column
// buffer is sized by the image, and the last pass needs 64 columns).
func TestNarrowImageFreshHasher(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 34, 42))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	if r := NewHasher().Hash(img); r.Quality == 0 {
		t.Errorf("34x42 textured image: quality 0")
	}
}
