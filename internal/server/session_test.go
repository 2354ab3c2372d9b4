package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"
)

// browser is an HTTP client with a cookie jar, as a browser is.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (b *browser) do(method, path string, body any, hdr map[string]string) (int, []byte, http.Header) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, b.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header
}

func TestSessionSignInCSRFSignOut(t *testing.T) {
	ctx := context.Background()
	var acc *account.Service
	e := newEnv(t, Config{}, func(d *Deps) {
		acc = account.New(d.Audit.(account.Store), account.Config{})
		d.Accounts = acc
	})
	if _, err := acc.Add(ctx, "cli:root", "amina", auth.Analyst, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: e.ts.URL, c: &http.Client{Jar: jar}}

	// Nothing without a session; a wrong password is refused.
	if code, body, _ := b.do("GET", "/v1/session", nil, nil); code != 200 || !strings.Contains(string(body), `"signed_in":false`) {
		t.Fatalf("no session: %d %s", code, body)
	}
	if code, body, _ := b.do("POST", "/v1/session", map[string]string{"name": "amina", "password": "not the password"}, nil); code != 401 || apiError(t, code, body).Code != CodeUnauthenticated {
		t.Fatalf("wrong password: %d %s", code, body)
	}
	// A sign-in posted from another site is refused.
	if code, _, _ := b.do("POST", "/v1/session", map[string]string{"name": "amina", "password": "a long enough password"}, map[string]string{"Origin": "https://evil.example"}); code != 403 {
		t.Fatalf("cross-site sign-in: %d", code)
	}
	code, body, h := b.do("POST", "/v1/session", map[string]string{"name": "amina", "password": "a long enough password"}, nil)
	if code != 200 {
		t.Fatalf("sign in: %d %s", code, body)
	}
	var sv struct{ Name, Role, Kind, CSRF string }
	json.Unmarshal(body, &sv)
	if sv.Name != "amina" || sv.Role != "analyst" || sv.Kind != "session" || len(sv.CSRF) < 40 {
		t.Fatalf("session %s", body)
	}
	b.csrf = sv.CSRF
	cookie := h.Get("Set-Cookie")
	for _, want := range []string{"basira_session=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") || strings.Contains(cookie, "Max-Age") {
		t.Errorf("plain-HTTP session cookie %q: no Secure, no persistence", cookie)
	}
	first := cookieValue(jar, e.ts.URL)

	// Reads work with the cookie alone; changes need the CSRF header.
	if code, body, _ := b.do("GET", "/v1/cases", nil, nil); code != 200 {
		t.Fatalf("read with the cookie: %d %s", code, body)
	}
	seedCases(t, e.db, 1)
	if code, body, _ := b.do("POST", "/v1/cases/next", nil, nil); code != 403 || apiError(t, code, body).Code != CodeCSRF {
		t.Fatalf("change without CSRF: %d %s", code, body)
	}
	if code, body, _ := b.do("POST", "/v1/cases/next", nil, map[string]string{csrfHeader: "wrong"}); code != 403 || apiError(t, code, body).Code != CodeCSRF {
		t.Fatalf("change with a wrong CSRF token: %d %s", code, body)
	}
	if code, _, _ := b.do("POST", "/v1/cases/next", nil, map[string]string{csrfHeader: b.csrf, "Origin": "https://evil.example"}); code != 403 {
		t.Fatalf("change from another origin: %d", code)
	}
	code, body, _ = b.do("POST", "/v1/cases/next", nil, map[string]string{csrfHeader: b.csrf})
	var c store.Case
	json.Unmarshal(body, &c)
	if code != 200 || c.Assignee != "analyst:amina" {
		t.Fatalf("claim with the session: %d %s", code, body)
	}
	// The role is the account's: an analyst may not read the audit log.
	if code, _, _ := b.do("GET", "/v1/audit", nil, nil); code != 403 {
		t.Fatalf("analyst session read the audit log: %d", code)
	}

	// Signing in again rotates the session id; the old cookie is dead.
	b.do("POST", "/v1/session", map[string]string{"name": "amina", "password": "a long enough password"}, nil)
	second := cookieValue(jar, e.ts.URL)
	if second == "" || second == first {
		t.Fatalf("session not rotated: %q then %q", first, second)
	}
	stale := &http.Client{}
	req, _ := http.NewRequest("GET", e.ts.URL+"/v1/session", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: first})
	if resp, err := stale.Do(req); err != nil || signedIn(resp) {
		t.Fatalf("old session after rotation: %v", err)
	}
	_, body, _ = b.do("GET", "/v1/session", nil, nil)
	json.Unmarshal(body, &sv)

	// Sign-out: needs CSRF, clears the cookie and tells the browser to
	// drop everything; the session is dead on the server too.
	if code, _, _ := b.do("DELETE", "/v1/session", nil, nil); code != 403 {
		t.Fatalf("sign-out without CSRF: %d", code)
	}
	code, _, h = b.do("DELETE", "/v1/session", nil, map[string]string{csrfHeader: sv.CSRF})
	if code != 204 || !strings.Contains(h.Get("Clear-Site-Data"), `"cookies"`) || !strings.Contains(h.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("sign-out: %d %v", code, h)
	}
	req, _ = http.NewRequest("GET", e.ts.URL+"/v1/session", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: second})
	if resp, err := stale.Do(req); err != nil || signedIn(resp) {
		t.Fatalf("session after sign-out: %v", err)
	}
	// API tokens keep working for systems, without CSRF.
	var who struct{ Kind string }
	e.json(auth.Analyst, "GET", "/v1/session", nil, 200, &who)
	if who.Kind != "token" {
		t.Fatalf("token session kind %q", who.Kind)
	}
	e.json(auth.Analyst, "POST", "/v1/cases/next", nil, 204, nil) // the queue is empty: no CSRF error

	// Failed sign-ins are rate limited with Retry-After.
	var last int
	var retry string
	for range 6 {
		last, _, h = b.do("POST", "/v1/session", map[string]string{"name": "amina", "password": "guess guess guess"}, nil)
		retry = h.Get("Retry-After")
	}
	if last != 429 || retry == "" {
		t.Fatalf("sixth failure: %d Retry-After %q", last, retry)
	}
	// And audited.
	es, _ := e.db.AuditEntries(ctx, 0, 1000)
	n := 0
	for _, en := range es {
		if en.Action == account.ActionSignInFailed {
			n++
		}
	}
	if n < 5 {
		t.Errorf("%d failed sign-ins audited", n)
	}
}

