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
	"regexp"
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
	posts, skipped, err := ParseReport(body, s.platform(), s.Pseudonymizer)
	if err != nil {
		return fmt.Errorf("parsing %s: %w", s.URL, err)
	}
	for _, sk := range skipped {
		ingest.Skip(sink, s.Name(), sk.Reason, s.URL+": "+sk.Detail)
	}
	for _, p := range posts {
		// The feed's URL is the item's namespace: two feeds on one host
		// may both have an item "1".
		p.ID = ItemID(s.URL, p.ID)
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

// ItemID is the stored id of a feed item: the feed's URL, '#', the item's
// own id (GUID, else link, else title).
func ItemID(feedURL, id string) string { return feedURL + "#" + id }

func (s *Source) platform() string {
	if s.Platform != "" {
		return s.Platform
	}
	if u, err := url.Parse(s.URL); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return "rss"
}

// Skipped is one item (or the document) a parse could not use fully.
type Skipped struct {
	Reason string // short and stable: the counter's key
	Detail string
}

// Parse turns a feed document (RSS, Atom or JSON Feed) into posts. Items
// are identified by GUID, else link, else title (the caller adds the
// feed's namespace). What cannot be read is left out; see ParseReport.
func Parse(doc []byte, platform string, ps *post.Pseudonymizer) ([]*post.Post, error) {
	posts, _, err := ParseReport(doc, platform, ps)
	return posts, err
}

// ParseReport is Parse that also returns what it skipped. A document that
// is not well-formed (an unclosed tag at the end, a CDATA section never
// closed: real feeds are often slightly broken) is read item by item:
// every item that parses is returned, every one that does not is reported,
// and so is the document's own fault.
func ParseReport(doc []byte, platform string, ps *post.Pseudonymizer) ([]*post.Post, []Skipped, error) {
	if len(doc) > MaxFeedBytes {
		return nil, nil, fmt.Errorf("feed is larger than %d bytes", MaxFeedBytes)
	}
	feed, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil {
		items, lang, skipped, ok := salvage(doc)
		if !ok {
			return nil, nil, err
		}
		skipped = append([]Skipped{{Reason: "malformed feed (read item by item)", Detail: err.Error()}}, skipped...)
		posts, more := toPosts(items, lang, platform, ps)
		return posts, append(skipped, more...), nil
	}
	if feed == nil {
		return nil, nil, errors.New("empty feed")
	}
	posts, skipped := toPosts(feed.Items, feed.Language, platform, ps)
	return posts, skipped, nil
}

func toPosts(items []*gofeed.Item, lang, platform string, ps *post.Pseudonymizer) ([]*post.Post, []Skipped) {
	posts := make([]*post.Post, 0, len(items))
	var skipped []Skipped
	for i, it := range items {
		if it == nil {
			continue
		}
		id := firstNonEmpty(it.GUID, it.Link, it.Title)
		if id == "" {
			skipped = append(skipped, Skipped{Reason: "item without guid, link or title", Detail: fmt.Sprintf("item %d", i+1)})
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
		p := &post.Post{ID: id, Platform: platform, URL: it.Link, Text: text, Lang: lang}
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
	return posts, skipped
}

// maxSalvagePrefix bounds the channel header repeated before each item
// when a broken feed is read item by item.
const maxSalvagePrefix = 64 << 10

var (
	rootTag = regexp.MustCompile(`<(rss|feed|rdf:RDF)\b[^>]*>`)
	langTag = regexp.MustCompile(`<language>\s*([^<\s]+)\s*</language>`)
)

// salvage reads a feed that is not well-formed one item at a time: each
// <item>…</item> (or <entry>…</entry>) is parsed inside the document's own
// root start tag (so namespaces still resolve) and channel header. It
// returns false when the document has no recognisable root or items.
func salvage(doc []byte) ([]*gofeed.Item, string, []Skipped, bool) {
	s := string(doc)
	loc := rootTag.FindStringSubmatchIndex(s)
	if loc == nil {
		return nil, "", nil, false
	}
	root := s[loc[2]:loc[3]]
	open, closeTag, closers := "<item", "</item>", "</channel></rss>"
	switch root {
	case "feed":
		open, closeTag, closers = "<entry", "</entry>", "</feed>"
	case "rdf:RDF":
		closers = "</rdf:RDF>"
	}
	first := indexTag(s, open, loc[1])
	if first < 0 {
		return nil, "", nil, false
	}
	prefix := s[:first] // declaration, root start tag, channel header
	lang := ""
	if m := langTag.FindStringSubmatch(prefix); m != nil {
		lang = m[1]
	}
	if len(prefix) > maxSalvagePrefix {
		// Each item is parsed with the prefix: bound the work.
		prefix = s[:loc[1]]
		if root == "rss" {
			prefix += "<channel>"
		}
	}
	var items []*gofeed.Item
	var skipped []Skipped
	for n, at := 1, first; at >= 0; n++ {
		end := strings.Index(s[at:], closeTag)
		if end < 0 {
			skipped = append(skipped, Skipped{Reason: "unterminated item", Detail: fmt.Sprintf("item %d has no %s", n, closeTag)})
			break
		}
		end += at + len(closeTag)
		f, err := gofeed.NewParser().ParseString(prefix + s[at:end] + closers)
		switch {
		case err != nil:
			skipped = append(skipped, Skipped{Reason: "malformed item", Detail: fmt.Sprintf("item %d: %v", n, err)})
		case f != nil && len(f.Items) > 0:
			items = append(items, f.Items...)
		}
		at = indexTag(s, open, end)
	}
	return items, lang, skipped, len(items) > 0 || len(skipped) > 0
}

// indexTag finds the start tag open ("<item") from byte from, not a
// longer name ("<itemref").
func indexTag(s, open string, from int) int {
	for from < len(s) {
		i := strings.Index(s[from:], open)
		if i < 0 {
			return -1
		}
		i += from
		if j := i + len(open); j < len(s) && (s[j] == '>' || s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '/') {
			return i
		}
		from = i + len(open)
	}
	return -1
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
