package pdq

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

// applyTransform returns a copy of src turned or mirrored by the Dihedral
// transform named name, written with plain pixel moves (not with the
// hasher's own maps) so the test checks them.
func applyTransform(src *image.NRGBA, name string) *image.NRGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	// at returns the source pixel of output pixel (x, y).
	var at func(x, y int) (int, int)
	ow, oh := w, h
	switch name {
	case "orig":
		at = func(x, y int) (int, int) { return x, y }
	case "rot90": // counter-clockwise: the top-right corner comes top-left
		ow, oh = h, w
		at = func(x, y int) (int, int) { return w - 1 - y, x }
	case "rot180":
		at = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case "rot270": // clockwise: the bottom-left corner comes top-left
		ow, oh = h, w
		at = func(x, y int) (int, int) { return y, h - 1 - x }
	case "flipx": // upside down
		at = func(x, y int) (int, int) { return x, h - 1 - y }
	case "flipy": // mirrored left to right
		at = func(x, y int) (int, int) { return w - 1 - x, y }
	case "flipp": // transposed
		ow, oh = h, w
		at = func(x, y int) (int, int) { return y, x }
	case "flipm": // transposed about the other diagonal
		ow, oh = h, w
		at = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	default:
		panic(name)
	}
	out := image.NewNRGBA(image.Rect(0, 0, ow, oh))
	for y := range oh {
		for x := range ow {
			sx, sy := at(x, y)
			copy(out.Pix[y*out.Stride+4*x:][:4], src.Pix[(sy)*src.Stride+4*sx:][:4])
		}
	}
	return out
}

func toNRGBA(img image.Image) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// TestDihedralRotatedFiles writes rotated and mirrored copies of
// ThreatExchange's images as PNG files, hashes them as any upload would be
// hashed, and checks that Dihedral of the original gives exactly those
// hashes, for small pictures (hashed at their size) and large ones
// (resized to 512 first), at both resolutions.
func TestDihedralRotatedFiles(t *testing.T) {
	dir := refdata.Path(t, "pdq")
	files := []string{
		"python-threatexchange-resources/LA.png",
		"python-threatexchange-resources/rgb.jpeg",
		"pdq/data/misc-images/wee.jpg",
		"pdq/data/reg-test-input/pen-and-coaster.png",
	}
	if testing.Short() {
		files = files[:2]
	}
	for _, f := range files {
		img, err := DecodeFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		src := toNRGBA(img)
		for _, h := range []*Hasher{NewHasher(), NewFullResolutionHasher()} {
			got, q := h.Dihedral(src)
			if want := h.Hash(src); q != want.Quality || got[0] != want.Hash {
				t.Errorf("%s: orig %s q%d, Hash gives %s q%d", f, got[0], q, want.Hash, want.Quality)
			}
			for i, name := range Dihedral {
				var buf bytes.Buffer
				enc := png.Encoder{CompressionLevel: png.BestSpeed}
				if err := enc.Encode(&buf, applyTransform(src, name)); err != nil {
					t.Fatal(err)
				}
				turned, _, err := DecodeBytes(buf.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				want := h.Hash(turned).Hash
				if d := Distance(got[i], want); d != 0 {
					t.Errorf("%s %s (full resolution %v): %d bits from hashing the turned file", f, name, h.fullRes, d)
				}
			}
		}
	}
}

// TestDihedralMatchesTurnedUpload is the case of the bug report: a banked
// image is re-uploaded turned; one of the upload's Dihedral hashes is the
// banked hash exactly, whichever of the 8 turns it was.
func TestDihedralMatchesTurnedUpload(t *testing.T) {
	dir := refdata.Path(t, "pdq")
	img, err := DecodeFile(filepath.Join(dir, "python-threatexchange-resources/LA.png"))
	if err != nil {
		t.Fatal(err)
	}
	src := toNRGBA(img)
	h := NewHasher()
	banked := h.Hash(src).Hash
	for _, name := range Dihedral {
		up := applyTransform(src, name)
		hs, _ := h.Dihedral(up)
		best := 256
		for _, x := range hs {
			best = min(best, Distance(x, banked))
		}
		if best != 0 {
			t.Errorf("%s upload: nearest dihedral hash %d bits from the banked one", name, best)
		}
		if name != "orig" && Distance(hs[0], banked) <= 31 {
			t.Errorf("%s upload matches without dihedral (%d bits): the test image is too symmetric", name, Distance(hs[0], banked))
		}
	}
}

// TestDihedralReferenceFiles hashes the reference's own turned JPEGs of the
// bridge (reg-test-input/dih, each re-encoded so a few bits move) and
// checks each lands nearest its own name among Dihedral of the original,
// within the distance re-encoding explains.
func TestDihedralReferenceFiles(t *testing.T) {
	dir := filepath.Join(refdata.Path(t, "pdq"), "pdq/data/reg-test-input/dih")
	names := []string{"bridge-1-original.jpg", "bridge-2-rotate-90.jpg", "bridge-3-rotate-180.jpg", "bridge-4-rotate-270.jpg",
		"bridge-5-flipx.jpg", "bridge-6-flipy.jpg", "bridge-7-flip-plus-1.jpg", "bridge-8-flip-minus-1.jpg"}
	h := NewHasher()
	orig, err := DecodeFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	hs, _ := h.Dihedral(orig)
	for i, n := range names {
		r, err := h.HashFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		own := Distance(r.Hash, hs[i])
		if own > 16 {
			t.Errorf("%s: %d bits from Dihedral's %s", n, own, Dihedral[i])
		}
		for j := range hs {
			if j != i && Distance(r.Hash, hs[j]) <= own {
				t.Errorf("%s: %s (%d bits) is as near as its own %s (%d)", n, Dihedral[j], Distance(r.Hash, hs[j]), Dihedral[i], own)
			}
		}
	}
}

// BenchmarkDihedral compares the 8 exact dihedral hashes (Dihedral), the
// reference's one-DCT shortcut (DihedralDCT), one Hash and one
// full-resolution Hash, on the same decoded pictures.
func BenchmarkDihedral(b *testing.B) {
	imgs := decodeDir(b, "pdq/pdq/data/reg-test-input/dih")
	h := NewHasher()
	full := NewFullResolutionHasher()
	for _, c := range []struct {
		name string
		f    func(image.Image)
	}{
		{"hash", func(m image.Image) { h.Hash(m) }},
		{"dct", func(m image.Image) { h.DihedralDCT(m) }},
		{"exact", func(m image.Image) { h.Dihedral(m) }},
		{"fullres-hash", func(m image.Image) { full.Hash(m) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				c.f(imgs[i%len(imgs)])
				i++
			}
		})
	}
}
