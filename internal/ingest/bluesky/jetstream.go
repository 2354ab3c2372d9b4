// Package bluesky is the Bluesky connector: it follows a Jetstream server
// (the JSON-over-WebSocket view of the AT Protocol firehose) for new posts
// and resumes from its cursor after a disconnect.
package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

// DefaultURL is a public Jetstream instance.
const DefaultURL = "wss://jetstream2.us-east.bsky.network/subscribe"

const (
	postCollection = "app.bsky.feed.post"
	maxMessage     = 1 << 20
	// rewind is how far before the last accepted event a reconnect starts:
	// Jetstream's advice for a gapless resume. Re-delivered posts are
	// absorbed by the store's idempotency.
	rewind = 5 * time.Second
)

// Source follows post creations on a Jetstream server.
type Source struct {
	URL string // default DefaultURL
	// DIDs, when set, restricts the stream to these accounts' posts
	// (e.g. accounts of a monitored organisation's official channel).
	DIDs []string
	// Langs, when set, keeps only posts tagged with one of these languages.
	Langs         []string
	BatchSize     int           // default 200
	BatchWait     time.Duration // default 250ms
	Pseudonymizer *post.Pseudonymizer
	// HashMedia, when set, hashes an image while its URL (which holds the
	// author's DID) is known; the post keeps the hashes only. Without it,
	// images are left out: a DID is never stored.
	HashMedia func(context.Context, *post.Media) error

	cursor int64 // time_us of the newest accepted event
}

// Name implements ingest.Source.
func (s *Source) Name() string { return "bluesky:" + s.endpoint() }

func (s *Source) endpoint() string {
	if s.URL == "" {
		return DefaultURL
	}
	return s.URL
}

// Cursor returns the resume position (Unix microseconds) of the newest
// accepted event.
func (s *Source) Cursor() int64 { return s.cursor }

// Run connects, reads events and hands posts to sink in batches until the
// connection fails or ctx is done.
func (s *Source) Run(ctx context.Context, sink ingest.Sink) error {
	u, err := url.Parse(s.endpoint())
	if err != nil {
		return fmt.Errorf("bluesky: bad URL %q: %w", s.endpoint(), err)
	}
	q := u.Query()
	q.Set("wantedCollections", postCollection)
	for _, did := range s.DIDs {
		q.Add("wantedDids", did)
	}
	if s.cursor > 0 {
		q.Set("cursor", strconv.FormatInt(s.cursor-rewind.Microseconds(), 10))
	}
	u.RawQuery = q.Encode()

	conn, _, err := websocket.Dial(ctx, u.String(), nil)
	if err != nil {
		return fmt.Errorf("bluesky: connecting to %s: %w", s.endpoint(), err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxMessage)

	// A reader goroutine feeds a channel so the batching loop can flush
	// on a timer (a context deadline on Read would close the socket).
	type msg struct {
		data []byte
		err  error
	}
	msgs := make(chan msg, 256)
	readCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		defer close(msgs)
		for {
			_, data, err := conn.Read(readCtx)
			select {
			case msgs <- msg{data, err}:
			case <-readCtx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	size, wait := s.BatchSize, s.BatchWait
	if size <= 0 {
		size = 200
	}
	if wait <= 0 {
		wait = 250 * time.Millisecond
	}
	var batch []*post.Post
	var batchCursor int64
	flush := func() error {
		if len(batch) == 0 {
			// Nothing to store: events seen were all skipped, so the
			// cursor may move past them.
			s.cursor = max(s.cursor, batchCursor)
			return nil
		}
		if err := sink.Accept(ctx, s.Name(), batch); err != nil {
			return err
		}
		s.cursor = max(s.cursor, batchCursor)
		batch = nil
		return nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-msgs:
			if !ok || m.err != nil {
				if ferr := flush(); ferr != nil {
					return ferr
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("bluesky: stream ended: %v", m.err)
			}
			p, timeUS := s.Decode(m.data)
			if timeUS > batchCursor {
				batchCursor = timeUS
			}
			if p == nil {
				continue
			}
			batch = append(batch, p)
			if len(batch) >= size {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-timer.C:
			if err := flush(); err != nil {
				return err
			}
			timer.Reset(wait)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// event is the part of a Jetstream message Basira reads.
type event struct {
	DID    string `json:"did"`
	TimeUS int64  `json:"time_us"`
	Kind   string `json:"kind"`
	Commit *struct {
		Operation  string          `json:"operation"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
	} `json:"commit"`
}

type record struct {
	Text      string   `json:"text"`
	CreatedAt string   `json:"createdAt"`
	Langs     []string `json:"langs"`
	Embed     *struct {
		Type   string `json:"$type"`
		Images []struct {
			Image struct {
				Ref struct {
					Link string `json:"$link"`
				} `json:"ref"`
			} `json:"image"`
		} `json:"images"`
	} `json:"embed"`
}

// Decode turns one Jetstream message into a post (nil for anything but a
// post creation, or a malformed message) and returns its time_us.
func (s *Source) Decode(data []byte) (*post.Post, int64) {
	var ev event
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, 0
	}
	c := ev.Commit
	if ev.Kind != "commit" || c == nil || c.Operation != "create" || c.Collection != postCollection || ev.DID == "" || c.RKey == "" {
		return nil, ev.TimeUS
	}
	var rec record
	if err := json.Unmarshal(c.Record, &rec); err != nil {
		return nil, ev.TimeUS
	}
	if len(s.Langs) > 0 && !anyIn(rec.Langs, s.Langs) {
		return nil, ev.TimeUS
	}
	// The DID names the author: it is kept nowhere. The post's id is the
	// author's pseudonym and the record key (unique per author), and the
	// post has no URL (a bsky.app link would carry the DID).
	ps := s.Pseudonymizer
	if ps == nil {
		ps = post.NewPseudonymizer(nil)
	}
	author := ps.Pseudonym("bluesky", ev.DID)
	p := &post.Post{
		ID:       author + "/" + c.RKey,
		Platform: "bluesky",
		Text:     rec.Text,
	}
	if len(rec.Langs) > 0 {
		p.Lang = rec.Langs[0]
	}
	if t, err := time.Parse(time.RFC3339Nano, rec.CreatedAt); err == nil {
		t = t.UTC()
		p.PostedAt = &t
	}
	if s.Pseudonymizer != nil {
		p.Author = author
	}
	if rec.Embed != nil && strings.HasPrefix(rec.Embed.Type, "app.bsky.embed.images") && s.HashMedia != nil {
		for _, im := range rec.Embed.Images {
			if cid := im.Image.Ref.Link; cid != "" {
				m := post.Media{URL: "https://cdn.bsky.app/img/feed_fullsize/plain/" + ev.DID + "/" + cid + "@jpeg"}
				if err := s.HashMedia(context.Background(), &m); err != nil {
					continue
				}
				m.URL = ""
				p.Media = append(p.Media, m)
			}
		}
	}
	return p, ev.TimeUS
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if strings.EqualFold(h, w) || strings.HasPrefix(strings.ToLower(h), strings.ToLower(w)+"-") {
				return true
			}
		}
	}
	return false
}

var _ ingest.Source = (*Source)(nil)
