package pdq

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
	xdraw "golang.org/x/image/draw"
)

// hashBoth hashes data with the full decode and with the fast path.
func hashBoth(t testing.TB, data []byte) (full, fast Result, scale int) {
	t.Helper()
	h := NewHasher()
	defer func(v bool) { FastJPEG = v }(FastJPEG)
	FastJPEG = false
	img, _, err := DecodeForHash(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	full = h.Hash(img)
	FastJPEG = true
	img, _, err = DecodeForHash(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	fast = h.Hash(img)
	b := img.Bounds()
	if _, gray := img.(*image.Gray); gray {
		cfg, _, _ := image.DecodeConfig(bytes.NewReader(data))
		scale = cfg.Width / b.Dx()
	}
	return full, fast, max(scale, 1)
}

// TestFastJPEG: large JPEGs of quality 80 and more hash within 10 bits of
// their full decode: ThreatExchange's 4032x3024 photos, and its other
// photos enlarged 3x (to 1000-3000 pixels) and saved at quality 80-95.
func TestFastJPEG(t *testing.T) {
	type item struct {
		name string
		data []byte
	}
	var items []item
	for _, p := range []string{"exif-rotn-1.jpg", "exif-rotn-3.jpg"} {
		data, err := os.ReadFile(filepath.Join(refdata.Path(t, "pdq/pdq/data/reg-test-input/exif-rotn"), p))
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item{p, data})
	}
	var srcs []string
	for _, dir := range []string{"pdq/pdq/data/bridge-mods", "pdq/pdq/data/reg-test-input/labelme-subset", "pdq/python-threatexchange-resources"} {
		ms, _ := filepath.Glob(filepath.Join(refdata.Path(t, dir), "*.jp*g"))
		srcs = append(srcs, ms...)
	}
	for i, p := range srcs {
		if strings.Contains(p, "q000") { // quality 3-4 originals: not photos any more
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		src, err := jpeg.Decode(f)
		f.Close()
		if err != nil {
			continue
		}
		b := src.Bounds()
		if min(b.Dx(), b.Dy())*3 < 2*downsampleDims {
			continue // too small to reach the fast path even enlarged
		}
		dst := image.NewRGBA(image.Rect(0, 0, 3*b.Dx(), 3*b.Dy()))
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
		var buf bytes.Buffer
		q := []int{80, 85, 90, 95}[i%4]
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		items = append(items, item{filepath.Base(p) + " x3 q" + itoa(q), buf.Bytes()})
	}
	sum, worst, n := 0, 0, 0
	for _, it := range items {
		full, fast, s := hashBoth(t, it.data)
		if s == 1 {
			t.Errorf("%s: fast path not taken", it.name)
			continue
		}
		d := Distance(full.Hash, fast.Hash)
		sum, worst, n = sum+d, max(worst, d), n+1
		if d > 10 {
			t.Errorf("%s at 1/%d: %d bits from the full decode", it.name, s, d)
		}
		if dq := full.Quality - fast.Quality; dq > 10 || dq < -10 {
			t.Errorf("%s: quality %d, full decode %d", it.name, fast.Quality, full.Quality)
		}
	}
	if n < 10 {
		t.Fatalf("only %d large JPEGs", n)
	}
	t.Logf("%d large JPEGs: mean %.1f bits from the full decode, max %d", n, float64(sum)/float64(n), worst)
}

func itoa(v int) string { return string(rune('0'+v/10)) + string(rune('0'+v%10)) }