func cookieValue(jar http.CookieJar, base string) string {
	req, _ := http.NewRequest("GET", base, nil)
	for _, c := range jar.Cookies(req.URL) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	return ""
}

func TestOneTimeLink(t *testing.T) {
	ctx := context.Background()
	var acc *account.Service
	e := newEnv(t, Config{}, func(d *Deps) {
		acc = account.New(d.Audit.(account.Store), account.Config{})
		d.Accounts = acc
	})
	acc.Add(ctx, "cli:root", "demo", auth.Analyst, "a long enough password")
	link, err := acc.IssueLink(ctx, "system", "demo")
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: e.ts.URL, c: &http.Client{Jar: jar}}
	if code, body, _ := b.do("POST", "/v1/session", map[string]string{"link": link}, nil); code != 200 {
		t.Fatalf("link: %d %s", code, body)
	}
	if code, _, _ := b.do("POST", "/v1/session", map[string]string{"link": link}, nil); code != 401 {
		t.Fatalf("second use of a link: %d", code)
	}
}

func TestThumbnailAndDashboard(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// A colour JPEG, kept as the fetcher keeps media.
	img := image.NewRGBA(image.Rect(0, 0, 400, 200))
	for y := range 200 {
		for x := range 400 {
			img.Set(x, y, color.RGBA{R: uint8(x), G: 0, B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	sum := strings.Repeat("0a", 32)
	os.MkdirAll(filepath.Join(dir, sum[:2]), 0o755)
	os.WriteFile(filepath.Join(dir, sum[:2], sum), buf.Bytes(), 0o644)
	e := newEnv(t, Config{}, func(d *Deps) { d.MediaDir = dir; d.Dashboard = d.Audit.(store.DashboardReader) })
	code, b, h := e.do(auth.Viewer, "GET", "/v1/media/"+sum+"/thumbnail", "", nil)
	if code != 200 || h.Get("Content-Type") != "image/png" {
		t.Fatalf("thumbnail: %d %s", code, b)
	}
	th, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if th.Bounds().Dx() != 160 || th.Bounds().Dy() != 80 || th.ColorModel() != color.GrayModel {
		t.Fatalf("thumbnail %v %v", th.Bounds(), th.ColorModel())
	}
	if code, _, _ := e.do(auth.Viewer, "GET", "/v1/media/"+strings.Repeat("0b", 32)+"/thumbnail", "", nil); code != 404 {
		t.Fatalf("missing media: %d", code)
	}
	if code, _, _ := e.do(auth.Viewer, "GET", "/v1/media/..%2f..%2fetc/thumbnail", "", nil); code != 400 && code != 404 {
		t.Fatalf("path in sha256: %d", code)
	}
	if code, _, _ := e.do(auth.Ingest, "GET", "/v1/media/"+sum+"/thumbnail", "", nil); code != 403 {
		t.Fatalf("ingest read a thumbnail: %d", code)
	}

	seedCases(t, e.db, 3)
	var d store.Dashboard
	e.json(auth.Viewer, "GET", "/v1/dashboard?days=7", nil, 200, &d)
	if len(d.Days) != 7 {
		t.Fatalf("%d days, want 7", len(d.Days))
	}
	var cases, posts int64
	for _, day := range d.Days {
		cases += day.Cases
		posts += day.Posts
	}
	cnt, _ := e.db.Counts(ctx)
	if cases != cnt.Cases || cases == 0 || posts != cnt.Posts || len(d.Categories) == 0 || d.Platforms[0].N != posts {
		t.Fatalf("dashboard %+v", d)
	}
	// The queue names each case's language and filters on it.
	var page struct {
		Cases []store.Case
		Langs map[string]string
		More  bool
	}
	e.json(auth.Viewer, "GET", "/v1/cases?limit=1", nil, 200, &page)
	if len(page.Cases) != 1 || !page.More || len(page.Langs) != 1 {
		t.Fatalf("page of 1: %+v", page)
	}
	lang := page.Langs[fmt.Sprint(page.Cases[0].ID)]
	e.json(auth.Viewer, "GET", "/v1/cases?lang="+lang, nil, 200, &page)
	if len(page.Cases) == 0 {
		t.Fatalf("no case in %q", lang)
	}
	for id, l := range page.Langs {
		if l != lang {
			t.Errorf("case %s is in %q, filtered for %q", id, l, lang)
		}
	}
	e.json(auth.Viewer, "GET", "/v1/cases?lang=zz", nil, 200, &page)
	if len(page.Cases) != 0 {
		t.Errorf("cases in language zz: %+v", page.Cases)
	}
	var v struct {
		Intact   bool
		Verified int64
	}
	e.json(auth.Admin, "GET", "/v1/audit/verify", nil, 200, &v)
	if !v.Intact || v.Verified == 0 {
		t.Fatalf("verify %+v", v)
	}
}

func signedIn(resp *http.Response) bool {
	defer resp.Body.Close()
	var v struct {
		SignedIn bool `json:"signed_in"`
	}
	json.NewDecoder(resp.Body).Decode(&v)
	return v.SignedIn
}

// TestSessionCookieOnTLS: over TLS the cookie is Secure and carries the
// __Host- prefix, and a browser sends it back under that name.
func TestSessionCookieOnTLS(t *testing.T) {
	ctx := context.Background()
	var acc *account.Service
	e := newEnv(t, Config{}, func(d *Deps) {
		acc = account.New(d.Audit.(account.Store), account.Config{})
		d.Accounts = acc
	})
	acc.Add(ctx, "cli:root", "amina", auth.Analyst, "a long enough password")
	ts := httptest.NewTLSServer(e.srv)
	defer ts.Close()
	c := ts.Client()
	c.Jar, _ = cookiejar.New(nil)
	b := &browser{t: t, base: ts.URL, c: c}
	code, body, h := b.do("POST", "/v1/session", map[string]string{"name": "amina", "password": "a long enough password"}, nil)
	if code != 200 {
		t.Fatalf("sign in over TLS: %d %s", code, body)
	}
	cookie := h.Get("Set-Cookie")
	for _, want := range []string{"__Host-basira_session=", "Secure", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("TLS cookie %q lacks %s", cookie, want)
		}
	}
	if _, body, _ := b.do("GET", "/v1/session", nil, nil); !strings.Contains(string(body), `"signed_in":true`) {
		t.Fatalf("the __Host- cookie is not read back: %s", body)
	}
}
