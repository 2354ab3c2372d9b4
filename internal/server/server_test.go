package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// storeSink is the simplest ingest.Sink over a real store: PutPosts returns
// once the batch is committed. (The service's Sink, internal/pipeline,
// also queues the new posts for the detectors.)
type storeSink struct{ db store.Store }

func (s storeSink) Accept(ctx context.Context, source string, posts []*post.Post) error {
	_, err := s.db.PutPosts(ctx, source, source, posts)
	return err
}

// env is a test server over a real SQLite store and token file, with one
// token per role.
type env struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	db     store.Store
	tokens map[auth.Role]string
	names  map[auth.Role]string
}

func newEnv(t testing.TB, cfg Config, mod func(*Deps)) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "basira.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newEnvOn(t, db, cfg, mod)
}

// newEnvOn is newEnv over a given store.
func newEnvOn(t testing.TB, db store.Store, cfg Config, mod func(*Deps)) *env {
	t.Helper()
	dir := t.TempDir()
	ts, err := auth.OpenFileStore(filepath.Join(dir, "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, tokens: map[auth.Role]string{}, names: map[auth.Role]string{}}
	for _, r := range auth.Roles {
		secret, _, err := ts.Create(context.Background(), "test-"+string(r), r)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = secret
		e.names[r] = "test-" + string(r)
	}
	deps := Deps{Sink: storeSink{db}, Posts: db, Cases: db, Audit: db, Health: db, Tokens: ts}
	if mod != nil {
		mod(&deps)
	}
	e.srv = New(cfg, deps)
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(e.ts.Close)
	return e
}

// do sends a request as role ("" for no token) and returns the status and
// body.
func (e *env) do(role auth.Role, method, path, contentType string, body []byte) (int, []byte, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

func (e *env) json(role auth.Role, method, path string, in any, want int, out any) {
	e.t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			e.t.Fatal(err)
		}
	}
	ct := ""
	if in != nil {
		ct = "application/json"
	}
	code, b, _ := e.do(role, method, path, ct, body)
	if code != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d; body %s", method, path, role, code, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, b, err)
		}
	}
}

// apiError decodes the one error format and fails if the body is not in it.
func apiError(t testing.TB, status int, b []byte) Error {
	t.Helper()
	var body struct {
		Error *Error `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&body); err != nil || body.Error == nil {
		t.Fatalf("status %d: body is not {\"error\": {...}}: %s", status, b)
	}
	if body.Error.Code == "" || body.Error.Message == "" {
		t.Fatalf("error without code or message: %s", b)
	}
	want, ok := statusOf[body.Error.Code]
	if !ok {
		t.Fatalf("error code %q is not in the table", body.Error.Code)
	}
	if want != status {
		t.Fatalf("code %s came with status %d, the table says %d", body.Error.Code, status, want)
	}
	return *body.Error
}

func TestHealth(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		code, b, _ := e.do("", "GET", p, "", nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", p, code, b)
		}
	}
	// Readiness follows the store: a closed store is not ready.
	e.db.Close()
	code, b, _ := e.do("", "GET", "/readyz", "", nil)
	if code != 503 || apiError(t, code, b).Code != CodeUnavailable {
		t.Fatalf("readyz with a closed store: %d %s", code, b)
	}
	code, _, _ = e.do("", "GET", "/healthz", "", nil)
	if code != 200 {
		t.Fatalf("healthz must not depend on the store: %d", code)
	}
}

func TestReadyWithoutStore(t *testing.T) {
	e := newEnv(t, Config{}, func(d *Deps) { d.Health = nil })
	code, b, _ := e.do("", "GET", "/readyz", "", nil)
	if code != 503 {
		t.Fatalf("readyz without a store: %d %s", code, b)
	}
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}
