package web

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

func TestServesAssetsWithStrictHeaders(t *testing.T) {
	h := Handler("/ui/")
	for path, want := range map[string]string{
		"/ui/":        `<html lang="ar" dir="rtl">`,
		"/ui/app.js":  "function highlight(text, spans)",
		"/ui/app.css": "--accent",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, rec.Code, want)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP = %q", path, csp)
		}
		etag := rec.Header().Get("ETag")
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("If-None-Match", etag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", path, rec.Code)
		}
	}
}

// TestPageHasNoInlineScript keeps the CSP honest: an inline script or
// handler attribute would be blocked in the browser.
func TestPageHasNoInlineScript(t *testing.T) {
	b, err := static.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if strings.Contains(page, "<script>") || strings.Contains(page, "onclick=") || strings.Contains(page, "style=") {
		t.Error("index.html has inline script or style")
	}
	js, _ := static.ReadFile("static/app.js")
	if strings.Contains(string(js), "innerHTML") {
		t.Error("app.js uses innerHTML: post text must only be inserted as text nodes")
	}
}

// TestScriptParses runs Node's syntax check on app.js where Node exists.
func TestScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	if out, err := exec.Command(node, "--check", "static/app.js").CombinedOutput(); err != nil {
		t.Fatalf("app.js: %v\n%s", err, out)
	}
}
