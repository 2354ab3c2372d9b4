package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

// fakeServer speaks the two Mastodon endpoints the connector uses: the
// hashtag timeline (REST, newest first, min_id paging) and the hashtag
// stream (server-sent events). Statuses added with publish appear in both.
type fakeServer struct {
	mu       sync.Mutex
	statuses []map[string]any // oldest first
	events   []string         // raw SSE text sent on the next stream
	tokens   []string
}

func (f *fakeServer) publish(id, html string) map[string]any {
	st := map[string]any{
		"id": id, "created_at": "2026-11-28T10:00:00.000Z", "url": "https://social.example/@a/" + id,
		"content": html, "language": "ar", "account": map[string]any{"acct": "alice@social.example"},
		"media_attachments": []any{map[string]any{"type": "image", "url": "https://files.example/" + id + ".jpg"}},
	}
	f.mu.Lock()
	f.statuses = append(f.statuses, st)
	f.mu.Unlock()
	return st
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = append(f.tokens, r.Header.Get("Authorization"))
	switch r.URL.Path {
	case "/api/v1/timelines/tag/basira":
		minID := r.URL.Query().Get("min_id")
		var page []map[string]any
		for i := len(f.statuses) - 1; i >= 0; i-- {
			if id := f.statuses[i]["id"].(string); minID == "" || newerID(id, minID) {
				page = append(page, f.statuses[i])
			}
		}
		if len(page) > 40 {
			page = page[:40]
		}
		json.NewEncoder(w).Encode(page)
	case "/api/v1/streaming/hashtag":
		if r.URL.Query().Get("tag") != "basira" {
			http.Error(w, "bad tag", 400)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range f.events {
			io.WriteString(w, ev)
		}
		f.events = nil
	default:
		http.NotFound(w, r)
	}
}

func sse(event string, v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("event: %s\ndata: %s\n\n", event, b)
}

func TestBackfillStreamAndGapFill(t *testing.T) {
	f := &fakeServer{}
	f.publish("100", "<p>أول منشور</p>")
	srv := httptest.NewServer(f)
	defer srv.Close()

	live := f.publish("101", "<p>منشور <a href=\"x\">#basira</a><br>مباشر</p>")
	boost := map[string]any{"id": "103", "reblog": f.publish("102", "<p>original</p>"), "account": map[string]any{"acct": "booster"}}
	f.events = []string{":thump\n\n", sse("update", live), sse("delete", "99"), "event: update\ndata: {not json\n\n", sse("update", boost)}

	src := &Source{Server: srv.URL, Hashtag: "basira", Token: "tok", Pseudonymizer: post.NewPseudonymizer([]byte("k"))}
	sink := &ingest.Collector{}
	err := src.Run(context.Background(), sink)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Run ended with %v, want the stream's end", err)
	}
	// First start: the current timeline page (100, 101, 102), then the
	// stream's two updates (101 again, and the boost: 102, the original,
	// and 103, the spread by the boosting account).
	var ids []string
	for _, p := range sink.Posts() {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "100,101,102,101,102,103" {
		t.Fatalf("ids = %s", got)
	}
	p := sink.Posts()[3]
	if p.Text != "منشور #basira\nمباشر" || p.Platform != "127.0.0.1" || p.Lang != "ar" || len(p.Media) != 1 || p.PostedAt == nil {
		t.Errorf("post = %+v", p)
	}
	if p.Author == "" || strings.Contains(p.Author, "alice") {
		t.Errorf("author not pseudonymised: %q", p.Author)
	}
	if sk := sink.Skipped(); sk["malformed status event"] != 1 || len(sk) != 1 {
		t.Errorf("skipped = %v, want the bad event counted", sk)
	}
	if ev := sink.Events(); len(ev) != 1 || ev[0].ID != "99" || ev[0].Kind != "deleted" || ev[0].Platform != "127.0.0.1" {
		t.Errorf("events = %+v, want the delete of 99", ev)
	}
	if f.tokens[0] != "Bearer tok" {
		t.Errorf("no token sent: %q", f.tokens[0])
	}

	// While disconnected, two posts are made; the next run fills the gap.
	f.publish("104", "gap one")
	f.publish("105", "gap two")
	sink2 := &ingest.Collector{}
	src.Run(context.Background(), sink2)
	ids = ids[:0]
	for _, p := range sink2.Posts() {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "104,105" {
		t.Fatalf("gap fill ids = %s, want 104,105", got)
	}
}

func TestReadEventsLimits(t *testing.T) {
	big := "data: " + strings.Repeat("x", maxEventBytes+10) + "\n\n"
	err := ReadEvents(strings.NewReader(big), func(Event) error { return nil })
	if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("oversized event: err = %v", err)
	}
	var got []Event
	ReadEvents(strings.NewReader("data: a\ndata: b\n\nevent: x\ndata: c\n\n"), func(e Event) error { got = append(got, e); return nil })
	if len(got) != 2 || string(got[0].Data) != "a\nb" || got[0].Type != "message" || got[1].Type != "x" {
		t.Fatalf("events = %+v", got)
	}
}

func FuzzReadEvents(f *testing.F) {
	f.Add([]byte("event: update\ndata: {\"id\":\"1\"}\n\n:hb\n\n"))
	if b, err := os.ReadFile("testdata/stream_user.sse"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		src := &Source{Server: "https://x.example"}
		ReadEvents(strings.NewReader(string(b)), func(e Event) error {
			posts, pe, _, reason := src.DecodeEvent(e)
			if len(posts) == 0 && pe == nil && reason == "" {
				t.Fatalf("event %q neither kept nor counted", e.Type)
			}
			return nil
		})
	})
}
