package bluesky

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

const (
	arabicPost = `{"did":"did:plc:abc","time_us":1764300000000000,"kind":"commit","commit":{"rev":"r1","operation":"create","collection":"app.bsky.feed.post","rkey":"3kx1","record":{"$type":"app.bsky.feed.post","createdAt":"2026-11-28T03:20:00.000Z","langs":["ar"],"text":"خبر عاجل من الرباط","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"","image":{"$type":"blob","ref":{"$link":"bafkreiabc"},"mimeType":"image/jpeg","size":1000}}]}},"cid":"bafy1"}}`
	frenchPost = `{"did":"did:plc:def","time_us":1764300000000100,"kind":"commit","commit":{"rev":"r2","operation":"create","collection":"app.bsky.feed.post","rkey":"3kx2","record":{"$type":"app.bsky.feed.post","createdAt":"2026-11-28T03:20:01Z","langs":["fr"],"text":"Bonjour"},"cid":"bafy2"}}`
	deletion   = `{"did":"did:plc:abc","time_us":1764300000000200,"kind":"commit","commit":{"rev":"r3","operation":"delete","collection":"app.bsky.feed.post","rkey":"3kx0"}}`
	identity   = `{"did":"did:plc:abc","time_us":1764300000000300,"kind":"identity","identity":{"did":"did:plc:abc","handle":"x.bsky.social","seq":1,"time":"2026-11-28T03:20:02Z"}}`
	garbage    = `{"did": 12`
)

// jetstream is a local WebSocket server speaking Jetstream's wire format:
// it records each connection's query and sends the queued messages, then
// closes.
type jetstream struct {
	mu      sync.Mutex
	queries []string
	send    []string
}

func (j *jetstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	j.mu.Lock()
	j.queries = append(j.queries, r.URL.RawQuery)
	msgs := j.send
	j.send = nil
	j.mu.Unlock()
	for _, m := range msgs {
		if err := c.Write(r.Context(), websocket.MessageText, []byte(m)); err != nil {
			return
		}
	}
	c.Close(websocket.StatusNormalClosure, "bye")
}

func TestJetstreamPostsAndResume(t *testing.T) {
	js := &jetstream{send: []string{arabicPost, deletion, identity, garbage, frenchPost}}
	srv := httptest.NewServer(js)
	defer srv.Close()
	var hashed string
	src := &Source{URL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe", Langs: []string{"ar"}, BatchWait: 10 * time.Millisecond, Pseudonymizer: post.NewPseudonymizer([]byte("k")),
		HashMedia: func(_ context.Context, m *post.Media) error {
			hashed, m.SHA256 = m.URL, strings.Repeat("5", 64)
			return nil
		}}
	sink := &ingest.Collector{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := src.Run(ctx, sink)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v; want the stream's end before the deadline", err)
	}
	posts := sink.Posts()
	if len(posts) != 1 {
		t.Fatalf("got %d posts, want the Arabic one only (language filter): %+v", len(posts), posts)
	}
	p := posts[0]
	// The DID is kept nowhere (issue 15 item 7): the id is the author's
	// pseudonym and the record key, there is no URL, and the image is kept
	// by its hashes, computed while its URL was known.
	if p.ID != p.Author+"/3kx1" || p.Text != "خبر عاجل من الرباط" || p.Lang != "ar" ||
		p.URL != "" || p.PostedAt == nil || len(p.Media) != 1 || p.Media[0].URL != "" || p.Media[0].SHA256 != strings.Repeat("5", 64) ||
		hashed != "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:abc/bafkreiabc@jpeg" {
		t.Errorf("post = %+v (hashed %q)", p, hashed)
	}
	if b, _ := json.Marshal(p); strings.Contains(string(b), "did:") {
		t.Errorf("the DID is in the post: %s", b)
	}
	if p.Author == "" || strings.Contains(p.Author, "did:") {
		t.Errorf("author not pseudonymised: %q", p.Author)
	}
	// The cursor covers every event seen, including those not kept.
	if src.Cursor() != 1764300000000300 {
		t.Errorf("cursor = %d", src.Cursor())
	}
	src.Run(ctx, sink)
	if len(js.queries) != 2 || !strings.Contains(js.queries[0], "wantedCollections=app.bsky.feed.post") ||
		strings.Contains(js.queries[0], "cursor=") || !strings.Contains(js.queries[1], "cursor=1764299995000300") {
		t.Errorf("queries = %q; want the second to resume 5 s before the cursor", js.queries)
	}
}

// pseudonymID is the shape of every id the connector gives: a pseudonym,
// then the record key (after the collection for records other than posts).
var pseudonymID = regexp.MustCompile(`^a:[0-9a-f]{16}/[A-Za-z0-9._:~-]+(/[A-Za-z0-9._:~-]+)?$`)

func FuzzDecode(f *testing.F) {
	for _, m := range []string{arabicPost, frenchPost, deletion, identity, garbage} {
		f.Add([]byte(m))
	}
	for _, name := range []string{"testdata/jetstream_capture.jsonl", "testdata/derived.jsonl"} {
		b, _ := os.ReadFile(name)
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f.Add([]byte(l))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := (&Source{}).DecodeEvent(b)
		if p := d.Post; p != nil {
			// No DID in the id, URL, media URLs or references (the text,
			// links and card are the author's content, kept as written).
			if !pseudonymID.MatchString(p.ID) || p.URL != "" {
				t.Fatalf("bad post %+v", p)
			}
			for _, k := range []string{"quote", "reply_to"} {
				var r ingest.Ref
				if raw := p.Extra[k]; raw != nil && (json.Unmarshal(raw, &r) != nil || !pseudonymID.MatchString(r.ID) || r.URL != "") {
					t.Fatalf("bad %s %s", k, raw)
				}
			}
			for _, m := range p.Media {
				if m.URL != "" || m.Type == "image" {
					t.Fatalf("media kept without a hasher: %+v", m)
				}
			}
		}
		if e := d.Event; e != nil && (e.ID != "" && !pseudonymID.MatchString(e.ID) || e.ID == "" && e.Author == "") {
			t.Fatalf("bad event %+v", e)
		}
		if d.Post == nil && d.Event == nil && d.Skip == "" {
			t.Fatal("an event neither kept nor counted")
		}
	})
}

// BenchmarkDecode measures the per-event cost on the firehose, where
// every post of the network passes through Decode.
func BenchmarkDecode(b *testing.B) {
	s := &Source{Langs: []string{"ar"}, Pseudonymizer: post.NewPseudonymizer([]byte("k"))}
	for _, bc := range []struct{ name, msg string }{{"kept", arabicPost}, {"filtered", frenchPost}} {
		b.Run(bc.name, func(b *testing.B) {
			msg := []byte(bc.msg)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				s.Decode(msg)
			}
		})
	}
}
