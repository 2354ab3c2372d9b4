package truth

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/store/sqlite"
)

func openStore(t *testing.T) debunk.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var bridge = debunk.Content{Rating: "false",
	Texts: map[string]debunk.Text{
		"ar": {Claim: "انهيار جسر الملك فهد بعد العاصفة", Truth: "الجسر سليم ومفتوح للسير.\nنفت الهيئة العامة الخبر في بيان رسمي.",
			Evidence: "راجعنا صور الأقمار الصناعية وبيان الهيئة <script>alert(1)</script>"},
		"fr": {Claim: "Le pont du Roi-Fahd s'est effondré après la tempête", Truth: "Le pont est intact et ouvert à la circulation."},
	},
	Sources:     []debunk.Source{{URL: "https://example.org/statement", Title: "بيان الهيئة"}},
	Appearances: []string{"https://x.com/someone/status/1"}}

// publish writes, approves and publishes c through the store's workflow.
func publish(t *testing.T, ds debunk.Store, c debunk.Content, at time.Time) *debunk.Debunk {
	t.Helper()
	ctx := context.Background()
	d, err := debunk.Create("alice", 0, c, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.CreateDebunk(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.UpdateDebunk(ctx, d.ID, "bob", "approve", func(d *debunk.Debunk) error { return d.Approve("bob", at) }); err != nil {
		t.Fatal(err)
	}
	d, err = ds.UpdateDebunk(ctx, d.ID, "bob", "publish", func(d *debunk.Debunk) error { return d.Publish(at) })
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type client struct {
	t  *testing.T
	ts *httptest.Server
}

func (c client) get(path string, hdr ...string) (*http.Response, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.ts.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

var ldRe = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

func TestPages(t *testing.T) {
	ds := openStore(t)
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	d := publish(t, ds, bridge, at)
	draft, _ := debunk.Create("alice", 0, bridge, at)
	if err := ds.CreateDebunk(context.Background(), draft); err != nil {
		t.Fatal(err)
	}
	c := client{t, httptest.NewServer(New(ds, Options{PublicURL: "https://truth.example.org"}))}
	defer c.ts.Close()

	resp, page := c.get(debunk.PagePath(d.ID, "ar"))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("arabic page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	html := string(page)
	for _, want := range []string{`<html lang="ar" dir="rtl">`, `<meta name="viewport" content="width=device-width, initial-scale=1">`,
		"انهيار جسر الملك فهد بعد العاصفة", "الجسر سليم ومفتوح للسير.</p>", `hreflang="fr"`, "&lt;script&gt;alert(1)&lt;/script&gt;",
		`href="https://example.org/statement"`, `/card.png"`} {
		if !strings.Contains(html, want) {
			t.Errorf("arabic page lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>alert") {
		t.Fatal("evidence text was not escaped")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Fatalf("CSP %q: want default-src 'none' and no script source", csp)
	}
	checkClaimReview(t, html, "https://truth.example.org"+debunk.PagePath(d.ID, "ar"), "زائف")

	resp, page = c.get(debunk.PagePath(d.ID, "fr"))
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<html lang="fr" dir="ltr">`) || !strings.Contains(string(page), "Ce qui est vrai") {
		t.Fatalf("french page: %d\n%s", resp.StatusCode, page)
	}
	checkClaimReview(t, string(page), "https://truth.example.org"+debunk.PagePath(d.ID, "fr"), "Faux")

	// Not written in English; a draft is not public; nonsense ids.
	for _, p := range []string{debunk.PagePath(d.ID, "en"), debunk.PagePath(draft.ID, "ar"), "/truth/0/ar", "/truth/x/ar", "/truth/99/ar"} {
		if resp, _ := c.get(p); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := c.get(debunk.SitePath + "1"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != debunk.PagePath(d.ID, "ar") {
		t.Errorf("/truth/1: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Caching: the ETag revalidates to 304.
	resp, _ = c.get(debunk.PagePath(d.ID, "ar"))
	etag := resp.Header.Get("ETag")
	if etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("no ETag or Cache-Control: %v", resp.Header)
	}
	if resp, b := c.get(debunk.PagePath(d.ID, "ar"), "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Fatalf("revalidation: %d with %d bytes", resp.StatusCode, len(b))
	}

	// The index lists the published debunk only, in the asked language.
	_, idx := c.get("/truth/")
	if !strings.Contains(string(idx), `<html lang="ar" dir="rtl">`) || strings.Count(string(idx), `<li lang=`) != 1 ||
		!strings.Contains(string(idx), debunk.PagePath(d.ID, "ar")) {
		t.Fatalf("index:\n%s", idx)
	}
	_, idx = c.get("/truth/?lang=fr")
	if !strings.Contains(string(idx), `<html lang="fr" dir="ltr">`) || !strings.Contains(string(idx), debunk.PagePath(d.ID, "fr")) {
		t.Fatalf("french index:\n%s", idx)
	}

	// The card is a PNG of the card's size.
	resp, b := c.get(debunk.PagePath(d.ID, "ar") + "/card.png")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("card: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if img, err := png.Decode(bytes.NewReader(b)); err != nil || img.Bounds().Dx() != 1200 {
		t.Fatalf("card: %v", err)
	}
	if resp, _ := c.get("/truth/site.css"); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d", resp.StatusCode)
	}
}

// checkClaimReview checks the page's JSON-LD has what search engines'
// fact-check markup requires.
func checkClaimReview(t *testing.T, html, url, ratingName string) {
	t.Helper()
	m := ldRe.FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no JSON-LD in the page")
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD is not JSON: %v\n%s", err, m[1])
	}
	if ld["@context"] != "https://schema.org" || ld["@type"] != "ClaimReview" || ld["url"] != url {
		t.Fatalf("JSON-LD context/type/url: %v", ld)
	}
	if s, _ := ld["claimReviewed"].(string); s == "" {
		t.Fatal("claimReviewed missing")
	}
	if d, _ := ld["datePublished"].(string); !strings.HasPrefix(d, "2026-12-07") {
		t.Fatalf("datePublished %v", ld["datePublished"])
	}
	author, _ := ld["author"].(map[string]any)
	if author == nil || author["name"] != debunk.Publisher || author["@type"] != "Organization" {
		t.Fatalf("author %v", ld["author"])
	}
	r, _ := ld["reviewRating"].(map[string]any)
	if r == nil || r["@type"] != "Rating" || r["alternateName"] != ratingName {
		t.Fatalf("reviewRating %v", ld["reviewRating"])
	}
	for k, want := range map[string]float64{"ratingValue": 1, "bestRating": 5, "worstRating": 1} {
		if v, ok := r[k].(float64); !ok || v != want {
			t.Fatalf("reviewRating.%s = %v, want %v", k, r[k], want)
		}
	}
	item, _ := ld["itemReviewed"].(map[string]any)
	if item == nil || item["@type"] != "Claim" {
		t.Fatalf("itemReviewed %v", ld["itemReviewed"])
	}
	if app, _ := item["appearance"].(map[string]any); app == nil && item["appearance"] == nil {
		t.Fatalf("itemReviewed.appearance missing: %v", item)
	}
}

func TestFeeds(t *testing.T) {
	ds := openStore(t)
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	d := publish(t, ds, bridge, at)
	// A correction, published: the feeds show the new date, the page lists it.
	ctx := context.Background()
	fixed := bridge
	fixed.Texts = map[string]debunk.Text{"ar": {Claim: bridge.Texts["ar"].Claim, Truth: "الجسر سليم. أعيد فتحه صباح الأحد."}}
	steps := []struct {
		actor, op string
		f         func(*debunk.Debunk) error
	}{
		{"alice", "correct", func(d *debunk.Debunk) error {
			return d.Correct("alice", fixed, "أُضيف موعد إعادة الفتح", at.Add(time.Hour))
		}},
		{"bob", "approve", func(d *debunk.Debunk) error { return d.Approve("bob", at.Add(time.Hour)) }},
		{"bob", "publish", func(d *debunk.Debunk) error { return d.Publish(at.Add(2 * time.Hour)) }},
	}
	for _, s := range steps {
		if _, err := ds.UpdateDebunk(ctx, d.ID, s.actor, s.op, s.f); err != nil {
			t.Fatal(err)
		}
	}
	c := client{t, httptest.NewServer(New(ds, Options{}))}
	defer c.ts.Close()

	resp, b := c.get("/truth/feed.atom")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("atom: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var feed struct {
		Entries []struct {
			Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			ID      string `xml:"id"`
			Updated string `xml:"updated"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b, &feed); err != nil {
		t.Fatalf("atom is not XML: %v", err)
	}
	// The correction dropped French: one entry, Arabic, corrected.
	if len(feed.Entries) != 1 || feed.Entries[0].Lang != "ar" || !strings.HasPrefix(feed.Entries[0].Updated, "2026-12-07T11:30") ||
		!strings.Contains(feed.Entries[0].Summary, "أعيد فتحه") || !strings.HasPrefix(feed.Entries[0].ID, c.ts.URL+"/truth/") {
		t.Fatalf("atom entries %+v", feed.Entries)
	}
	resp, b = c.get("/truth/feed.json")
	var jf struct {
		Version string `json:"version"`
		Items   []struct {
			URL, Language, DateModified string
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &jf); err != nil || resp.Header.Get("Content-Type") != "application/feed+json; charset=utf-8" {
		t.Fatalf("json feed: %v %s", err, resp.Header.Get("Content-Type"))
	}
	if jf.Version != "https://jsonfeed.org/version/1.1" || len(jf.Items) != 1 || jf.Items[0].URL != c.ts.URL+debunk.PagePath(d.ID, "ar") {
		t.Fatalf("json feed %+v", jf)
	}
	resp, b = c.get("/truth/sitemap.xml")
	var sm struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(b, &sm); err != nil || resp.StatusCode != 200 || len(sm.URLs) != 1 ||
		sm.URLs[0].Loc != c.ts.URL+debunk.PagePath(d.ID, "ar") || !strings.HasPrefix(sm.URLs[0].LastMod, "2026-12-07T11:30") {
		t.Fatalf("sitemap: %d %v %+v", resp.StatusCode, err, sm)
	}
	_, page := c.get(debunk.PagePath(d.ID, "ar"))
	if !strings.Contains(string(page), `class="corrections"`) || !strings.Contains(string(page), "أُضيف موعد إعادة الفتح") {
		t.Fatalf("page does not show the correction:\n%s", page)
	}
	m := ldRe.FindStringSubmatch(string(page))
	if m == nil || !strings.Contains(m[1], `"dateModified":"2026-12-07T11:30:00Z"`) {
		t.Fatalf("JSON-LD lacks dateModified of the correction: %v", m)
	}
}

func BenchmarkPage(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	d, _ := debunk.Create("alice", 0, bridge, time.Now())
	db.CreateDebunk(context.Background(), d)
	db.UpdateDebunk(context.Background(), d.ID, "bob", "approve", func(d *debunk.Debunk) error { return d.Approve("bob", time.Now()) })
	db.UpdateDebunk(context.Background(), d.ID, "bob", "publish", func(d *debunk.Debunk) error { return d.Publish(time.Now()) })
	site := New(db, Options{})
	req := httptest.NewRequest("GET", debunk.PagePath(d.ID, "ar"), nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		site.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkLoad is the store read a page makes: the baseline of
// BenchmarkPage in BENCHMARKS.md.
func BenchmarkLoad(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	d, _ := debunk.Create("alice", 0, bridge, time.Now())
	db.CreateDebunk(context.Background(), d)
	for b.Loop() {
		if _, err := db.Debunk(context.Background(), d.ID); err != nil {
			b.Fatal(err)
		}
	}
}
