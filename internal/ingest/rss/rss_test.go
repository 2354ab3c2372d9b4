package rss

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

func TestParseRSSAndAtom(t *testing.T) {
	doc, err := os.ReadFile("testdata/news.rss")
	if err != nil {
		t.Fatal(err)
	}
	ps := post.NewPseudonymizer([]byte("k"))
	posts, err := Parse(doc, "news.example.org", ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 2 {
		t.Fatalf("got %d posts, want 2", len(posts))
	}
	p := posts[0]
	if p.ID != "https://news.example.org/a/1" || p.Lang != "ar" || p.PostedAt == nil || p.PostedAt.Hour() != 10 {
		t.Errorf("first post = %+v", p)
	}
	want := "الشرطة تفكك خلية إرهابية في طنجة\nأعلنت السلطات اليوم عن تفكيك خلية.\n\nالتحقيق مستمر & متواصل."
	if p.Text != want {
		t.Errorf("text = %q\nwant   %q", p.Text, want)
	}
	if len(p.Media) != 1 || p.Media[0].URL != "https://news.example.org/img/1.jpg" {
		t.Errorf("media = %+v", p.Media)
	}
	if p.Author == "" || strings.Contains(p.Author, "مراسل") {
		t.Errorf("author not pseudonymised: %q", p.Author)
	}
	if posts[1].ID != "https://news.example.org/a/2" {
		t.Errorf("item without guid should be keyed by link, got %q", posts[1].ID)
	}

	atom, err := os.ReadFile("testdata/blog.atom")
	if err != nil {
		t.Fatal(err)
	}
	posts, err = Parse(atom, "blog.example.net", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 || posts[0].Text != "Counter-speech: why we reject violence\nWe reject violence." || posts[0].Author != "" {
		t.Fatalf("atom posts = %+v", posts[0])
	}
}

// TestPollConditional runs the source against a server that honours
// If-None-Match, and checks that validators only move after the sink
// accepted the items.
func TestPollConditional(t *testing.T) {
	doc, _ := os.ReadFile("testdata/news.rss")
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(doc)
	}))
	defer srv.Close()
	ctx := context.Background()
	src := &Source{URL: srv.URL + "/feed"}

	failing := &ingest.Collector{Fail: errors.New("store down")}
	if err := src.Poll(ctx, failing); err == nil {
		t.Fatal("poll with a failing sink should fail")
	}
	sink := &ingest.Collector{}
	if err := src.Poll(ctx, sink); err != nil {
		t.Fatal(err)
	}
	if got := len(sink.Posts()); got != 2 {
		t.Fatalf("after a failed accept the items must be re-sent: got %d posts, want 2", got)
	}
	if err := src.Poll(ctx, sink); err != nil {
		t.Fatal(err)
	}
	if full.Load() != 2 || notModified.Load() != 1 || len(sink.Posts()) != 2 {
		t.Errorf("full=%d notModified=%d posts=%d; want 2, 1, 2", full.Load(), notModified.Load(), len(sink.Posts()))
	}
	if got := src.platform(); got != "127.0.0.1" {
		t.Errorf("platform = %q", got)
	}
}

func TestPollErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gone" {
			http.Error(w, "gone", http.StatusGone)
			return
		}
		w.Write([]byte("<html>not a feed</html>"))
	}))
	defer srv.Close()
	for _, path := range []string{"/gone", "/html"} {
		err := (&Source{URL: srv.URL + path}).Poll(context.Background(), &ingest.Collector{})
		if err == nil || !strings.Contains(err.Error(), srv.URL+path) {
			t.Errorf("%s: err = %v, want an error naming the feed", path, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/news.rss", "testdata/blog.atom", "testdata/news_truncated.rss", "testdata/news_broken_cdata.rss", "testdata/feedparser_unclosed_end_tag.xml"} {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","content_text":"x"}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		posts, err := Parse(doc, "p", nil)
		if err != nil {
			return
		}
		for _, p := range posts {
			if p.ID == "" {
				t.Fatal("post without id")
			}
		}
	})
}
