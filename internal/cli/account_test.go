package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/app"
)

func TestAccountCommands(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	run := func(stdin string, args ...string) (int, string, string) {
		env, out, errb := testEnv(home)
		env.Stdin = strings.NewReader(stdin)
		code := Run(ctx, env, args)
		return code, out.String(), errb.String()
	}
	if code, _, errs := run("", "account", "add", "--name", "amina", "--role", "analyst", "--generate"); code != 0 {
		t.Fatalf("add --generate: %d %s", code, errs)
	}
	if code, _, errs := run("a long enough password\n", "account", "add", "--name", "ops", "--role", "admin"); code != 0 {
		t.Fatalf("add from stdin: %d %s", code, errs)
	}
	for _, bad := range [][]string{
		{"account", "add", "--name", "x", "--role", "ingest", "--generate"},
		{"account", "add", "--name", "bad name", "--role", "viewer", "--generate"},
		{"account", "add", "--name", "amina", "--role", "viewer", "--generate"},
	} {
		if code, _, _ := run("", bad...); code == 0 {
			t.Errorf("%v succeeded", bad)
		}
	}
	if code, _, _ := run("short\n", "account", "add", "--name", "weak", "--role", "viewer"); code == 0 {
		t.Error("a short password was accepted")
	}
	code, out, _ := run("", "account", "list")
	if code != 0 || !strings.Contains(out, "amina") || !strings.Contains(out, "analyst") || !strings.Contains(out, "ops") || strings.Contains(out, "argon2") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	code, out, errs := run("", "account", "passwd", "ops", "--generate")
	if code != 0 || len(strings.TrimSpace(out)) < account.MinPassword {
		t.Fatalf("passwd: %d %q %s", code, out, errs)
	}
	newPw := strings.TrimSpace(out)
	if code, _, errs := run("", "account", "disable", "amina"); code != 0 {
		t.Fatalf("disable: %s", errs)
	}
	// What the commands did, as a server sees it.
	db, err := app.OpenStore(ctx, filepath.Join(home, "basira.db"), app.OpenExisting)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := account.New(db, account.Config{})
	if _, err := svc.SignIn(ctx, "ops", newPw, "127.0.0.1", ""); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	if _, err := svc.SignIn(ctx, "ops", "a long enough password", "127.0.0.1", ""); err == nil {
		t.Error("the old password still works")
	}
	if a, err := db.Account(ctx, "amina"); err != nil || a.Active() {
		t.Errorf("amina after disable: %+v %v", a, err)
	}
}
