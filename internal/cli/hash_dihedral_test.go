package cli

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
	"github.com/basira-org/basira/pdq"
)

// TestHashDihedralTurnedFile is the bug report's case: LA.png is written
// turned counter-clockwise to a new file; `basira hash` of that file must
// appear exactly among `basira hash --dihedral` of the original (it was
// 64-92 bits off when the dihedral hashes came from the DCT shortcut), and
// `basira match --dihedral` must find the original's bank entry from the
// turned file.
func TestHashDihedralTurnedFile(t *testing.T) {
	orig := filepath.Join(refdata.Path(t, "pdq/python-threatexchange-resources"), "LA.png")
	img, err := pdq.DecodeFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	src := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	turned := image.NewNRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dx() {
		for x := range b.Dy() {
			// counter-clockwise: output (x, y) is source (w-1-y, x)
			copy(turned.Pix[turned.PixOffset(x, y):][:4], src.Pix[src.PixOffset(b.Dx()-1-y, x):][:4])
		}
	}
	path := filepath.Join(t.TempDir(), "turned.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, turned); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, out, _ := run(t, "", "hash", path)
	turnedHash := strings.Split(out, ",")[0]
	_, out, _ = run(t, "", "hash", "--dihedral", orig)
	fields := strings.Split(strings.TrimSpace(out), ",")
	if len(fields) != 10 || fields[1] != turnedHash {
		t.Errorf("rot90 of the original is %q, hash of the turned file %s", fields[1], turnedHash)
	}

	banks := t.TempDir()
	_, out, _ = run(t, "", "hash", orig)
	origHash := strings.Split(out, ",")[0]
	for _, args := range [][]string{
		{"bank", "create", "--type", "pdq", "known"},
		{"bank", "add", "--label", "propaganda", "known", origHash},
	} {
		if code, _, errs := run(t, "", append(args, "--dir", banks)...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	_, out, _ = run(t, "", "match", "--dir", banks, "--format", "json", "--dihedral", path)
	if !strings.Contains(out, `"verdict":"flag"`) || !strings.Contains(out, `"distance":0`) {
		t.Errorf("match --dihedral of the turned file: %s", out)
	}
}

func TestHashFullResolutionUnletterbox(t *testing.T) {
	dir := refdata.Path(t, "pdq/python-threatexchange-resources")
	// python-threatexchange's hash of letterboxed_sample-b.jpg unletterboxed
	// at threshold 25 (its CLI test).
	const want = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
	code, out, errs := run(t, "", "hash", "--full-resolution", "--unletterbox", "--black-threshold", "25", filepath.Join(dir, "letterboxed_sample-b.jpg"))
	if code != 0 || !strings.HasPrefix(out, want+",") {
		t.Errorf("exit %d, %q %s; want %s", code, out, errs, want)
	}
	if code, _, _ := run(t, "", "hash", "--black-threshold", "-1", filepath.Join(dir, "LA.png")); code != 2 {
		t.Errorf("bad --black-threshold: exit %d, want 2", code)
	}
}
