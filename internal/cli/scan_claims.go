package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/basira-org/basira/internal/claims/retrieve"
	"github.com/basira-org/basira/internal/detect"
)

func init() {
	RegisterDetector(DetectorOption{
		Name: "claims",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env) (detect.Detector, error) {
			path := fs.String("claims", "", `match posts to fact-checked claims: a fact-check file (ClaimReview, JSONL, CSV, TSV) or "store" for the workspace store`)
			model := fs.String("claims-model", "", "claim re-ranker model (default: the workspace model from 'basira claims train')")
			threshold := fs.Float64("claims-threshold", retrieve.DefaultThreshold, "least match probability that makes a claim signal")
			top := fs.Int("claims-top", 1, "most claim signals per post")
			return func(ctx context.Context, env *Env) (detect.Detector, error) {
				if *path == "" {
					return nil, nil
				}
				if *threshold < 0 || *threshold > 1 {
					return nil, Usagef("--claims-threshold must be between 0 and 1, not %g", *threshold)
				}
				if *top < 1 {
					return nil, Usagef("--claims-top must be at least 1")
				}
				file := *path
				if file == "store" {
					file = ""
				}
				m, err := loadMatcher(ctx, env, file, *model)
				if err != nil {
					return nil, fmt.Errorf("--claims: %w", err)
				}
				d := retrieve.NewDetector(m)
				d.Threshold, d.Top = *threshold, *top
				return d, nil
			}
		},
		// "store" is the workspace fact-check store, which the API and
		// 'basira claims import' write to while serve runs.
		WatchPaths: func(env *Env, fs *flag.FlagSet) []string {
			if v := fs.Lookup("claims").Value.String(); v == "store" {
				if dir, err := claimsDir(env, false); err == nil {
					return existingPaths(dir)
				}
			}
			return flagPaths(fs, []string{"claims", "claims-model"})
		},
	})
}
