package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
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
	feed := func(ctx context.Context, sink ingest.Sink) error {
		_, err := SeedPosts(ctx, sink, ps)
		return err
	}
	// The detectors read what was just written: the rule pack, the bank
	// folder and the workspace fact-check store.
	return &Workspace{Flags: map[string]string{"rules": rulesPath, "banks": bankDir, "claims": "store", "platforms": platforms}, Feed: feed}, nil
}

// Token gives a fresh demo workspace an analyst token, so the review
// screen can be opened at once, and returns the sign-in hint and the
// token. It does nothing when any active token exists: a workspace
// someone already set up keeps its own.
func Token(ctx context.Context, ts auth.Store, log interface {
	AppendAudit(context.Context, audit.Entry) (audit.Entry, error)
}) (hint, secret string, err error) {
	tokens, err := ts.List(ctx)
	if err != nil {
		return "", "", err
	}
	for _, t := range tokens {
		if t.Active() {
			return "sign in with one of the workspace's tokens ('basira token create --role analyst --name you' makes one)", "", nil
		}
	}
	secret, t, err := ts.Create(ctx, "demo-analyst", auth.Analyst)
	if err != nil {
		return "", "", err
	}
	if _, err := log.AppendAudit(ctx, audit.New("system", audit.ActionConfig, "token:"+t.ID, map[string]any{"op": "token.create", "name": t.Name, "role": t.Role, "demo": true})); err != nil {
		ts.Revoke(ctx, t.ID)
		return "", "", fmt.Errorf("writing the audit log: %w", err)
	}
	return fmt.Sprintf("sign in with the demo analyst token %s (revoke it with 'basira token revoke demo-analyst')", secret), secret, nil
}

// PrintBanner tells where the review screen is and how to sign in; with a
// fresh demo token, also a link that signs in at once (the token rides in
// the URL fragment, which browsers never send to a server, and the screen
// removes it from the address bar and history on arrival).
func PrintBanner(w io.Writer, addr, hint, secret string) {
	fmt.Fprintf(w, "review screen: http://%s/ui/ — %s\n", addr, hint)
	if secret != "" {
		fmt.Fprintf(w, "sign-in link: http://%s/ui/#token=%s\n", addr, secret)
	}
}
