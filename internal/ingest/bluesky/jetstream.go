// Package bluesky is the Bluesky connector: it follows a Jetstream server
// (the JSON-over-WebSocket view of the AT Protocol firehose) for new posts
// and resumes from its cursor after a disconnect.
package bluesky

import (
	"cmp"
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
	var events []ingest.PostEvent
	var batchCursor int64
	flush := func() error {
		if len(batch) > 0 {
			if err := sink.Accept(ctx, s.Name(), batch); err != nil {
				return err
			}
			batch = nil
		}
		// After the posts: a post created and deleted within one batch
		// is stored, then marked deleted.
		if err := ingest.Lifecycle(ctx, sink, s.Name(), events...); err != nil {
			return err
		}
		events = nil
		// Everything seen is stored or counted: the cursor may move on.
		s.cursor = max(s.cursor, batchCursor)
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
			d := s.DecodeEvent(m.data)
			if d.TimeUS > batchCursor {
				batchCursor = d.TimeUS
			}
			switch {
			case d.Post != nil:
				batch = append(batch, d.Post)
			case d.Event != nil:
				events = append(events, *d.Event)
			default:
				ingest.Skip(sink, s.Name(), d.Skip, fmt.Sprintf("event time_us %d", d.TimeUS))
				continue
			}
			if len(batch)+len(events) >= size {
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
	DID     string `json:"did"`
	TimeUS  int64  `json:"time_us"`
	Kind    string `json:"kind"`
	Account *struct {
		Active bool   `json:"active"`
		Status string `json:"status"`
	} `json:"account"`
	Commit *struct {
		Operation  string          `json:"operation"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
	} `json:"commit"`
}

type blob struct {
	Ref struct {
		Link string `json:"$link"`
	} `json:"ref"`
	MimeType string `json:"mimeType"`
}

type strongRef struct {
	URI string `json:"uri"`
}

// embed is any of app.bsky.embed.{images,video,external,record,
// recordWithMedia}; recordWithMedia nests a record and a media embed.
type embed struct {
	Type   string `json:"$type"`
	Images []struct {
		Alt   string `json:"alt"`
		Image blob   `json:"image"`
	} `json:"images"`
	Video    *blob `json:"video"`
	External *struct {
		URI         string `json:"uri"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Thumb       *blob  `json:"thumb"`
	} `json:"external"`
	// Record is a strongRef for app.bsky.embed.record, and an embed.record
	// (itself holding the strongRef) inside recordWithMedia.
	Record json.RawMessage `json:"record"`
	Media  *embed          `json:"media"`
}

type record struct {
	Text      string   `json:"text"`
	CreatedAt string   `json:"createdAt"`
	Langs     []string `json:"langs"`
	Facets    []struct {
		Features []struct {
			Type string `json:"$type"`
			URI  string `json:"uri"`
		} `json:"features"`
	} `json:"facets"`
	Reply *struct {
		Parent strongRef `json:"parent"`
		Root   strongRef `json:"root"`
	} `json:"reply"`
	Embed *embed `json:"embed"`
}

// Decode turns one Jetstream message into a post (nil for anything but a
// post creation or edit, or a malformed message) and returns its time_us.
func (s *Source) Decode(data []byte) (*post.Post, int64) {
	d := s.DecodeEvent(data)
	return d.Post, d.TimeUS
}

// Decoded is what one Jetstream message gives: a post (created or
// edited), a lifecycle event (a post deleted, an account taken down), or
// the reason it gives neither.
type Decoded struct {
	Post   *post.Post
	Event  *ingest.PostEvent
	TimeUS int64
	Skip   string
}

// DecodeEvent decodes one Jetstream message.
func (s *Source) DecodeEvent(data []byte) Decoded {
	var ev event
	if err := json.Unmarshal(data, &ev); err != nil {
		return Decoded{Skip: "malformed event"}
	}
	skip := func(reason string) Decoded { return Decoded{TimeUS: ev.TimeUS, Skip: reason} }
	at := time.UnixMicro(ev.TimeUS).UTC()
	c := ev.Commit
	switch {
	case ev.Kind == "account" && ev.Account != nil && ev.DID != "":
		if ev.Account.Active {
			return skip("account event (active)")
		}
		// takendown, suspended, deleted, deactivated: the account's
		// posts are gone from the source.
		// Without a key posts carry no author, so nothing could match.
		author := s.pseudonym(ev.DID)
		if author == "" {
			return skip("account event (no pseudonym key)")
		}
		status := cmp.Or(ev.Account.Status, "inactive")
		return Decoded{TimeUS: ev.TimeUS, Event: &ingest.PostEvent{Platform: "bluesky", Author: author, Kind: ingest.EventAccountPrefix + status, At: at}}
	case ev.Kind == "identity" || ev.Kind == "account":
		return skip(ev.Kind + " event")
	case ev.Kind != "commit" || c == nil:
		return skip("unknown event kind")
	case c.Collection != postCollection:
		return skip("not a post")
	case ev.DID == "" || c.RKey == "":
		return skip("event without did or rkey")
	case !validKey(c.RKey):
		return skip("invalid record key")
	case c.Operation == "delete":
		return Decoded{TimeUS: ev.TimeUS, Event: &ingest.PostEvent{Platform: "bluesky", ID: s.postID(ev.DID, c.RKey), Kind: ingest.EventDeleted, At: at}}
	case c.Operation != "create" && c.Operation != "update":
		return skip("unknown commit operation")
	}
	var rec record
	if err := json.Unmarshal(c.Record, &rec); err != nil {
		return skip("malformed post record")
	}
	if len(s.Langs) > 0 && !anyIn(rec.Langs, s.Langs) {
		return skip("language not followed")
	}
	// The DID names the author: it is kept nowhere. The post's id is the
	// author's pseudonym and the record key (unique per author), and the
	// post has no URL (a bsky.app link would carry the DID).
	p := &post.Post{
		ID:       s.postID(ev.DID, c.RKey),
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
	p.Author = s.pseudonym(ev.DID)
	for _, f := range rec.Facets {
		for _, ft := range f.Features {
			// The text shows a shortened link; the facet has the target.
			if ft.Type == "app.bsky.richtext.facet#link" {
				ingest.AddLinks(p, ft.URI)
			}
		}
	}
	if rec.Reply != nil && rec.Reply.Parent.URI != "" {
		if r, ok := s.ref(rec.Reply.Parent.URI); ok {
			ingest.SetExtra(p, ingest.ExtraReplyTo, r)
		}
	}
	if rec.Embed != nil {
		s.embed(p, ev.DID, rec.Embed)
	}
	if p.Text == "" && len(p.Media) == 0 {
		return skip("no text or media")
	}
	if c.Operation == "update" {
		// An edit: the same id again, marked, for a store that keeps
		// versions (the text a detector saw stays its evidence).
		ingest.SetExtra(p, ingest.ExtraEditedAt, at)
	}
	return Decoded{Post: p, TimeUS: ev.TimeUS}
}

// pseudonym is the author field: the DID's pseudonym, or empty without a
// key (no author is better than a guessable one).
func (s *Source) pseudonym(did string) string {
	if s.Pseudonymizer == nil {
		return ""
	}
	return s.Pseudonymizer.Pseudonym("bluesky", did)
}

// postID names a post by its author's pseudonym and record key; posts,
// deletions, quotes and replies all use it, so a reference matches the id
// the referenced post is stored under, and no id carries a DID. Without a
// key the pseudonym is taken with the empty key (ids must stay unique per
// author).
func (s *Source) postID(did, rkey string) string {
	return s.recordID(did, postCollection, rkey)
}

// recordID is postID for any collection: a post is pseudonym/rkey, any
// other record (a feed generator, a list) pseudonym/collection/rkey, so
// the two never collide.
func (s *Source) recordID(did, collection, rkey string) string {
	ps := s.Pseudonymizer
	if ps == nil {
		ps = post.NewPseudonymizer(nil)
	}
	id := ps.Pseudonym("bluesky", did)
	if collection != postCollection {
		id += "/" + collection
	}
	return id + "/" + rkey
}

// validKey reports whether s has the syntax of an AT Protocol record key
// (collections' NSIDs fit it too): it goes into an id as it is, so a key
// cannot add a path segment or characters post.Validate refuses.
func validKey(s string) bool {
	if s == "" || len(s) > 512 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._:~-", c) >= 0) {
			return false
		}
	}
	return true
}

// blobURL is where an image blob is served; it holds the DID, so it is
// used only to hash the image and never kept.
func blobURL(did string, b *blob) string {
	return "https://cdn.bsky.app/img/feed_fullsize/plain/" + did + "/" + b.Ref.Link + "@jpeg"
}

// ref points at the record of an at:// URI by the id Basira stores it
// under (recordID), its author pseudonymised. A URI that does not parse
// as at://authority/collection/rkey gives no reference: it would keep
// the authority (a DID or handle) as written.
func (s *Source) ref(uri string) (ingest.Ref, bool) {
	rest, ok := strings.CutPrefix(uri, "at://")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 || parts[0] == "" || !validKey(parts[1]) || !validKey(parts[2]) {
		return ingest.Ref{}, false
	}
	did, coll, rkey := parts[0], parts[1], parts[2]
	return ingest.Ref{ID: s.recordID(did, coll, rkey), Author: s.pseudonym(did)}, true
}

// image hashes a blob while its DID-bearing URL is known and keeps the
// hashes only; without a hasher, or when hashing fails, the image is left
// out.
func (s *Source) image(p *post.Post, did string, b *blob) {
	if s.HashMedia == nil || b == nil || b.Ref.Link == "" {
		return
	}
	m := post.Media{Type: "image", MIME: b.MimeType, URL: blobURL(did, b)}
	if err := s.HashMedia(context.Background(), &m); err != nil {
		return
	}
	m.URL = ""
	p.Media = append(p.Media, m)
}

// embed keeps what an embed carries: images (hashed) and video as typed
// media, a link card (its target a link, its thumbnail an image; for a
// card-only post, its title, description and target become the text), a
// quote.
func (s *Source) embed(p *post.Post, did string, e *embed) {
	for i := range e.Images {
		s.image(p, did, &e.Images[i].Image)
	}
	if e.Video != nil && e.Video.Ref.Link != "" {
		// The playlist URL holds the DID and a playlist cannot be hashed
		// as an image: the post records that a video is attached.
		p.Media = append(p.Media, post.Media{Type: "video", MIME: e.Video.MimeType})
	}
	if x := e.External; x != nil && x.URI != "" {
		ingest.SetExtra(p, ingest.ExtraCard, ingest.Card{URL: x.URI, Title: x.Title, Description: x.Description})
		ingest.AddLinks(p, x.URI)
		s.image(p, did, x.Thumb)
		if strings.TrimSpace(p.Text) == "" {
			p.Text = strings.TrimSpace(strings.Join([]string{x.Title, x.Description, x.URI}, "\n"))
		}
	}
	if len(e.Record) > 0 {
		var r struct {
			URI    string     `json:"uri"`
			Record *strongRef `json:"record"`
		}
		if json.Unmarshal(e.Record, &r) == nil {
			uri := r.URI
			if r.Record != nil {
				uri = r.Record.URI
			}
			if ref, ok := s.ref(uri); ok {
				ingest.SetExtra(p, ingest.ExtraQuote, ref)
			}
		}
	}
	if e.Media != nil {
		s.embed(p, did, e.Media)
	}
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
