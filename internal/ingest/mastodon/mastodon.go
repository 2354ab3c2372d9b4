// Package mastodon is the Mastodon connector: it follows a server's
// streaming API (server-sent events) for the public or a hashtag timeline,
// and on every (re)connect fills the gap from the REST timeline, so a
// dropped connection loses nothing.
package mastodon

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

// Limits on what the server may send.
const (
	maxEventBytes = 1 << 20
	maxPageBytes  = 8 << 20
)

// Source follows one timeline of one Mastodon server.
type Source struct {
	// Server is the base URL, e.g. https://mastodon.social.
	Server string
	// Hashtag selects the hashtag timeline (without '#'); empty means the
	// public timeline.
	Hashtag string
	// Local restricts to posts of the server's own users.
	Local bool
	// Token is an access token (many servers require one for streaming).
	Token         string
	Client        *http.Client // default: no overall timeout (streams are long)
	Pseudonymizer *post.Pseudonymizer

	lastID string // newest status id accepted; the backfill cursor
}

// Name implements ingest.Source.
func (s *Source) Name() string {
	n := "mastodon:" + strings.TrimSuffix(s.Server, "/")
	if s.Hashtag != "" {
		n += "#" + s.Hashtag
	}
	return n
}

// Run backfills from the REST timeline, then follows the stream until it
// ends or fails.
func (s *Source) Run(ctx context.Context, sink ingest.Sink) error {
	if err := s.backfill(ctx, sink); err != nil {
		return err
	}
	return s.stream(ctx, sink)
}

func (s *Source) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return http.DefaultClient
}

func (s *Source) get(ctx context.Context, path string, q url.Values, accept string) (*http.Response, error) {
	u := strings.TrimSuffix(s.Server, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "basira/1")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%s: GET %s: HTTP %s: %s", s.Name(), path, resp.Status, strings.TrimSpace(string(b)))
	}
	return resp, nil
}

// backfill pages through the REST timeline newer than lastID (at most a
// few pages, oldest first) so posts made while disconnected are not lost.
// On the very first run there is no cursor: it only records the newest id.
func (s *Source) backfill(ctx context.Context, sink ingest.Sink) error {
	path := "/api/v1/timelines/public"
	if s.Hashtag != "" {
		path = "/api/v1/timelines/tag/" + url.PathEscape(s.Hashtag)
	}
	q := url.Values{"limit": {"40"}}
	if s.Local {
		q.Set("local", "true")
	}
	if s.lastID != "" {
		q.Set("min_id", s.lastID) // min_id pages forward from the cursor
	}
	for page := 0; page < 10; page++ {
		resp, err := s.get(ctx, path, q, "application/json")
		if err != nil {
			return err
		}
		var statuses []Status
		err = json.NewDecoder(io.LimitReader(resp.Body, maxPageBytes)).Decode(&statuses)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s: timeline page: %w", s.Name(), err)
		}
		if len(statuses) == 0 {
			return nil
		}
		// Pages come newest first; deliver oldest first.
		var posts []*post.Post
		for i := len(statuses) - 1; i >= 0; i-- {
			if p := s.toPost(&statuses[i]); p != nil {
				posts = append(posts, p)
			}
		}
		newest := statuses[0].ID
		if s.lastID == "" {
			// First start: take the current page and begin from there.
			if err := s.accept(ctx, sink, posts, newest); err != nil {
				return err
			}
			return nil
		}
		if err := s.accept(ctx, sink, posts, newest); err != nil {
			return err
		}
		q.Set("min_id", newest)
	}
	return nil
}

func (s *Source) accept(ctx context.Context, sink ingest.Sink, posts []*post.Post, newest string) error {
	if len(posts) > 0 {
		if err := sink.Accept(ctx, s.Name(), posts); err != nil {
			return err
		}
	}
	if newerID(newest, s.lastID) {
		s.lastID = newest
	}
	return nil
}

func (s *Source) stream(ctx context.Context, sink ingest.Sink) error {
	path := "/api/v1/streaming/public"
	q := url.Values{}
	switch {
	case s.Hashtag != "":
		path = "/api/v1/streaming/hashtag"
		if s.Local {
			path += "/local"
		}
		q.Set("tag", s.Hashtag)
	case s.Local:
		path += "/local"
	}
	resp, err := s.get(ctx, path, q, "text/event-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return ReadEvents(resp.Body, func(ev Event) error {
		if ev.Type != "update" && ev.Type != "status.update" {
			return nil
		}
		var st Status
		if err := json.Unmarshal(ev.Data, &st); err != nil {
			return nil // one bad event must not end the stream
		}
		p := s.toPost(&st)
		if p == nil {
			return nil
		}
		return s.accept(ctx, sink, []*post.Post{p}, st.ID)
	})
}

// Event is one server-sent event.
type Event struct {
	Type string
	Data []byte
}

// ReadEvents parses a text/event-stream and calls fn for each event. It
// returns fn's first error, or io.ErrUnexpectedEOF when the stream ends.
func ReadEvents(r io.Reader, fn func(Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEventBytes)
	var ev Event
	var data bytes.Buffer
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			if data.Len() > 0 || ev.Type != "" {
				ev.Data = bytes.TrimSuffix(data.Bytes(), []byte("\n"))
				if ev.Type == "" {
					ev.Type = "message"
				}
				if err := fn(ev); err != nil {
					return err
				}
			}
			ev, data = Event{}, bytes.Buffer{}
			continue
		}
		if line[0] == ':' { // comment / heartbeat
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			ev.Type = string(value)
		case "data":
			if data.Len()+len(value) > maxEventBytes {
				return fmt.Errorf("event larger than %d bytes", maxEventBytes)
			}
			data.Write(value)
			data.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

// Status is the part of a Mastodon status entity Basira reads.
type Status struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
	URI       string    `json:"uri"`
	Content   string    `json:"content"`
	Spoiler   string    `json:"spoiler_text"`
	Language  string    `json:"language"`
	Account   struct {
		Acct string `json:"acct"`
	} `json:"account"`
	MediaAttachments []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"media_attachments"`
	Reblog *Status `json:"reblog"`
}

func (s *Source) toPost(st *Status) *post.Post {
	if st.Reblog != nil {
		st = st.Reblog // a boost spreads the original: judge the original
	}
	if st.ID == "" {
		return nil
	}
	platform := "mastodon"
	if u, err := url.Parse(s.Server); err == nil && u.Host != "" {
		platform = u.Hostname()
	}
	text := ingest.HTMLText(st.Content)
	if st.Spoiler != "" {
		text = strings.TrimSpace(st.Spoiler + "\n" + text)
	}
	p := &post.Post{ID: st.ID, Platform: platform, URL: cmp.Or(st.URL, st.URI), Text: text, Lang: st.Language}
	if !st.CreatedAt.IsZero() {
		t := st.CreatedAt.UTC()
		p.PostedAt = &t
	}
	if s.Pseudonymizer != nil {
		p.Author = s.Pseudonymizer.Pseudonym(platform, st.Account.Acct)
	}
	for _, m := range st.MediaAttachments {
		if m.URL != "" && (m.Type == "image" || m.Type == "gifv" || m.Type == "video") {
			p.Media = append(p.Media, post.Media{URL: m.URL})
		}
	}
	return p
}

// newerID compares Mastodon snowflake ids (decimal strings).
func newerID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

var _ ingest.Source = (*Source)(nil)
