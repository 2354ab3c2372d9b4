package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/auth"
)

// concretePath fills a route pattern's wildcards with sample values.
func concretePath(p string) string {
	r := strings.NewReplacer("{id}", "1", "{key}", "1", "{name}", "NOBANK", "{sha256}", strings.Repeat("ab", 32))
	return r.Replace(p)
}

// publicRoutes are the only routes that need no token: probes, metrics for
// the scraper, the API description, signing in (which checks a password),
// and OMM's probes and route list (public there too).
var publicRoutes = []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /v1/openapi.json", "POST /v1/session", "GET /v1/session",
	"GET /status", "GET /status/live", "GET /livez", "GET /site-map", "GET /openapi/openapi.json"}

func TestEveryRouteIsGuarded(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	for _, rt := range e.srv.Routes() {
		pat := rt.Method + " " + rt.Path
		if rt.Public != slices.Contains(publicRoutes, pat) {
			t.Errorf("%s: Public=%v, but the list of public routes says otherwise", pat, rt.Public)
		}
		if !rt.Public && rt.Roles == nil {
			t.Errorf("%s: a guarded route must declare its roles", pat)
		}
	}
}

// TestAuthMatrix calls every route as every role and without a token: a
// guarded route answers 401 without a (valid) token, 403 to a role it does
// not admit, and gets past authorisation for the roles it admits.
func TestAuthMatrix(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	for _, rt := range e.srv.Routes() {
		path := concretePath(rt.Path)
		pat := rt.Method + " " + rt.Path
		code, b, _ := e.do("", rt.Method, path, "application/json", []byte("{}"))
		if rt.Public {
			if code == 401 || code == 403 {
				t.Errorf("%s is public but answered %d without a token", pat, code)
			}
			continue
		}
		if code != 401 || apiError(t, code, b).Code != CodeUnauthenticated {
			t.Errorf("%s without a token: %d %s", pat, code, b)
		}
		for _, role := range auth.Roles {
			code, b, _ := e.do(role, rt.Method, path, "application/json", []byte("{}"))
			allowed := role == auth.Admin || slices.Contains(rt.Roles, role)
			switch {
			case allowed && (code == 401 || code == 403):
				t.Errorf("%s as %s (admitted): %d %s", pat, role, code, b)
			case !allowed && code != 403:
				t.Errorf("%s as %s (not admitted): %d, want 403: %s", pat, role, code, b)
			case !allowed:
				if er := apiError(t, code, b); er.Code != CodeForbidden || !strings.Contains(er.Message, "admin") {
					t.Errorf("%s as %s: %+v", pat, role, er)
				}
			}
		}
	}
}

func TestBadTokens(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	cases := map[string]string{
		"unknown":     "Bearer bsr_not-a-token",
		"no scheme":   e.tokens[auth.Admin],
		"basic":       "Basic " + e.tokens[auth.Admin],
		"empty":       "Bearer ",
		"lower-case":  "bearer " + e.tokens[auth.Admin], // accepted: schemes are case-insensitive
		"extra space": "Bearer  " + e.tokens[auth.Admin],
	}
	for name, h := range cases {
		req, _ := http.NewRequest("GET", e.ts.URL+"/v1/whoami", nil)
		req.Header.Set("Authorization", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := 401
		if name == "lower-case" || name == "extra space" {
			want = 200
		}
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, want)
		}
	}
}

func TestRevokedTokenStopsWorking(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	var who map[string]string
	e.json(auth.Viewer, "GET", "/v1/whoami", nil, 200, &who)
	if who["role"] != "viewer" || who["name"] != "test-viewer" {
		t.Fatalf("whoami: %v", who)
	}
	// Revoke through the API as admin; the next call is refused.
	var tok map[string]any
	e.json(auth.Admin, "DELETE", "/v1/tokens/"+who["id"], nil, 200, &tok)
	if tok["revoked_at"] == nil {
		t.Fatalf("revoke answer: %v", tok)
	}
	code, b, _ := e.do(auth.Viewer, "GET", "/v1/whoami", "", nil)
	if code != 401 || !strings.Contains(apiError(t, code, b).Message, "revoked") {
		t.Fatalf("revoked token: %d %s", code, b)
	}
}

func TestTokenRoutesAndAudit(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	var created struct {
		ID, Name, Role, Token string
	}
	e.json(auth.Admin, "POST", "/v1/tokens", map[string]string{"name": "alice", "role": "analyst"}, 201, &created)
	if !strings.HasPrefix(created.Token, auth.Prefix) || created.Role != "analyst" {
		t.Fatalf("created: %+v", created)
	}
	// The new token works at once, with its role.
	req, _ := http.NewRequest("GET", e.ts.URL+"/v1/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+created.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var who map[string]string
	json.NewDecoder(resp.Body).Decode(&who)
	resp.Body.Close()
	if who["name"] != "alice" || who["role"] != "analyst" {
		t.Fatalf("whoami with the new token: %v", who)
	}
	// The list never shows a secret or a hash.
	code, b, _ := e.do(auth.Admin, "GET", "/v1/tokens", "", nil)
	if code != 200 || strings.Contains(string(b), created.Token) || strings.Contains(string(b), "hash") {
		t.Fatalf("token list leaks: %d %s", code, b)
	}
	for _, bad := range []map[string]string{{"name": "x", "role": "root"}, {"name": "", "role": "viewer"}} {
		code, b, _ := e.do(auth.Admin, "POST", "/v1/tokens", "application/json", mustJSON(bad))
		if code != 400 || apiError(t, code, b).Code != CodeInvalidParameter {
			t.Errorf("bad token request %v: %d %s", bad, code, b)
		}
	}
	// Token creation and first uses are in the audit log.
	es, err := e.db.AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range es {
		actions = append(actions, en.Action+" "+en.Object)
	}
	sort.Strings(actions)
	joined := strings.Join(actions, "\n")
	if !strings.Contains(joined, "config.change token:"+created.ID) || !strings.Contains(joined, "auth.login token:"+created.ID) {
		t.Fatalf("audit log lacks token creation or first use:\n%s", joined)
	}
}

// TestTokenFileReload: a token created by another process (the CLI) is
// valid on a running server without a restart.
func TestTokenFileReload(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/tokens.json"
	a, err := auth.OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	secret, tok, err := b.Create(context.Background(), "cli", auth.Ingest)
	if err != nil {
		t.Fatal(err)
	}
	// Force a's next check to look at the file (it checks at most once a second).
	a.ForceReload()
	got, err := a.Lookup(context.Background(), auth.HashSecret(secret))
	if err != nil || got.ID != tok.ID {
		t.Fatalf("lookup of a token created by another store: %v %v", got, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, want 0600", st.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), secret) {
		t.Fatal("the token file holds the secret")
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
