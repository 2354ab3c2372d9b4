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
			ps, reason := s.toPosts(&statuses[i])
			if len(ps) == 0 {
				ingest.Skip(sink, s.Name(), reason, "status "+statuses[i].ID)
			}
			posts = append(posts, ps...)
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
		posts, pe, id, reason := s.DecodeEvent(ev)
		if pe != nil {
			return ingest.Lifecycle(ctx, sink, s.Name(), *pe)
		}
		if len(posts) == 0 {
			// One bad event must not end the stream; it is counted.
			ingest.Skip(sink, s.Name(), reason, fmt.Sprintf("event %s %.40s", ev.Type, ev.Data))
			return nil
		}
		return s.accept(ctx, sink, posts, id)
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

// DecodeEvent turns one streaming event into posts (a boost gives two, see
// toPosts) and the status id for the cursor, or a lifecycle event (a
// delete), or says why it gave neither. An edit (status.update) is the
// status again with extra.edited_at.
func (s *Source) DecodeEvent(ev Event) ([]*post.Post, *ingest.PostEvent, string, string) {
	switch ev.Type {
	case "update", "status.update":
	case "delete":
		// Mastodon sends the bare id; accept it quoted as JSON too.
		id := strings.TrimSpace(string(ev.Data))
		if strings.HasPrefix(id, `"`) && json.Unmarshal(ev.Data, &id) != nil {
			id = ""
		}
		if id == "" || strings.ContainsAny(id, " {\"") {
			return nil, nil, "", "malformed delete event"
		}
		return nil, &ingest.PostEvent{Platform: s.platform(), ID: id, Kind: ingest.EventDeleted, At: time.Now().UTC()}, "", ""
	default:
		return nil, nil, "", "event " + ev.Type
	}
	var st Status
	if err := json.Unmarshal(ev.Data, &st); err != nil {
		return nil, nil, "", "malformed status event"
	}
	posts, reason := s.toPosts(&st)
	return posts, nil, st.ID, reason
}

// Account is the part of an account Basira reads: its handle, only ever
// stored pseudonymised.
type Account struct {
	ID   string `json:"id"`
	Acct string `json:"acct"`
}

// Status is the part of a Mastodon status entity Basira reads.
type Status struct {
	ID                 string     `json:"id"`
	CreatedAt          time.Time  `json:"created_at"`
	EditedAt           *time.Time `json:"edited_at"`
	URL                string     `json:"url"`
	URI                string     `json:"uri"`
	Content            string     `json:"content"`
	Spoiler            string     `json:"spoiler_text"`
	Language           string     `json:"language"`
	InReplyToID        string     `json:"in_reply_to_id"`
	InReplyToAccountID string     `json:"in_reply_to_account_id"`
	Account            Account    `json:"account"`
	Mentions           []Account  `json:"mentions"`
	MediaAttachments   []struct {
		Type      string `json:"type"`
		URL       string `json:"url"`
		RemoteURL string `json:"remote_url"`
	} `json:"media_attachments"`
	Poll *struct {
		Options []struct {
			Title string `json:"title"`
		} `json:"options"`
	} `json:"poll"`
	Card *struct {
		URL         string `json:"url"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"card"`
	// Quote is Mastodon 4.4's quote post: {"state": …, "quoted_status": …}.
	Quote *struct {
		State        string  `json:"state"`
		QuotedStatus *Status `json:"quoted_status"`
	} `json:"quote"`
	Reblog *Status `json:"reblog"`
}

func (s *Source) platform() string {
	if u, err := url.Parse(s.Server); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return "mastodon"
}

func (s *Source) pseudonym(acct string) string {
	if s.Pseudonymizer == nil || acct == "" {
		return ""
	}
	return s.Pseudonymizer.Pseudonym(s.platform(), acct)
}

// toPosts converts a status. A boost gives two posts: the original (the
// content, judged as such) and the spread: a post of the boosting account,
// under the boost's own id, carrying the original's text and a boost_of
// reference, so who spreads what is counted like a repeated text.
func (s *Source) toPosts(st *Status) ([]*post.Post, string) {
	if st.Reblog == nil {
		p := s.toPost(st)
		if p == nil {
			return nil, "status without id or content"
		}
		return []*post.Post{p}, ""
	}
	orig := s.toPost(st.Reblog)
	if orig == nil || st.ID == "" {
		return nil, "boost without id or content"
	}
	spread := &post.Post{ID: st.ID, Platform: orig.Platform, URL: cmp.Or(st.URL, st.URI), Text: orig.Text, Lang: orig.Lang,
		Author: s.pseudonym(st.Account.Acct)}
	if !st.CreatedAt.IsZero() {
		t := st.CreatedAt.UTC()
		spread.PostedAt = &t
	}
	ingest.SetExtra(spread, ingest.ExtraBoostOf, ingest.Ref{ID: orig.ID, URL: orig.URL, Author: orig.Author})
	return []*post.Post{orig, spread}, ""
}

func (s *Source) toPost(st *Status) *post.Post {
	if st.ID == "" {
		return nil
	}
	platform := s.platform()
	text := ingest.HTMLText(st.Content)
	if st.Spoiler != "" {
		text = strings.TrimSpace(st.Spoiler + "\n" + text)
	}
	p := &post.Post{ID: st.ID, Platform: platform, URL: cmp.Or(st.URL, st.URI), Text: text, Lang: st.Language}
	if !st.CreatedAt.IsZero() {
		t := st.CreatedAt.UTC()
		p.PostedAt = &t
	}
	p.Author = s.pseudonym(st.Account.Acct)
	for _, m := range st.MediaAttachments {
		u := cmp.Or(m.URL, m.RemoteURL)
		if u == "" {
			continue
		}
		typ := m.Type
		if typ == "gifv" {
			typ = "gif"
		} else if typ != "image" && typ != "video" && typ != "audio" {
			typ = "file"
		}
		p.Media = append(p.Media, post.Media{Type: typ, URL: u})
	}
	if st.Poll != nil {
		var poll ingest.Poll
		for _, o := range st.Poll.Options {
			poll.Options = append(poll.Options, o.Title)
		}
		ingest.AppendPoll(p, poll)
	}
	ingest.AddLinks(p, ingest.HTMLLinks(st.Content)...)
	if c := st.Card; c != nil && c.URL != "" {
		ingest.SetExtra(p, ingest.ExtraCard, ingest.Card{URL: c.URL, Title: c.Title, Description: c.Description})
		ingest.AddLinks(p, c.URL)
	}
	if st.InReplyToID != "" {
		r := ingest.Ref{ID: st.InReplyToID}
		for _, m := range st.Mentions {
			if m.ID == st.InReplyToAccountID {
				r.Author = s.pseudonym(m.Acct)
			}
		}
		if r.Author == "" && st.InReplyToAccountID == st.Account.ID {
			r.Author = p.Author // a thread: answering oneself
		}
		ingest.SetExtra(p, ingest.ExtraReplyTo, r)
	}
	if q := st.Quote; q != nil && q.QuotedStatus != nil && q.QuotedStatus.ID != "" {
		qs := q.QuotedStatus
		ingest.SetExtra(p, ingest.ExtraQuote, ingest.Ref{ID: qs.ID, URL: cmp.Or(qs.URL, qs.URI), Author: s.pseudonym(qs.Account.Acct)})
	}
	if st.EditedAt != nil {
		ingest.SetExtra(p, ingest.ExtraEditedAt, st.EditedAt.UTC())
	}
	if p.Text == "" && len(p.Media) == 0 {
		return nil
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
