package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"
)

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
