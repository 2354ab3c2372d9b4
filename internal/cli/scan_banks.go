package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/vpdq"
)

func init() {
	RegisterDetector(DetectorOption{
		Name: "banks",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env) (detect.Detector, error) {
			dir := fs.String("banks", "", "match post media and text against the hash banks in `DIR` (see 'basira bank')")
			dihedral := fs.Bool("banks-dihedral", false, "with --banks, also match images rotated and mirrored")
			return func(ctx context.Context, env *Env) (detect.Detector, error) {
				if *dir == "" {
					return nil, nil
				}
				if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
					return nil, fmt.Errorf("--banks %s: not a folder of banks (create banks with 'basira bank create --dir %s')", *dir, *dir)
				}
				banks, err := hashmatch.LoadAll(ctx, &hashmatch.DirStore{Dir: *dir})
				if err != nil {
					return nil, err
				}
				if len(banks) == 0 {
					return nil, fmt.Errorf("--banks %s: no banks in the folder", *dir)
				}
				d := hashmatch.NewDetector(hashmatch.NewMatcher(banks...), "")
				d.Dihedral = *dihedral
				var mu sync.Mutex
				d.Warn = func(msg string) {
					mu.Lock()
					defer mu.Unlock()
					fmt.Fprintf(env.Stderr, "warning: %s\n", msg)
				}
				if d.Matcher().Has(hashmatch.VPDQ) {
					if err := video.Check(); err != nil {
						fmt.Fprintf(env.Stderr, "warning: local videos are matched by MD5 and SHA-256 only: %v\n", err)
					} else {
						d.Video = func(ctx context.Context, path string) ([]vpdq.Feature, error) {
							r, err := video.HashFile(ctx, path, video.Options{})
							if err != nil {
								return nil, err
							}
							return r.Features, nil
						}
					}
				}
				return d, nil
			}
		},
	})
}
