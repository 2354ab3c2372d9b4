package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/store/postgres"
)

// pgSchemaDSN returns the DSN of a fresh schema of BASIRA_TEST_POSTGRES,
// dropped when the test ends, or skips the test.
func pgSchemaDSN(t *testing.T) string {
	t.Helper()
	pg := os.Getenv("BASIRA_TEST_POSTGRES")
	if pg == "" {
		t.Skip("BASIRA_TEST_POSTGRES not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): skipping the PostgreSQL token test")
	}
	cfg, err := pgx.ParseConfig(pg)
	if err != nil {
		t.Fatal(err)
	}
	admin := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("basira_tokens_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + name + " CASCADE") })
	sep := "?"
	if strings.Contains(pg, "?") {
		sep = "&"
	}
	return pg + sep + "search_path=" + name
}

// TestTokensSharedThroughPostgres: a token made by the CLI against
// PostgreSQL works on an API server with its own connection (another
// machine of a scale-out deployment), and its revocation reaches it.
func TestTokensSharedThroughPostgres(t *testing.T) {
	dsn := pgSchemaDSN(t)
	home := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
			switch k {
			case "BASIRA_HOME":
				return home
			case "BASIRA_STORE":
				return dsn
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
	if _, err := os.Stat(filepath.Join(home, "tokens.json")); !os.IsNotExist(err) {
		t.Fatalf("with a PostgreSQL store the token went to the workspace file too: %v", err)
	}

	// The second server.
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := httptest.NewServer(server.New(server.Config{}, server.Deps{Tokens: db.Tokens(), Audit: db, Health: db}))
	defer api.Close()
	whoami := func() (int, string) {
		req, _ := http.NewRequest("GET", api.URL+"/v1/whoami", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	if code, body := whoami(); code != 200 || !strings.Contains(body, "alice") {
		t.Fatalf("the other server refused the CLI's token: %d %s", code, body)
	}
	code, out, _ = run("token", "list")
	if code != 0 || !strings.Contains(out, "alice") || strings.Contains(out, secret) {
		t.Fatalf("list: %d %s", code, out)
	}
	// --tokens file still reaches the workspace file, which is empty.
	if code, _, errs := run("token", "list", "--tokens", "file"); code != 0 || !strings.Contains(errs, "tokens.json") {
		t.Fatalf("list --tokens file: %d %s", code, errs)
	}
	if code, _, errs := run("token", "list", "--tokens", "disk"); code != 2 || !strings.Contains(errs, "file or store") {
		t.Fatalf("bad --tokens: %d %s", code, errs)
	}
	if code, out, errs := run("token", "revoke", "alice"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		code, body := whoami()
		if code == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other server still accepts a revoked token: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Create and revoke are in the shared audit log, once each.
	es, err := db.AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range es {
		if strings.HasPrefix(e.Object, "token:") && strings.Contains(string(e.Details), "token.") {
			ops = append(ops, string(e.Details))
		}
	}
	if len(ops) != 2 || !strings.Contains(ops[0], "token.create") || !strings.Contains(ops[1], "token.revoke") {
		t.Fatalf("audit entries: %v", ops)
	}
}
