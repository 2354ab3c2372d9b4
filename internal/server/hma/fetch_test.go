package hma_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/media"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/hma"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// TestURLRoutesWithSafeClient runs the three ?url= routes through the
// client `basira serve --hma-fetch-urls` configures (media.NewClient), the
// media host being a local server reachable only through the client's
// explicit test hook: fetching works, a redirect to another local address
// is refused (every hop is checked), and size and time limits hold.
func TestURLRoutesWithSafeClient(t *testing.T) {
	_, imgs := refImages(t)
	img, err := os.ReadFile(imgs[orig].path)
	if err != nil {
		t.Fatal(err)
	}
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img)
	}))
	defer inner.Close()
	slowDone := make(chan struct{})
	defer close(slowDone)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bridge.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(img)
		case "/redirect":
			http.Redirect(w, r, "/bridge.jpg", http.StatusFound)
		case "/to-inner":
			http.Redirect(w, r, inner.URL+"/bridge.jpg", http.StatusFound)
		case "/slow.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			select {
			case <-slowDone:
			case <-r.Context().Done():
			}
		}
	}))
	defer host.Close()
	hu, _ := url.Parse(host.URL)
	allowed := netip.MustParseAddrPort(hu.Host)
	client := media.NewClient(media.ClientOptions{Timeout: 2 * time.Second, AllowDial: func(ap netip.AddrPort) bool { return ap == allowed }})

	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	toks, _ := auth.OpenFileStore(filepath.Join(dir, "tokens.json"))
	secret, _, _ := toks.Create(context.Background(), "a", auth.Admin)
	banks := hma.NewBanks(&hashmatch.DirStore{Dir: dir}, nil, nil)
	srv := server.New(server.Config{FetchClient: client, FetchTimeout: 20 * time.Second, FetchMaxBytes: int64(len(img))},
		server.Deps{Banks: banks, Hasher: hma.NewHasher(), Tokens: toks, Audit: db, Health: db})
	do := func(method, path string) (int, []byte) {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}

	code, b := do("GET", "/h/hash?url="+url.QueryEscape(host.URL+"/redirect"))
	var hashes map[string]string
	if json.Unmarshal(b, &hashes); code != 200 || distance(t, hashes["pdq"], imgs[orig].pdq) > 10 {
		t.Fatalf("hash by url (one redirect): %d %s", code, b)
	}
	srvBank := `{"name":"URLBANK"}`
	req := httptest.NewRequest("POST", "/c/banks", strings.NewReader(srvBank))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Fatalf("create bank: %d %s", rec.Code, rec.Body)
	}
	code, b = do("POST", "/c/bank/URLBANK/content?url="+url.QueryEscape(host.URL+"/bridge.jpg"))
	var content struct{ ID int64 }
	if json.Unmarshal(b, &content); code != 200 || content.ID == 0 {
		t.Fatalf("add content by url: %d %s", code, b)
	}
	code, b = do("GET", "/m/lookup?url="+url.QueryEscape(host.URL+"/bridge.jpg"))
	var byType map[string]map[string][]json.RawMessage
	if json.Unmarshal(b, &byType); code != 200 || len(byType["pdq"]["URLBANK"]) != 1 {
		t.Fatalf("lookup by url: %d %s", code, b)
	}

	for path, want := range map[string]struct {
		code int
		msg  string
	}{
		// The allowed host redirects to another loopback server: refused.
		"/to-inner": {400, "private or local"},
	} {
		code, b := do("GET", "/h/hash?url="+url.QueryEscape(host.URL+path))
		c, msg := hmaErr(t, b)
		if code != want.code || !strings.Contains(msg, want.msg) || c == "" {
			t.Errorf("%s: %d %s, want %d %q", path, code, b, want.code, want.msg)
		}
	}
	// A host that never finishes its body: the fetch deadline ends it.
	quick := server.New(server.Config{FetchClient: client, FetchTimeout: 300 * time.Millisecond},
		server.Deps{Banks: banks, Hasher: hma.NewHasher(), Tokens: toks, Audit: db, Health: db})
	start := time.Now()
	req = httptest.NewRequest("GET", "/h/hash?url="+url.QueryEscape(host.URL+"/slow.jpg"), nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	rec = httptest.NewRecorder()
	quick.ServeHTTP(rec, req)
	if _, msg := hmaErr(t, rec.Body.Bytes()); rec.Code != 400 || !strings.Contains(msg, "fetching") {
		t.Errorf("slow body: %d %s", rec.Code, rec.Body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("slow body took %v", d)
	}
	// Directly naming a loopback address the hook does not allow.
	code, b = do("GET", "/m/lookup?url="+url.QueryEscape(inner.URL+"/bridge.jpg"))
	if _, msg := hmaErr(t, b); code != 400 || !strings.Contains(msg, "private or local") {
		t.Errorf("inner by url: %d %s", code, b)
	}

	// One byte over the fetch limit.
	small := server.New(server.Config{FetchClient: client, FetchMaxBytes: int64(len(img) - 1)},
		server.Deps{Banks: banks, Hasher: hma.NewHasher(), Tokens: toks, Audit: db, Health: db})
	req = httptest.NewRequest("GET", "/h/hash?url="+url.QueryEscape(host.URL+"/bridge.jpg"), nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	rec = httptest.NewRecorder()
	small.ServeHTTP(rec, req)
	if c, _ := hmaErr(t, rec.Body.Bytes()); rec.Code != 413 || c != "body_too_large" {
		t.Errorf("over the limit: %d %s", rec.Code, rec.Body)
	}
}

// TestURLValidation ports OMM's test_hashing.py URL checks: what is not an
// absolute http(s) URL with a host (and a numeric port, if any) is 400
// before anything is fetched; a declared or actual size over the limit is
// 413 "Content too large".
func TestURLValidation(t *testing.T) {
	e := newOMMEnv(t, server.Config{FetchMaxBytes: 1000})
	for _, u := range []string{"ftp://example.com", "file:///etc/passwd", "javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
		"ws://example.com", "wss://example.com", "example.com", "//example.com", "http://", "https://", "not a url",
		"http:///example.com", "http://example.com:", "http://example.com:abc"} {
		code, b := e.do("GET", "/h/hash?url="+url.QueryEscape(u), nil)
		if code != 400 {
			t.Errorf("%q: %d %s", u, code, b)
		}
	}
	code, b := e.do("GET", "/h/hash?url="+e.imageURL("pdq/data/bridge-mods/aaa-orig.jpg"), nil)
	if _, msg := hmaErr(t, b); code != 413 || !strings.Contains(msg, "Content too large") {
		t.Errorf("over the limit: %d %s", code, b)
	}
}
