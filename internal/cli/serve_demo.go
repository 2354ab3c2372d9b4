package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"

	"github.com/basira-org/basira/internal/demo"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

func init() { DemoSeeder = seedDemo }

// seedDemo writes the demo workspace before serve builds its detectors:
// the example rule pack, the demo bank in $BASIRA_HOME/banks and the demo
// fact-checks in the workspace store, and turns the matching detectors on
// (--rules, --banks, --claims store) unless the user set those flags; the
// sample posts are fed through the pipeline once it runs.
func seedDemo(ctx context.Context, env *Env, home string) (map[string]string, func(context.Context, ingest.Sink) error, error) {
	rulesPath, err := demo.WriteRules(home)
	if err != nil {
		return nil, nil, err
	}
	bankDir, err := Home(env, true, "banks")
	if err != nil {
		return nil, nil, err
	}
	st := &hashmatch.DirStore{Dir: bankDir}
	loaded, err := hashmatch.LoadAll(ctx, st)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the banks in %s: %w", bankDir, err)
	}
	fc, err := claimsStore(env, true)
	if err != nil {
		return nil, nil, err
	}
	sum, err := demo.SeedReference(ctx, demo.Targets{Banks: hashmatch.NewRegistry(st, loaded, nil), FactChecks: fc})
	if err != nil {
		return nil, nil, err
	}
	key, err := pseudonymKey(env)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(env.Stderr, "demo: rules %s, bank %s (%d new hashes), %d fact-checks; sample posts follow once the service runs\n",
		rulesPath, demo.BankName, sum.BankHashes, sum.FactChecks)
	feed := func(ctx context.Context, sink ingest.Sink) error {
		_, err := demo.SeedPosts(ctx, sink, post.NewPseudonymizer(key))
		return err
	}
	// Referrals go to a local stand-in platform, so a case decided 'refer'
	// is sent and actioned, and can then be appealed.
	platforms, err := startDemoPlatform(ctx, home)
	if err != nil {
		return nil, nil, err
	}
	// The image posts' picture, kept as evidence for the screen's thumbnails.
	mediaDir, err := Home(env, true, "media")
	if err != nil {
		return nil, nil, err
	}
	if err := demo.WriteMedia(mediaDir); err != nil {
		return nil, nil, err
	}
	// The detectors read what was just written: the rule pack, the bank
	// folder and the workspace fact-check store.
	return map[string]string{"rules": rulesPath, "banks": bankDir, "claims": "store", "platforms": platforms, "keep-media": mediaDir}, feed, nil
}

// demoSignIn is how the demo banner tells people and scripts to sign in.
type demoSignIn struct {
	hint     string // how to sign in to the review screen
	link     string // the secret of a one-time sign-in link ("" for none)
	token    string // an analyst API token for scripts ("" for none)
	password string
}

// demoToken gives a fresh demo workspace an analyst account (a password
// and a one-time sign-in link) and an analyst API token for scripts, so
// the review screen can be opened at once. A workspace someone already
// set up keeps its own: no account is added when one exists, no token
// when an active one exists.
func demoToken(ctx context.Context, env *Env, ts auth.Store, st store.Store) (demoSignIn, error) {
	var d demoSignIn
	tokens, err := ts.List(ctx)
	if err != nil {
		return d, err
	}
	active := false
	for _, t := range tokens {
		active = active || t.Active()
	}
	if !active {
		secret, t, err := ts.Create(ctx, "demo-analyst", auth.Analyst)
		if err != nil {
			return d, err
		}
		if _, err := st.AppendAudit(ctx, audit.New("system", audit.ActionConfig, "token:"+t.ID, map[string]any{"op": "token.create", "name": t.Name, "role": t.Role, "demo": true})); err != nil {
			ts.Revoke(ctx, t.ID)
			return d, fmt.Errorf("writing the audit log: %w", err)
		}
		d.token = secret
	}
	accounts, err := st.ListAccounts(ctx)
	if err != nil {
		return d, err
	}
	if len(accounts) > 0 {
		d.hint = "sign in with one of the workspace's accounts ('basira account add --name you --role analyst --generate' makes one)"
		return d, nil
	}
	svc := account.New(st, account.Config{LinkTTL: time.Hour})
	d.password = GeneratePassword()
	if _, err := svc.Add(ctx, "system", "demo-analyst", auth.Analyst, d.password); err != nil {
		return d, err
	}
	if d.link, err = svc.IssueLink(ctx, "system", "demo-analyst"); err != nil {
		return d, err
	}
	d.hint = "sign in as demo-analyst with the password " + d.password + " ('basira account passwd demo-analyst' changes it)"
	return d, nil
}

// printDemoBanner tells where the review screen is and how to sign in;
// with a fresh demo account, also a link that signs in once (its secret
// rides in the URL fragment, which browsers never send to a server, and
// the screen removes it from the address bar and history on arrival).
func printDemoBanner(w io.Writer, addr string, d demoSignIn) {
	fmt.Fprintf(w, "review screen: http://%s/ui/ — %s\n", addr, d.hint)
	if d.link != "" {
		fmt.Fprintf(w, "sign-in link (works once, for an hour): http://%s/ui/#link=%s\n", addr, d.link)
	}
	if d.token != "" {
		fmt.Fprintf(w, "API token for scripts (role analyst): %s (revoke it with 'basira token revoke demo-analyst')\n", d.token)
	}
}

// browserAddr turns a listener address into one a browser can open
// (":8080" and "[::]:8080" become "127.0.0.1:8080").
func browserAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
