package rss

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/ingest"
)

// TestTwoFeedsOneHostDoNotCollide: item ids carry their feed's URL, so
// two feeds of one host with the same GUIDs keep all their items.
func TestTwoFeedsOneHostDoNotCollide(t *testing.T) {
	feed := func(title string) string {
		return `<rss version="2.0"><channel><title>t</title>` +
			`<item><guid isPermaLink="false">1</guid><title>` + title + ` one</title></item>` +
			`<item><guid isPermaLink="false">2</guid><title>` + title + ` two</title></item>` +
			`<item><description></description></item></channel></rss>`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(feed(strings.TrimPrefix(r.URL.Path, "/"))))
	}))
	defer srv.Close()
	sink := &ingest.Collector{}
	for _, path := range []string{"/sport", "/politics"} {
		if err := (&Source{URL: srv.URL + path}).Poll(context.Background(), sink); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, p := range sink.Posts() {
		ids[p.Platform+" "+p.ID] = true
	}
	if len(ids) != 4 || !ids["127.0.0.1 "+srv.URL+"/politics#2"] {
		t.Fatalf("ids = %v, want 4 distinct, namespaced by feed", ids)
	}
	if got := sink.Skipped()["item without guid, link or title"]; got != 2 {
		t.Errorf("items without an id skipped = %d, want 2 (counted, not silent)", got)
	}
}

// TestMalformedFeedsYieldWhatCanBeRead replays broken feeds: what parses
// is returned, and each fault is reported with its reason.
func TestMalformedFeedsYieldWhatCanBeRead(t *testing.T) {
	for _, tc := range []struct {
		file    string
		ids     string
		reasons []string
	}{
		{"news_truncated.rss", "https://news.example.org/a/1", []string{"malformed feed (read item by item)", "unterminated item"}},
		{"news_broken_cdata.rss", "https://news.example.org/a/2", []string{"malformed feed (read item by item)", "malformed item"}},
		{"feedparser_unclosed_end_tag.xml", "http://link/get?a=1&b=2", []string{"malformed feed (read item by item)"}},
	} {
		doc, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		posts, skipped, err := ParseReport(doc, "p", nil)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		var ids, reasons []string
		for _, p := range posts {
			ids = append(ids, p.ID)
		}
		for _, s := range skipped {
			reasons = append(reasons, s.Reason)
			if s.Detail == "" {
				t.Errorf("%s: skip %q without detail", tc.file, s.Reason)
			}
		}
		if strings.Join(ids, ",") != tc.ids || strings.Join(reasons, ",") != strings.Join(tc.reasons, ",") {
			t.Errorf("%s: ids %v reasons %v; want %s and %v", tc.file, ids, reasons, tc.ids, tc.reasons)
		}
	}
	if p, _, _ := ParseReport(mustRead(t, "testdata/news_truncated.rss"), "p", nil); len(p) == 1 && p[0].Lang != "ar" {
		t.Errorf("channel language lost in item-by-item reading: %q", p[0].Lang)
	}
	// Not a feed at all stays an error.
	if _, _, err := ParseReport([]byte("<html><body>gone</body>"), "p", nil); err == nil {
		t.Error("an HTML page parsed as a feed")
	}
}

// TestPollMalformedFeedCountsAndDelivers: a broken feed delivers its
// readable items on every poll instead of failing the source.
func TestPollMalformedFeedCountsAndDelivers(t *testing.T) {
	doc := mustRead(t, "testdata/news_broken_cdata.rss")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(doc) }))
	defer srv.Close()
	sink := &ingest.Collector{}
	if err := (&Source{URL: srv.URL + "/feed"}).Poll(context.Background(), sink); err != nil {
		t.Fatalf("a partly readable feed failed the poll: %v", err)
	}
	if len(sink.Posts()) != 1 || sink.Skipped()["malformed item"] != 1 {
		t.Errorf("posts %d skipped %v", len(sink.Posts()), sink.Skipped())
	}
}

func TestEnclosureKinds(t *testing.T) {
	doc := `<rss version="2.0"><channel><item><guid>x</guid><title>podcast</title>` +
		`<enclosure url="https://e.example/a.mp3" type="audio/mpeg" length="1"/></item></channel></rss>`
	posts, err := Parse([]byte(doc), "p", nil)
	if err != nil || len(posts) != 1 || len(posts[0].Media) != 1 || posts[0].Media[0].Type != "audio" {
		t.Fatalf("posts %+v err %v", posts, err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
