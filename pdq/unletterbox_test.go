package pdq

import (
	"image"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

// python-threatexchange's expected output for its own test images
// (tests/hashing and the CLI's test_hash.py): sample-b.jpg hashed as is,
// and letterboxed_sample-b.jpg unletterboxed with --black-threshold=25.
const (
	txSampleB             = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
	txLetterboxedThresh25 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
)

func TestUnletterboxReference(t *testing.T) {
	dir := filepath.Join(refdata.Path(t, "pdq"), "python-threatexchange-resources")
	img, err := DecodeFile(filepath.Join(dir, "letterboxed_sample-b.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ParseHash(txLetterboxedThresh25)
	if d := Distance(NewFullResolutionHasher().Hash(img).Hash, want); d < 100 {
		t.Fatalf("letterboxed picture already %d bits from the reference: nothing to test", d)
	}
	u := Unletterbox(img, 25)
	if got, wantR := u.Bounds(), image.Rect(200, 200, 1800, 1204); got != wantR {
		t.Errorf("crop %v, want %v (the 200 px black border)", got, wantR)
	}
	if d := Distance(NewFullResolutionHasher().Hash(u).Hash, want); d != 0 {
		t.Errorf("unletterboxed at full resolution: %d bits from python-threatexchange's hash", d)
	}
	if d := Distance(NewHasher().Hash(u).Hash, want); d > 10 {
		t.Errorf("unletterboxed at 512 px: %d bits from python-threatexchange's hash", d)
	}
	// The default threshold crops the same border here.
	if got := Unletterbox(img, DefaultBlackThreshold).Bounds(); got != u.Bounds() {
		t.Errorf("default threshold crop %v, want %v", got, u.Bounds())
	}
}

func TestUnletterboxEdges(t *testing.T) {
	black := image.NewGray(image.Rect(0, 0, 20, 10))
	if got := Unletterbox(black, 40); got.Bounds() != black.Bounds() {
		t.Errorf("all-black picture cropped to %v", got.Bounds())
	}
	g := image.NewGray(image.Rect(0, 0, 20, 10))
	g.Pix[g.PixOffset(3, 2)] = 200 // one bright pixel
	g.Pix[g.PixOffset(15, 7)] = 39 // dark enough to be border
	g.Pix[g.PixOffset(16, 8)] = 40 // not dark enough
	if got, want := Unletterbox(g, 40).Bounds(), image.Rect(3, 2, 17, 9); got != want {
		t.Errorf("crop %v, want %v", got, want)
	}
	// A view without SubImage is cropped too.
	c := Unletterbox(cropped{g, g.Bounds()}, 40)
	if got, want := c.Bounds(), image.Rect(3, 2, 17, 9); got != want {
		t.Errorf("view crop %v, want %v", got, want)
	}
}

// TestFullResolutionReference checks the full-resolution hasher against
// python-threatexchange's hashes (what OpenMediaMatch stores): the large
// sample-b.jpg within decoder rounding, and closer than the 512 px hasher.
func TestFullResolutionReference(t *testing.T) {
	dir := filepath.Join(refdata.Path(t, "pdq"), "python-threatexchange-resources")
	img, err := DecodeFile(filepath.Join(dir, "sample-b.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ParseHash(txSampleB)
	full := Distance(NewFullResolutionHasher().Hash(img).Hash, want)
	small := Distance(NewHasher().Hash(img).Hash, want)
	if full > 2 || full >= small {
		t.Errorf("sample-b.jpg: full resolution %d bits, 512 px %d bits from python-threatexchange's hash", full, small)
	}
	// Pictures at most 512 px are hashed the same either way.
	for _, f := range []string{"LA.png", "rgb.jpeg"} {
		img, err := DecodeFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if a, b := NewFullResolutionHasher().Hash(img), NewHasher().Hash(img); a != b {
			t.Errorf("%s: full resolution %v, 512 px %v", f, a, b)
		}
	}
}
