package cli

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/basira-org/basira/pdq"
)

func init() {
	Register(&Command{
		Name:    "hash",
		Summary: "print the PDQ hash and quality of image files (and the vPDQ of videos)",
		Usage:   "[flags] FILE...",
		Help: `Prints one line per file, in the order given, in the format of Meta's
reference tool:
  HASH,QUALITY,PATH
HASH is 64 hexadecimal characters, QUALITY 0-100 (below 50 the picture is too
flat for the hash to mean much). JPEG, PNG, GIF, WebP, BMP and TIFF are read.
A folder stands for the image files in it and its subfolders (by extension:
.jpg .jpeg .png .gif .webp .bmp .tif .tiff). A file that cannot be read or is
not an image is reported on stderr and the others go on; the exit status is
then 1.

With --dihedral, prints the hashes of the 8 rotations and flips as well:
  HASH_ORIG,HASH_ROT90,…,HASH_FLIPM,QUALITY,PATH
each the hash of the picture turned or mirrored (rot90 is counter-clockwise,
flipx upside down, flipy left to right, flipp/flipm about the diagonals).

Pictures larger than 512 px are resized to 512x512 first, as Meta's C++ tool
does. --full-resolution hashes them at their own size, as python-threatexchange
and OpenMediaMatch do, for hash strings identical to theirs (matching at the
usual distance of 31 works either way). --unletterbox first cuts off black
borders (rows and columns darker than --black-threshold), as
python-threatexchange's --photo-preprocess=unletterbox does.

Videos (.mp4 .mov .webm .mkv .avi …; decoded by ffmpeg, which must be
installed) are hashed with vPDQ, one frame a second by default; the line is
  VIDEO_MD5,FRAMES,PATH
(32 hexadecimal characters: the MD5 of the file, HMA's video_md5) and, with
--vpdq-dir, each video's frame hashes go to DIR/NAME.txt in the format of
Meta's vpdq-hash-video (frame,quality,hash,timestamp).

Examples:
  basira hash photo.jpg
  basira hash media/*.jpg > hashes.csv
  basira hash --workers 2 media/ > hashes.csv
  basira hash --dihedral meme.png
  basira hash --full-resolution --unletterbox screenshot.jpg
  basira hash --vpdq-dir hashes/ clip.mp4`,
		Run: runHash,
	})
}

func runHash(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dihedral := fs.Bool("dihedral", false, "also print the hashes of the 7 rotations and flips")
	fullRes := fs.Bool("full-resolution", false, "hash at the picture's own size, as OpenMediaMatch does, instead of resizing to 512 px first")
	unletterbox := fs.Bool("unletterbox", false, "cut off black borders before hashing")
	black := fs.Int("black-threshold", pdq.DefaultBlackThreshold, "with --unletterbox, grey level (0-255) below which a border row or column counts as black")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "files hashed in parallel (output order is kept)")
	vopt := videoFlags(fs)
	vpdqDir := fs.String("vpdq-dir", "", "write each video's vPDQ frame hashes to `DIR`/NAME.txt")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return Usagef("name at least one image FILE (or a folder of images)")
	}
	if *black < 0 || *black > 256 {
		return Usagef("--black-threshold must be 0-256")
	}
	files, err := expandImageArgs(fs.Args())
	if err != nil {
		return err
	}
	type result struct {
		line string
		err  error
	}
	results := make([]chan result, len(files))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, *workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := pdq.NewHasher()
			if *fullRes {
				h = pdq.NewFullResolutionHasher()
			}
			for i := range jobs {
				if isVideoFile(files[i]) {
					line, err := hashVideoLine(ctx, files[i], *vopt, *vpdqDir)
					results[i] <- result{line: line, err: err}
					continue
				}
				img, err := pdq.DecodeFile(files[i])
				if err != nil {
					results[i] <- result{err: err}
					continue
				}
				if *unletterbox {
					img = pdq.Unletterbox(img, *black)
				}
				if *dihedral {
					hs, q := h.Dihedral(img)
					line := ""
					for _, x := range hs {
						line += x.String() + ","
					}
					results[i] <- result{line: fmt.Sprintf("%s%d,%s", line, q, files[i])}
				} else {
					r := h.Hash(img)
					results[i] <- result{line: fmt.Sprintf("%s,%d,%s", r.Hash, r.Quality, files[i])}
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range files {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	failed := 0
	for i := range files {
		var r result
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		if r.err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "basira hash: %v\n", r.err)
			continue
		}
		fmt.Fprintln(env.Stdout, r.line)
	}
	wg.Wait()
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "basira hash: %d of %d files could not be hashed\n", failed, len(files))
		return ErrFailed
	}
	return nil
}

// imageExts are the file names a folder argument expands to.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".bmp": true, ".tif": true, ".tiff": true}

// expandImageArgs replaces each folder argument by the image files under
// it, in lexical order; files are kept as given (even without an image
// extension, so that a wrong file is reported rather than skipped).
func expandImageArgs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
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
			if !d.IsDir() && (imageExts[strings.ToLower(filepath.Ext(p))] || isVideoFile(p)) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == found {
			// Silence here would read as "hashed, nothing matched".
			return nil, fmt.Errorf("%s: no image in this folder (looked for %s)", a, imageExtList())
		}
	}
	return out, nil
}

func imageExtList() string {
	exts := make([]string, 0, len(imageExts))
	for e := range imageExts {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	return strings.Join(exts, " ")
}
