package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/store/sqlite"
)

// testKey is the pseudonymisation key of the tests' services.
const testKey = "test-pseudonym-key-0123456789"

func testEnv(home string, extra ...string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	vars := map[string]string{"BASIRA_HOME": home, "BASIRA_LOG_LEVEL": "error", "BASIRA_PSEUDONYM_KEY": testKey}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	var out, errb bytes.Buffer
	return &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}, &out, &errb
}

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not found", rel)
	}
	return p
}

func TestIngestCommand(t *testing.T) {
	home := t.TempDir()
	rules := repoFile(t, "rules/examples.yaml")
	posts := repoFile(t, "testdata/posts.jsonl")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id":"b1","platform":"x","text":"انضموا إلينا في صفوف المجاهدين"}
not json
{"id":"b2","platform":"x"}
{"id":"b3","platform":"x","text":"ok"}
`), 0o644)
	env, _, stderr := testEnv(home)
	if code := Run(context.Background(), env, []string{"ingest", "--rules", rules, posts, bad}); code != 0 {
		t.Fatalf("ingest exit %d:\n%s", code, stderr)
	}
	msg := stderr.String()
	for _, want := range []string{"bad.jsonl: line 2:", "bad.jsonl: line 3: missing field \"text\"", "34 posts read, 34 stored, 0 duplicates, 2 lines rejected", "34 processed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(home, "basira.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Counts(context.Background())
	st.Close()
	if err != nil || c.Posts != 34 || c.Unprocessed != 0 || c.Cases == 0 {
		t.Fatalf("counts %+v %v: want 34 processed posts and some cases", c, err)
	}
	// Again: nothing new, and --strict fails on the rejected lines.
	env, _, stderr = testEnv(home)
	if code := Run(context.Background(), env, []string{"ingest", "--strict", "--rules", rules, posts, bad}); code != 1 {
		t.Fatalf("strict re-ingest exit %d, want 1:\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "0 stored, 34 duplicates") {
		t.Errorf("re-ingest stored posts again:\n%s", stderr)
	}
	// Usage errors.
	env, _, _ = testEnv(home)
	if code := Run(context.Background(), env, []string{"ingest"}); code != 2 {
		t.Errorf("ingest without files: exit %d, want 2", code)
	}
	env, _, _ = testEnv(home)
	if code := Run(context.Background(), env, []string{"ingest", "--store", "mysql://x", posts}); code != 2 {
		t.Errorf("unknown store: exit %d, want 2", code)
	}
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	home := t.TempDir()
	env, _, stderr := testEnv(home)
	if code := Run(context.Background(), env, []string{"ingest", "--rules", repoFile(t, "rules/examples.yaml"), repoFile(t, "testdata/posts.jsonl")}); code != 0 {
		t.Fatalf("ingest: %s", stderr)
	}
	verify := func(args ...string) (int, string) {
		env, out, errb := testEnv(home)
		code := Run(context.Background(), env, append([]string{"audit", "verify"}, args...))
		return code, out.String() + errb.String()
	}
	code, out := verify()
	if code != 0 || !strings.Contains(out, "OK:") {
		t.Fatalf("intact log: exit %d\n%s", code, out)
	}
	head := out[strings.LastIndex(out, " ")+1:]
	head = strings.TrimSpace(head)
	if len(head) != 64 {
		t.Fatalf("no head hash in %q", out)
	}
	env, lout, _ := testEnv(home)
	if Run(context.Background(), env, []string{"audit", "list", "--limit", "2"}) != 0 || strings.Count(lout.String(), "\n") != 2 || !strings.Contains(lout.String(), `"action":"ingest.batch"`) {
		t.Fatalf("audit list:\n%s", lout)
	}

	db, err := sqlite.Open(context.Background(), filepath.Join(home, "basira.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tamper := []struct {
		name, sql, want string
	}{
		{"edit", `UPDATE audit_log SET actor = 'someone else' WHERE seq = 3`, "entry 3: hash does not match"},
		{"delete", `DELETE FROM audit_log WHERE seq = 2`, "entry 2: entry missing"},
	}
	for _, tc := range tamper {
		tx, _ := db.W.Begin()
		if _, err := tx.Exec(tc.sql); err != nil {
			t.Fatal(err)
		}
		tx.Commit()
		code, out := verify()
		if code != 1 || !strings.Contains(out, "BROKEN") || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, want 1 and %q:\n%s", tc.name, code, tc.want, out)
		}
	}
	// Cutting the end of the log is caught with the head kept elsewhere.
	db2home := t.TempDir()
	env, _, stderr = testEnv(db2home)
	if Run(context.Background(), env, []string{"ingest", "--rules", repoFile(t, "rules/examples.yaml"), repoFile(t, "testdata/posts.jsonl")}) != 0 {
		t.Fatal(stderr)
	}
	env, out2, _ := testEnv(db2home)
	Run(context.Background(), env, []string{"audit", "verify"})
	head2 := strings.TrimSpace(out2.String()[strings.LastIndex(out2.String(), " ")+1:])
	db2, err := sqlite.Open(context.Background(), filepath.Join(db2home, "basira.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db2.W.Exec(`DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)`)
	db2.Close()
	env, out3, _ := testEnv(db2home)
	if code := Run(context.Background(), env, []string{"audit", "verify", "--head", head2}); code != 1 || !strings.Contains(out3.String(), "cut from the end") {
		t.Errorf("truncated log with --head: exit %d\n%s", code, out3)
	}
}

func TestMigrateCommand(t *testing.T) {
	home := t.TempDir()
	db := filepath.Join(home, "m.db")
	run := func(args ...string) (int, string) {
		env, out, errb := testEnv(home)
		code := Run(context.Background(), env, append([]string{"migrate", "--store", "sqlite:" + db}, args...))
		return code, out.String() + errb.String()
	}
	if code, out := run("--check"); code != 1 || !strings.Contains(out, "schema version 0") {
		t.Fatalf("check of an empty database: exit %d\n%s", code, out)
	}
	if code, out := run(); code != 0 || !strings.Contains(out, "migrated to schema version") {
		t.Fatalf("migrate: exit %d\n%s", code, out)
	}
	if code, out := run("--check"); code != 0 {
		t.Fatalf("check after migrate: exit %d\n%s", code, out)
	}
	if code, _ := run(); code != 0 {
		t.Fatal("migrating twice failed")
	}
}

func TestWorkerNeedsSharedBus(t *testing.T) {
	env, _, stderr := testEnv(t.TempDir())
	if code := Run(context.Background(), env, []string{"worker", "--rules", repoFile(t, "rules/examples.yaml")}); code != 2 || !strings.Contains(stderr.String(), "nats://") {
		t.Fatalf("worker on the memory bus: exit %d\n%s", code, stderr)
	}
}

func TestStoreSpecs(t *testing.T) {
	tests := []struct{ spec, kind, addr string }{
		{"sqlite:/tmp/x.db", "sqlite", "/tmp/x.db"},
		{"sqlite:///tmp/x.db", "sqlite", "/tmp/x.db"},
		{"data/b.db", "sqlite", "data/b.db"},
		{"postgres://u:p@h/db", "postgres", "postgres://u:p@h/db"},
		{"postgresql://h/db", "postgres", "postgresql://h/db"},
	}
	for _, tc := range tests {
		k, a, err := storeKind(tc.spec)
		if err != nil || k != tc.kind || a != tc.addr {
			t.Errorf("storeKind(%q) = %q %q %v", tc.spec, k, a, err)
		}
	}
	if _, _, err := storeKind("redis://x"); err == nil {
		t.Error("redis accepted as a store")
	}
	if r := redactStore("postgres://u:secret@h/db"); strings.Contains(r, "secret") {
		t.Errorf("password shown: %s", r)
	}
	// *_FILE indirection.
	f := filepath.Join(t.TempDir(), "pg")
	os.WriteFile(f, []byte("postgres://u:s@h/db\n"), 0o600)
	env, _, _ := testEnv(t.TempDir(), "BASIRA_STORE_FILE", f)
	var sf serviceFlags
	if err := sf.resolve(env); err != nil || sf.store != "postgres://u:s@h/db" || sf.bus != "memory" {
		t.Fatalf("resolve: %+v %v", sf, err)
	}
}
