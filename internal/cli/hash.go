package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/basira-org/basira/pdq"
)

func init() {
	Register(&Command{
		Name:    "hash",
		Summary: "print the PDQ hash and quality of image files (and the vPDQ of videos)",
		Usage:   "[flags] FILE...",
		Run:     runHash,
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
	files, err := pdq.ExpandImagePaths(fs.Args(), isVideoFile)
	if err != nil {
		return err
	}
	failed := 0
	o := pdq.HashOptions{Workers: *workers, Dihedral: *dihedral, FullResolution: *fullRes, Unletterbox: *unletterbox, Black: *black,
		// Videos: vPDQ through ffmpeg, a VIDEO_MD5,FRAMES,PATH line.
		Other: func(path string) (string, bool, error) {
			if !isVideoFile(path) {
				return "", false, nil
			}
			line, err := hashVideoLine(ctx, path, *vopt, *vpdqDir)
			return line, true, err
		}}
	err = pdq.HashFiles(ctx, files, o, func(r pdq.FileHash) error {
		if r.Err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "basira hash: %v\n", r.Err)
			return nil
		}
		return writeHashLine(env.Stdout, r)
	})
	if err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "basira hash: %d of %d files could not be hashed\n", failed, len(files))
		return ErrFailed
	}
	return nil
}

// writeHashLine writes a file's line in the format of Meta's reference
// tool: HASH,QUALITY,PATH, with --dihedral all eight hashes first; a
// video's line as HashOptions.Other made it.
func writeHashLine(w io.Writer, r pdq.FileHash) error {
	if r.Line != "" {
		_, err := fmt.Fprintln(w, r.Line)
		return err
	}
	line := ""
	for _, x := range r.Hashes {
		line += x.String() + ","
	}
	_, err := fmt.Fprintf(w, "%s%d,%s\n", line, r.Quality, r.Path)
	return err
}
