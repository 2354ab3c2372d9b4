package pdq

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestHashFilesKeepsOrder hashes a folder of generated images and a file
// that is not one: results come back in the order given, the bad file
// with its error, and the dihedral set starts with the plain hash.
func TestHashFilesKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"a.png", "b.png", "c.png"} {
		img := image.NewGray(image.Rect(0, 0, 64, 64))
		for y := range 64 {
			for x := range 64 {
				img.SetGray(x, y, color.Gray{uint8((x*(i+1) + y*(3-i)) * 4)})
			}
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	bad := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(bad, []byte("hello"), 0o600)
	paths, err := ExpandImagePaths([]string{dir, bad}, nil)
	if err != nil || len(paths) != 4 {
		t.Fatalf("expanded %v, %v", paths, err)
	}
	if _, err := ExpandImagePaths([]string{t.TempDir()}, nil); err == nil {
		t.Error("a folder without images expanded without error")
	}
	var got []FileHash
	if err := HashFiles(context.Background(), paths, HashOptions{Workers: 3}, func(r FileHash) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if r.Path != paths[i] || (r.Err != nil) != (i == 3) || (i < 3 && len(r.Hashes) != 1) {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	var dih []FileHash
	HashFiles(context.Background(), paths[:1], HashOptions{Workers: 1, Dihedral: true}, func(r FileHash) error { dih = append(dih, r); return nil })
	if len(dih) != 1 || len(dih[0].Hashes) != 8 || dih[0].Hashes[0] != got[0].Hashes[0] {
		t.Errorf("dihedral: %+v, plain %v", dih, got[0].Hashes)
	}
}
