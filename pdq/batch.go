package pdq

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// FileHash is the PDQ hash of one image file: Hashes[0] the image's, and
// with dihedral hashing its 7 rotations and flips after it.
type FileHash struct {
	Path    string
	Hashes  []Hash
	Quality int
	// Line is what HashOptions.Other made of a file it took.
	Line string
	Err  error
}

// HashOptions say how HashFiles hashes.
type HashOptions struct {
	Workers int // files hashed in parallel
	// Dihedral adds the hashes of the 7 rotations and flips.
	Dihedral bool
	// FullResolution hashes at the picture's own size (NewFullResolutionHasher).
	FullResolution bool
	// Unletterbox cuts off black borders (rows and columns darker than
	// Black) first.
	Unletterbox bool
	Black       int
	// Other, when set, hashes the files it takes (videos) instead: it
	// returns the line to print for them and ok.
	Other func(path string) (line string, ok bool, err error)
}

// HashFiles hashes paths on o.Workers goroutines and calls emit for each
// file in the order given, on the calling goroutine. It stops when ctx is
// done or emit returns an error.
func HashFiles(ctx context.Context, paths []string, o HashOptions, emit func(FileHash) error) error {
	results := make([]chan FileHash, len(paths))
	for i := range results {
		results[i] = make(chan FileHash, 1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	defer wg.Wait()
	for range max(1, o.Workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := NewHasher()
			if o.FullResolution {
				h = NewFullResolutionHasher()
			}
			for i := range jobs {
				results[i] <- hashOne(h, paths[i], o)
			}
		}()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(jobs)
		for i := range paths {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range paths {
		select {
		case r := <-results[i]:
			if err := emit(r); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func hashOne(h *Hasher, path string, o HashOptions) FileHash {
	if o.Other != nil {
		if line, ok, err := o.Other(path); ok {
			return FileHash{Path: path, Line: line, Err: err}
		}
	}
	img, err := DecodeFile(path)
	if err != nil {
		return FileHash{Path: path, Err: err}
	}
	if o.Unletterbox {
		img = Unletterbox(img, o.Black)
	}
	if o.Dihedral {
		hs, q := h.Dihedral(img)
		return FileHash{Path: path, Hashes: hs[:], Quality: q}
	}
	r := h.Hash(img)
	return FileHash{Path: path, Hashes: []Hash{r.Hash}, Quality: r.Quality}
}

// ImageExts are the file names a folder expands to (ExpandImagePaths).
var ImageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".bmp": true, ".tif": true, ".tiff": true}

// ExpandImagePaths replaces each folder of paths by the image files under
// it (and those also accepts, e.g. videos), in lexical order; files are
// kept as given (even without an image extension, so that a wrong file is
// reported rather than skipped). A folder without such files is an error:
// silence would read as "hashed, nothing matched".
func ExpandImagePaths(paths []string, also func(path string) bool) ([]string, error) {
	var out []string
	for _, a := range paths {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			out = append(out, a)
			continue
		}
		found := len(out)
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (ImageExts[strings.ToLower(filepath.Ext(p))] || also != nil && also(p)) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == found {
			return nil, fmt.Errorf("%s: no image in this folder (looked for %s)", a, imageExtList())
		}
	}
	return out, nil
}

func imageExtList() string {
	exts := make([]string, 0, len(ImageExts))
	for e := range ImageExts {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	return strings.Join(exts, " ")
}
