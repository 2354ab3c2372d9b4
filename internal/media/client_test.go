package media

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// allowOnly is the test hook: it lets the client reach exactly the given
// httptest servers, nothing else on the loopback.
func allowOnly(srvs ...*httptest.Server) func(netip.AddrPort) bool {
	ok := map[netip.AddrPort]bool{}
	for _, s := range srvs {
		u, _ := url.Parse(s.URL)
		ok[netip.MustParseAddrPort(u.Host)] = true
	}
	return func(ap netip.AddrPort) bool { return ok[ap] }
}

func TestClientRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secret") }))
	defer srv.Close()
	// Without the hook the loopback server is out of reach.
	_, err := NewClient(ClientOptions{Timeout: time.Second}).Get(srv.URL)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("loopback fetched without the test hook: %v", err)
	}
	// By name too: localhost resolves to the loopback, refused when dialled.
	u, _ := url.Parse(srv.URL)
	_, err = NewClient(ClientOptions{Timeout: time.Second}).Get("http://localhost:" + u.Port())
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("localhost fetched: %v", err)
	}
	resp, err := NewClient(ClientOptions{Timeout: time.Second, AllowDial: allowOnly(srv)}).Get(srv.URL)
	if err != nil {
		t.Fatalf("with the hook: %v", err)
	}
	resp.Body.Close()
}

// TestClientChecksEveryRedirectHop: an allowed server redirecting to a
// loopback server the hook does not allow, to another scheme, or in a
// loop, is not followed.
func TestClientChecksEveryRedirectHop(t *testing.T) {
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "metadata") }))
	defer inner.Close()
	innerURL, _ := url.Parse(inner.URL)
	var outer *httptest.Server
	outer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-inner":
			http.Redirect(w, r, inner.URL+"/x", http.StatusFound)
		case "/to-inner-by-name":
			http.Redirect(w, r, "http://localhost:"+innerURL.Port()+"/x", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, outer.URL+"/loop", http.StatusFound)
		case "/hop":
			http.Redirect(w, r, outer.URL+"/ok", http.StatusFound)
		default:
			io.WriteString(w, "image")
		}
	}))
	defer outer.Close()
	c := NewClient(ClientOptions{Timeout: 2 * time.Second, AllowDial: allowOnly(outer)})
	for path, want := range map[string]error{
		"/to-inner":         ErrPrivateAddress,
		"/to-inner-by-name": ErrPrivateAddress,
		"/to-file":          ErrRedirect,
		"/loop":             ErrRedirect,
	} {
		resp, err := c.Get(outer.URL + path)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s followed (HTTP %d)", path, resp.StatusCode)
			continue
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", path, err, want)
		}
	}
	resp, err := c.Get(outer.URL + "/hop")
	if err != nil {
		t.Fatalf("redirect within the allowed server: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "image" {
		t.Errorf("body %q", b)
	}
}

func TestClientTimeout(t *testing.T) {
	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(stop)
	start := time.Now()
	resp, err := NewClient(ClientOptions{Timeout: 200 * time.Millisecond, AllowDial: allowOnly(slow)}).Get(slow.URL)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "Timeout") && !strings.Contains(err.Error(), "deadline") {
		t.Errorf("slow body: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %v", d)
	}
}
