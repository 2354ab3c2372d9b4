package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

// Workspace is what `basira serve --demo` seeds in a workspace before the
// detectors are built: the example rule pack, the demo bank in the
// workspace bank folder and the demo fact-checks in the workspace store.
type Workspace struct {
	// Flags turn the matching detectors on (--rules, --banks, --claims
	// store) and referrals to a local stand-in platform (--platforms),
	// for the command to set where the user did not.
	Flags map[string]string
	// Feed ingests the sample posts once the service runs.
	Feed func(ctx context.Context, sink ingest.Sink) error
}

// SeedWorkspace writes the demo workspace under home and starts the
// stand-in platform (until ctx ends); it reports what it wrote to w.
func SeedWorkspace(ctx context.Context, w io.Writer, home string, ps *post.Pseudonymizer) (*Workspace, error) {
	rulesPath, err := WriteRules(home)
	if err != nil {
		return nil, err
	}
	bankDir := filepath.Join(home, "banks")
	for _, d := range []string{bankDir, filepath.Join(home, "claims")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, err
		}
	}
	st := &hashmatch.DirStore{Dir: bankDir}
	loaded, err := hashmatch.LoadAll(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("loading the banks in %s: %w", bankDir, err)
	}
	fc := claims.WorkspaceStore(filepath.Join(home, "claims"))
	sum, err := SeedReference(ctx, Targets{Banks: hashmatch.NewRegistry(st, loaded, nil), FactChecks: fc})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "demo: rules %s, bank %s (%d new hashes), %d fact-checks; sample posts follow once the service runs\n",
		rulesPath, BankName, sum.BankHashes, sum.FactChecks)
	// Referrals go to a local stand-in platform, so a case decided 'refer'
	// is sent and actioned, and can then be appealed.
	platforms, err := StartPlatform(ctx, home)
	if err != nil {
		return nil, err
	}
	// The image posts' picture, kept as evidence for the screen's thumbnails.
	mediaDir := filepath.Join(home, "media")
	if err := os.MkdirAll(mediaDir, 0o750); err != nil {
		return nil, err
	}
	if err := WriteMedia(mediaDir); err != nil {
		return nil, err
	}
	feed := func(ctx context.Context, sink ingest.Sink) error {
		_, err := SeedPosts(ctx, sink, ps)
		return err
	}
	// The detectors read what was just written: the rule pack, the bank
	// folder and the workspace fact-check store.
	return &Workspace{Flags: map[string]string{"rules": rulesPath, "banks": bankDir, "claims": "store", "platforms": platforms, "keep-media": mediaDir}, Feed: feed}, nil
}
