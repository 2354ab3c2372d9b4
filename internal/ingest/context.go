package ingest

import (
	"encoding/json"
	"strings"

	"golang.org/x/net/html"

	"github.com/basira-org/basira/internal/post"
)

// Keys of post.Extra under which connectors keep the context of a post:
// what it links to, quotes, answers, forwards or spreads. Propaganda travels
// as links, quotes and forwards: the target is evidence.
const (
	// ExtraLinks is a list of link targets (Telegram hrefs, Bluesky link
	// facets' full URIs, hrefs of a Mastodon status), in order, deduplicated.
	ExtraLinks = "links"
	// ExtraCard is the link card shown with the post (Card).
	ExtraCard = "card"
	// ExtraQuote, ExtraReplyTo, ExtraForward and ExtraBoostOf are Refs.
	ExtraQuote   = "quote"
	ExtraReplyTo = "reply_to"
	ExtraForward = "forward"
	ExtraBoostOf = "boost_of"
	// ExtraPoll is the poll of the post (Poll); its question and options are
	// also appended to the text, so detectors read them.
	ExtraPoll = "poll"
	// ExtraEditedAt marks an edited post (RFC 3339 time of the edit): the
	// same id handed on again with its new text.
	ExtraEditedAt = "edited_at"
	// ExtraMediaMissing lists attachments named by the source but not
	// available (a Telegram export made without media): [{type, mime}].
	ExtraMediaMissing = "media_missing"
)

// Ref points at another post or account. Identities are pseudonymised like
// authors (Author); a public channel keeps its public link (URL).
type Ref struct {
	// ID is the referenced post's id as Basira stores it (same platform).
	ID     string `json:"id,omitempty"`
	URL    string `json:"url,omitempty"`
	Author string `json:"author,omitempty"`
	// Channel is a public channel's own id or name (not a person).
	Channel string `json:"channel,omitempty"`
}

// Card is a link preview.
type Card struct {
	URL         string `json:"url"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Poll is a poll's question (when separate from the text) and options.
type Poll struct {
	Question string   `json:"question,omitempty"`
	Options  []string `json:"options"`
}

// SetExtra stores v as JSON under key; a value that does not marshal is
// dropped (all callers pass plain structs).
func SetExtra(p *post.Post, key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	if p.Extra == nil {
		p.Extra = map[string]json.RawMessage{}
	}
	p.Extra[key] = b
}

// AddLinks appends link targets to p's ExtraLinks, keeping order and
// dropping duplicates and anything that is not an http(s) URL.
func AddLinks(p *post.Post, links ...string) {
	var have []string
	if raw, ok := p.Extra[ExtraLinks]; ok {
		_ = json.Unmarshal(raw, &have)
	}
	seen := make(map[string]bool, len(have))
	for _, l := range have {
		seen[l] = true
	}
	n := len(have)
	for _, l := range links {
		l = strings.TrimSpace(l)
		if seen[l] || !(strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")) {
			continue
		}
		seen[l] = true
		have = append(have, l)
	}
	if len(have) > n {
		SetExtra(p, ExtraLinks, have)
	}
}

// AppendPoll adds a poll to p: as ExtraPoll and as text lines (question,
// then "- option" per option), so what a poll asks is read by detectors.
func AppendPoll(p *post.Post, poll Poll) {
	if poll.Question == "" && len(poll.Options) == 0 {
		return
	}
	SetExtra(p, ExtraPoll, poll)
	var b strings.Builder
	b.WriteString(p.Text)
	if poll.Question != "" {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(poll.Question)
	}
	for _, o := range poll.Options {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- ")
		b.WriteString(o)
	}
	p.Text = b.String()
}

// MediaType maps a MIME type to Basira's media kinds.
func MediaType(mime string) string {
	switch {
	case mime == "image/gif":
		return "gif"
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "video/"):
		return "video"
	case strings.HasPrefix(mime, "audio/"):
		return "audio"
	}
	return "file"
}

// HTMLLinks returns the targets of the <a href> of an HTML fragment,
// leaving out mentions and hashtags (Mastodon marks them with the classes
// "mention" and "hashtag", or rel="tag"): those name accounts and topics,
// not outside targets.
func HTMLLinks(fragment string) []string {
	if !strings.Contains(fragment, "<a") {
		return nil
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	var out []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "a" || !hasAttr {
				continue
			}
			var href string
			skip := false
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "href":
					href = string(v)
				case "class":
					for _, c := range strings.Fields(string(v)) {
						if c == "mention" || c == "hashtag" {
							skip = true
						}
					}
				case "rel":
					for _, r := range strings.Fields(string(v)) {
						if r == "tag" {
							skip = true
						}
					}
				}
				if !more {
					break
				}
			}
			if href != "" && !skip {
				out = append(out, href)
			}
		}
	}
}
