package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/finance/detector"
)

func init() {
	RegisterDetector(DetectorOption{
		Name: "finance",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env) (detect.Detector, error) {
			on := fs.Bool("finance", true, "run the finance detector: donation appeals with wallets, IBANs, RIBs, phones or payment links (needs no data)")
			dir := fs.String("sanctions", "", "`folder` of imported sanctions lists to match wallets and names against (default: the workspace's, when lists were imported)")
			return func(_ context.Context, env *Env) (detect.Detector, error) {
				if !*on {
					return nil, nil
				}
				x, err := loadSanctionsIndex(env, *dir)
				if err != nil {
					return nil, fmt.Errorf("loading sanctions lists: %w", err)
				}
				if x == nil && *dir != "" {
					return nil, fmt.Errorf("no sanctions list in %s: import one with 'basira sanctions import'", *dir)
				}
				return &detector.Detector{Index: x}, nil
			}
		},
	})
}
