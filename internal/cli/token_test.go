package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store/sqlite"
)

func TestTokenCommands(t *testing.T) {
	home := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
			if k == "BASIRA_HOME" {
				return home
			}
			return ""
		}}
		code := Run(context.Background(), env, args)
		return code, out.String(), errb.String()
	}
	code, out, errs := run("token", "create", "--role", "analyst", "--name", "alice")
	if code != 0 {
		t.Fatalf("create: %d %s", code, errs)
	}
	secret := strings.TrimSpace(out)
	if !strings.HasPrefix(secret, auth.Prefix) || !strings.Contains(errs, "shown only now") {
		t.Fatalf("create printed %q / %q", out, errs)
	}
	st, err := auth.OpenFileStore(filepath.Join(home, "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.Lookup(context.Background(), auth.HashSecret(secret))
	if err != nil || tok.Name != "alice" || tok.Role != auth.Analyst {
		t.Fatalf("lookup of the printed token: %+v %v", tok, err)
	}
	if code, _, errs := run("token", "create", "--role", "root", "--name", "x"); code != 2 || !strings.Contains(errs, "unknown role") {
		t.Fatalf("bad role: %d %s", code, errs)
	}
	if code, _, errs := run("token", "create", "--role", "viewer"); code != 2 || !strings.Contains(errs, "--name") {
		t.Fatalf("missing name: %d %s", code, errs)
	}
	code, out, _ = run("token", "list")
	if code != 0 || !strings.Contains(out, "alice") || !strings.Contains(out, tok.ID) || strings.Contains(out, secret) {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out, errs := run("token", "revoke", "alice"); code != 0 || !strings.Contains(out, tok.ID) {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	st.ForceReload()
	if _, err := st.Lookup(context.Background(), auth.HashSecret(secret)); err == nil {
		t.Fatal("a revoked token still looks up")
	}
	if code, _, errs := run("token", "revoke", "nobody"); code != 1 || !strings.Contains(errs, "no such token") {
		t.Fatalf("revoke unknown: %d %s", code, errs)
	}
	// Both changes are in the workspace's audit log.
	db, err := sqlite.Open(context.Background(), filepath.Join(home, "basira.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	es, err := db.AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range es {
		if e.Object == "token:"+tok.ID {
			ops = append(ops, string(e.Details))
		}
	}
	if len(ops) != 2 || !strings.Contains(ops[0], "token.create") || !strings.Contains(ops[1], "token.revoke") {
		t.Fatalf("audit entries for the token: %v", ops)
	}
}
