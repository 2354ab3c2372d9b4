// Package rss is the RSS/Atom/JSON Feed connector: it polls a feed with
// conditional requests (ETag, Last-Modified) and turns new items into posts.
package rss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

// MaxFeedBytes bounds one feed document; a larger response is an error.
const MaxFeedBytes = 16 << 20

// Source polls one feed.
type Source struct {
	URL      string
	Interval time.Duration // between polls; default 5 minutes
	Client   *http.Client  // default: 30 s timeout
	// Platform recorded on posts; default the feed's host name.
	Platform      string
	Pseudonymizer *post.Pseudonymizer

	etag, lastModified string
	seen               *ingest.SeenSet
}

// Name implements ingest.Source.
func (s *Source) Name() string { return "rss:" + s.URL }

// Run polls until ctx is done. A failed poll returns the error so the
// supervisor backs off; the validators of the last good response are kept,
// so a restart does not re-send what was already accepted.
func (s *Source) Run(ctx context.Context, sink ingest.Sink) error {
	if s.seen == nil {
		s.seen = ingest.NewSeenSet(10000)
	}
	interval := s.Interval
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	for {
		if err := s.Poll(ctx, sink); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// Poll fetches the feed once and hands new items to sink.
func (s *Source) Poll(ctx context.Context, sink ingest.Sink) error {
	if s.seen == nil {
		s.seen = ingest.NewSeenSet(10000)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "basira/1 (+feed monitor)")
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5")
	if s.etag != "" {
		req.Header.Set("If-None-Match", s.etag)
	}
	if s.lastModified != "" {
		req.Header.Set("If-Modified-Since", s.lastModified)
	}
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", s.URL, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("fetching %s: HTTP %s", s.URL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxFeedBytes+1))
	if err != nil {
		return fmt.Errorf("reading %s: %w", s.URL, err)
	}
	if len(body) > MaxFeedBytes {
		return fmt.Errorf("feed %s is larger than %d bytes", s.URL, MaxFeedBytes)
	}
	posts, err := Parse(body, s.platform(), s.Pseudonymizer)
	if err != nil {
		return fmt.Errorf("parsing %s: %w", s.URL, err)
	}
	fresh := posts[:0]
	for _, p := range posts {
		if !s.seen.Has(p.ID) {
			fresh = append(fresh, p)
		}
	}
	if len(fresh) > 0 {
		if err := sink.Accept(ctx, s.Name(), fresh); err != nil {
			return err
		}
		for _, p := range fresh {
			s.seen.Add(p.ID)
		}
	}
	// Only now, with the items durably accepted, move the validators on.
	s.etag = resp.Header.Get("ETag")
	s.lastModified = resp.Header.Get("Last-Modified")
	return nil
}

func (s *Source) platform() string {
	if s.Platform != "" {
		return s.Platform
	}
	if u, err := url.Parse(s.URL); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return "rss"
}

// Parse turns a feed document (RSS, Atom or JSON Feed) into posts. Items
// are identified by GUID, else link, else title.
func Parse(doc []byte, platform string, ps *post.Pseudonymizer) ([]*post.Post, error) {
	if len(doc) > MaxFeedBytes {
		return nil, fmt.Errorf("feed is larger than %d bytes", MaxFeedBytes)
	}
	feed, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil {
		return nil, err
	}
	if feed == nil {
		return nil, errors.New("empty feed")
	}
	posts := make([]*post.Post, 0, len(feed.Items))
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		id := firstNonEmpty(it.GUID, it.Link, it.Title)
		if id == "" {
			continue
		}
		body := it.Content
		if body == "" {
			body = it.Description
		}
		text := strings.TrimSpace(it.Title)
		if b := ingest.HTMLText(body); b != "" && b != text {
			if text != "" {
				text += "\n"
			}
			text += b
		}
		p := &post.Post{ID: id, Platform: platform, URL: it.Link, Text: text, Lang: feed.Language}
		if len(it.Authors) > 0 && it.Authors[0] != nil && ps != nil {
			p.Author = ps.Pseudonym(platform, firstNonEmpty(it.Authors[0].Email, it.Authors[0].Name))
		}
		if t := it.PublishedParsed; t != nil {
			u := t.UTC()
			p.PostedAt = &u
		} else if t := it.UpdatedParsed; t != nil {
			u := t.UTC()
			p.PostedAt = &u
		}
		// Every enclosure is kept with its kind: podcasts (audio), video,
		// documents as well as images.
		for _, enc := range it.Enclosures {
			if enc != nil && enc.URL != "" {
				p.Media = append(p.Media, post.Media{Type: ingest.MediaType(enc.Type), MIME: enc.Type, URL: enc.URL})
			}
		}
		if it.Image != nil && it.Image.URL != "" && len(p.Media) == 0 {
			p.Media = append(p.Media, post.Media{Type: "image", URL: it.Image.URL})
		}
		posts = append(posts, p)
	}
	return posts, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
