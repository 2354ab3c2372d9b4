package web

import (
	"encoding/json"
	"github.com/basira-org/basira/internal/claims"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/rules"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/store"
)

func TestServesAssetsWithStrictHeaders(t *testing.T) {
	h := Handler("/ui/")
	for path, want := range map[string]string{
		"/ui/":                        `<html lang="ar" dir="rtl">`,
		"/ui/app.js":                  "registerPage",
		"/ui/evidence.js":             "function highlight(text, spans)",
		"/ui/vendor/chart.umd.min.js": "Chart.js v4",
		"/ui/app.css":                 "--accent",
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
	for name, js := range scripts(t) {
		if strings.Contains(js, "innerHTML") || strings.Contains(js, "insertAdjacentHTML") || strings.Contains(js, "document.write") {
			t.Errorf("%s writes HTML: post text must only be inserted as text nodes", name)
		}
	}
}

// scripts returns the screen's own modules (not the vendored library).
func scripts(t *testing.T) map[string]string {
	t.Helper()
	names, err := fs.Glob(static, "static/*.js")
	if err != nil || len(names) < 5 {
		t.Fatalf("modules: %v %v", names, err)
	}
	out := map[string]string{}
	for _, n := range names {
		b, _ := static.ReadFile(n)
		out[n] = string(b)
	}
	return out
}

// TestScriptParses runs Node's syntax check on app.js where Node exists.
func TestScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	dir := t.TempDir()
	for name, js := range scripts(t) {
		// .mjs: Node checks them as the ES modules they are.
		p := filepath.Join(dir, strings.TrimSuffix(filepath.Base(name), ".js")+".mjs")
		if err := os.WriteFile(p, []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
}

// TestCatalogueIsComplete keeps messages.json, the screen's one message
// catalogue, in step with the code: every language has every key, every
// key the page and script use exists, and every server error code, case
// status and taxonomy category has a message.
func TestCatalogueIsComplete(t *testing.T) {
	b, err := static.ReadFile("static/messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var cat map[string]map[string]any
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatalf("messages.json: %v", err)
	}
	langs := []string{"ar", "fr", "en"}
	for _, l := range langs {
		if cat[l] == nil {
			t.Fatalf("messages.json has no %q", l)
		}
		for k := range cat["en"] {
			if _, ok := cat[l][k]; !ok {
				t.Errorf("%s lacks %q", l, k)
			}
		}
		for k, v := range cat[l] {
			if _, ok := cat["en"][k]; !ok {
				t.Errorf("%s has %q, which en lacks", l, k)
			}
			if forms, ok := v.(map[string]any); ok {
				other, _ := forms["other"].(string)
				if !strings.Contains(other, "{n}") {
					t.Errorf("%s %q: plural forms need an 'other' form with {n}", l, k)
				}
			}
		}
	}
	want := []string{}
	for _, e := range server.Errors {
		want = append(want, "err."+string(e.Code))
	}
	for _, c := range rules.Taxonomy {
		want = append(want, "cat."+c)
	}
	for _, s := range store.Statuses {
		want = append(want, "status."+string(s))
	}
	for _, a := range []string{store.ActionRefer, store.ActionDebunk, store.ActionDismiss, store.ActionEscalate, store.ActionAppeal} {
		want = append(want, "action."+a)
	}
	page, _ := static.ReadFile("static/index.html")
	for _, js := range scripts(t) {
		for _, m := range regexp.MustCompile(`\b(?:t|plural)\("([a-z_.]+)"`).FindAllStringSubmatch(js, -1) {
			want = append(want, m[1])
		}
		for _, m := range regexp.MustCompile(`nav: "([a-z_.]+)"`).FindAllStringSubmatch(js, -1) {
			want = append(want, m[1])
		}
	}
	for _, m := range regexp.MustCompile(`data-t="([a-z_]+)"`).FindAllStringSubmatch(string(page), -1) {
		want = append(want, m[1])
	}
	for _, k := range want {
		if _, ok := cat["en"][k]; !ok {
			t.Errorf("messages.json lacks %q", k)
		}
	}
}

// TestPluralsFollowTheLanguage checks the Arabic forms the screen counts
// with are the six CLDR categories and the French ones say 0 and 1 in the
// singular ("0 publication"), as Intl.PluralRules selects them.
func TestPluralsFollowTheLanguage(t *testing.T) {
	b, _ := static.ReadFile("static/messages.json")
	var cat map[string]map[string]any
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"n_posts", "n_cases", "n_attempts"} {
		ar, _ := cat["ar"][k].(map[string]any)
		for _, form := range []string{"zero", "one", "two", "few", "many", "other"} {
			if _, ok := ar[form]; !ok {
				t.Errorf("ar %s lacks the %q form", k, form)
			}
		}
		for _, l := range []string{"fr", "en"} {
			f, _ := cat[l][k].(map[string]any)
			if f["one"] == nil || f["other"] == nil || f["one"] == f["other"] && k != "n_cases" {
				t.Errorf("%s %s: want distinct one and other forms, got %v", l, k, f)
			}
		}
	}
}

// TestCatalogueNamesEveryRating: the rumour desk shows a fact-check's
// normalised rating through the catalogue (name("rating", …)).
func TestCatalogueNamesEveryRating(t *testing.T) {
	b, _ := static.ReadFile("static/messages.json")
	var cat map[string]map[string]any
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{claims.RatingFalse, claims.RatingMisleading, claims.RatingMixed, claims.RatingTrue, claims.RatingUnproven, claims.RatingSatire, claims.RatingOther} {
		if _, ok := cat["en"]["rating."+r]; !ok {
			t.Errorf("messages.json lacks rating.%s", r)
		}
	}
}
