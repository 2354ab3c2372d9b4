package bluesky

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

func fixtureLines(t *testing.T, names ...string) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Split(strings.TrimSpace(string(b)), "\n")...)
	}
	return out
}

// TestReplayCapture replays production Jetstream messages over loopback:
// links, cards, quotes, replies and every media kind are kept, and every
// event that gives no post is counted with its reason.
func TestReplayCapture(t *testing.T) {
	js := &jetstream{send: fixtureLines(t, "jetstream_capture.jsonl", "derived.jsonl")}
	srv := httptest.NewServer(js)
	defer srv.Close()
	ps := post.NewPseudonymizer([]byte("k"))
	var hashed []string
	src := &Source{URL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe", BatchWait: 10 * time.Millisecond, Pseudonymizer: ps,
		// Stands for the service's hasher: it sees the image URL (with
		// the DID); the post keeps the hash only.
		HashMedia: func(_ context.Context, m *post.Media) error {
			hashed = append(hashed, m.URL)
			sum := sha256.Sum256([]byte(m.URL))
			m.SHA256 = hex.EncodeToString(sum[:])
			return nil
		}}
	sink := &ingest.Collector{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := src.Run(ctx, sink); err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v; want the stream's end", err)
	}
	byRKey := map[string]*post.Post{}
	var edit *post.Post
	for _, p := range sink.Posts() {
		if p.Extra["edited_at"] != nil {
			edit = p
			continue
		}
		byRKey[p.ID[strings.LastIndex(p.ID, "/")+1:]] = p
	}
	if len(byRKey) != 5 {
		t.Fatalf("got %d posts, want 5", len(byRKey))
	}
	// The DID is kept nowhere (issue 15): not in ids, URLs, media or
	// references. Only what the author wrote (text, links, card) is kept
	// as written.
	for _, p := range sink.Posts() {
		c := *p
		c.Text, c.Extra = "", maps.Clone(p.Extra)
		delete(c.Extra, "links")
		delete(c.Extra, "card")
		if b, _ := json.Marshal(&c); strings.Contains(string(b), "did:") || p.URL != "" {
			t.Errorf("a DID is kept: %s", b)
		}
		if p.ID != p.Author+"/"+p.ID[strings.LastIndex(p.ID, "/")+1:] {
			t.Errorf("id %q is not the author's pseudonym and the record key", p.ID)
		}
		for _, m := range p.Media {
			if m.URL != "" || m.Type == "image" && len(m.SHA256) != 64 {
				t.Errorf("media kept by URL or without a hash: %+v", m)
			}
		}
	}
	for _, u := range hashed {
		if !strings.HasPrefix(u, "https://cdn.bsky.app/img/feed_fullsize/plain/did:") {
			t.Errorf("hashed %q, want a Bluesky image URL", u)
		}
	}
	card := byRKey["3lgqrjxvdr22a"]
	if string(card.Extra["links"]) != `["https://www.twitch.tv/paracast"]` ||
		!strings.Contains(string(card.Extra["card"]), `"title":"Paracast - Twitch"`) {
		t.Errorf("card post links %s card %s", card.Extra["links"], card.Extra["card"])
	}
	if len(card.Media) != 1 || card.Media[0].Type != "image" || card.Media[0].MIME != "image/jpeg" {
		t.Errorf("card thumbnail = %+v", card.Media)
	}
	if p := byRKey["3lgqrjxvdr33a"]; p.Text != "Paracast - Twitch\nchillframe n boom booms\nhttps://www.twitch.tv/paracast" {
		t.Errorf("card-only post text = %q", p.Text)
	}
	quote := byRKey["3lgqvofb47k23"]
	var q ingest.Ref
	if err := json.Unmarshal(quote.Extra["quote"], &q); err != nil ||
		q.ID != ps.Pseudonym("bluesky", "did:plc:dgmiuoyozdy7yqb5eg45iqxd")+"/3lgpvprrink2k" || q.URL != "" ||
		q.Author != ps.Pseudonym("bluesky", "did:plc:dgmiuoyozdy7yqb5eg45iqxd") {
		t.Errorf("quote = %s (%v)", quote.Extra["quote"], err)
	}
	if len(quote.Media) != 1 || quote.Media[0].Type != "image" {
		t.Errorf("images of a quote post lost: %+v", quote.Media)
	}
	if v := byRKey["3lgqvohhfac2k"]; len(v.Media) != 1 || v.Media[0].Type != "video" || v.Media[0].MIME != "video/mp4" {
		t.Errorf("video = %+v", v.Media)
	}
	var r ingest.Ref
	reply := byRKey["3lgqvohhfac3k"]
	if err := json.Unmarshal(reply.Extra["reply_to"], &r); err != nil || r.ID != quote.ID || r.Author != quote.Author {
		t.Errorf("reply_to = %s, want the quote post %s by %s", reply.Extra["reply_to"], quote.ID, quote.Author)
	}
	if edit == nil || edit.ID != quote.ID || edit.Text != "Marching off to work." || string(edit.Extra["edited_at"]) != `"2025-01-27T21:39:22.3Z"` {
		t.Errorf("edit = %+v", edit)
	}
	want := map[string]int{"identity event": 1, "account event (active)": 1}
	if got := sink.Skipped(); len(got) != len(want) || got["identity event"] != 1 || got["account event (active)"] != 1 {
		t.Errorf("skipped = %v, want %v", got, want)
	}
	ev := sink.Events()
	if len(ev) != 2 || ev[0].Kind != "deleted" || ev[0].ID != byRKey["3lgqvohhfac2k"].ID ||
		ev[1].Kind != "account_takendown" || ev[1].Author != ps.Pseudonym("bluesky", "did:plc:5gdnhg7ftde36ov4bplkyt3w") || ev[1].ID != "" ||
		ev[1].At.Format(time.RFC3339) != "2025-01-27T20:36:31Z" {
		t.Errorf("events = %+v", ev)
	}
}
