// Package telegram reads Telegram Desktop's channel and chat exports
// ("Export chat history" → JSON: result.json next to photos/ and files/).
// The file is read as a stream, so a channel with years of messages does
// not have to fit in memory, and photos become local media for hashing.
package telegram

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

// Limits on an export.
const (
	MaxMessageBytes = 1 << 20 // one message object
	batchSize       = 500
)

// Source ingests one export file once; Run returns nil when done.
type Source struct {
	Path string // result.json
	// Channel is the public username (without @) used to build t.me links;
	// exports do not carry it.
	Channel       string
	Pseudonymizer *post.Pseudonymizer
}

// Name implements ingest.Source.
func (s *Source) Name() string { return "telegram:" + s.Path }

// Run reads the export and hands its messages to sink in batches.
func (s *Source) Run(ctx context.Context, sink ingest.Sink) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	var batch []*post.Post
	err = s.Read(f, func(p *post.Post) error {
		batch = append(batch, p)
		if len(batch) < batchSize {
			return nil
		}
		err := sink.Accept(ctx, s.Name(), batch)
		batch = nil
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	if len(batch) > 0 {
		return sink.Accept(ctx, s.Name(), batch)
	}
	return nil
}

// chatHeader is what precedes or accompanies the messages of one chat.
type chatHeader struct {
	name string
	id   string
}

// Read streams an export (a single chat, or a full-account export with
// chats.list) and calls fn for each message that has text or media.
// Service messages (joins, pins) are skipped.
func (s *Source) Read(r io.Reader, fn func(*post.Post) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("not a Telegram export (want a JSON object): %w", err)
	}
	return s.readChat(dec, fn)
}

// readChat reads the members of a chat object whose '{' was consumed.
func (s *Source) readChat(dec *json.Decoder, fn func(*post.Post) error) error {
	var h chatHeader
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "name":
			if err := dec.Decode(&h.name); err != nil {
				h.name = ""
			}
		case "id":
			var n json.Number
			if err := dec.Decode(&n); err != nil {
				return fmt.Errorf("chat id: %w", err)
			}
			h.id = n.String()
		case "messages":
			if err := s.readMessages(dec, &h, fn); err != nil {
				return err
			}
		case "chats":
			// Full export: {"chats": {"about": …, "list": [chat, …]}}
			if err := expectDelim(dec, '{'); err != nil {
				return fmt.Errorf("chats: %w", err)
			}
			for dec.More() {
				k, err := readKey(dec)
				if err != nil {
					return err
				}
				if k != "list" {
					if err := skip(dec); err != nil {
						return err
					}
					continue
				}
				if err := expectDelim(dec, '['); err != nil {
					return fmt.Errorf("chats.list: %w", err)
				}
				for dec.More() {
					if err := expectDelim(dec, '{'); err != nil {
						return fmt.Errorf("chats.list: %w", err)
					}
					if err := s.readChat(dec, fn); err != nil {
						return err
					}
				}
				if _, err := dec.Token(); err != nil { // ']'
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // '}'
				return err
			}
		default:
			if err := skip(dec); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// message is the part of an exported message Basira reads.
type message struct {
	ID            json.Number     `json:"id"`
	Type          string          `json:"type"`
	Date          string          `json:"date"`
	DateUnix      string          `json:"date_unixtime"`
	From          string          `json:"from"`
	FromID        string          `json:"from_id"`
	Text          json.RawMessage `json:"text"`
	Photo         string          `json:"photo"`
	File          string          `json:"file"`
	MimeType      string          `json:"mime_type"`
	ForwardedFrom string          `json:"forwarded_from"`
}

func (s *Source) readMessages(dec *json.Decoder, h *chatHeader, fn func(*post.Post) error) error {
	if err := expectDelim(dec, '['); err != nil {
		return fmt.Errorf("messages: %w", err)
	}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("message %d: %w", i+1, err)
		}
		if len(raw) > MaxMessageBytes {
			return fmt.Errorf("message %d is larger than %d bytes", i+1, MaxMessageBytes)
		}
		var m message
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("message %d: %w", i+1, err)
		}
		p := s.toPost(h, &m)
		if p == nil {
			continue
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ']'
	return err
}

func (s *Source) toPost(h *chatHeader, m *message) *post.Post {
	if m.Type != "message" || m.ID == "" {
		return nil
	}
	text := Text(m.Text)
	p := &post.Post{ID: h.id + "/" + m.ID.String(), Platform: "telegram", Text: text}
	if s.Channel != "" {
		p.URL = "https://t.me/" + strings.TrimPrefix(s.Channel, "@") + "/" + m.ID.String()
	}
	if n, err := strconv.ParseInt(m.DateUnix, 10, 64); err == nil {
		t := time.Unix(n, 0).UTC()
		p.PostedAt = &t
	} else if t, err := time.Parse("2006-01-02T15:04:05", m.Date); err == nil {
		p.PostedAt = &t
	}
	if s.Pseudonymizer != nil {
		p.Author = s.Pseudonymizer.Pseudonym("telegram", cmp.Or(m.FromID, m.From))
	}
	dir := filepath.Dir(s.Path)
	if isLocalFile(m.Photo) {
		p.Media = append(p.Media, post.Media{Path: filepath.Join(dir, filepath.FromSlash(m.Photo))})
	}
	if isLocalFile(m.File) && strings.HasPrefix(m.MimeType, "image/") {
		p.Media = append(p.Media, post.Media{Path: filepath.Join(dir, filepath.FromSlash(m.File))})
	}
	if p.Text == "" && len(p.Media) == 0 {
		return nil
	}
	if m.ForwardedFrom != "" {
		p.Extra = map[string]json.RawMessage{"forwarded": json.RawMessage(`true`)}
	}
	return p
}

// isLocalFile rejects the placeholders exports write for media that was
// not downloaded, and paths that climb out of the export folder.
func isLocalFile(p string) bool {
	return p != "" && !strings.HasPrefix(p, "(File ") && !strings.Contains(p, "..") && !filepath.IsAbs(p)
}

// Text flattens an exported message text: a string, or an array of
// strings and entity objects ({"type":"bold","text":"…"}).
func Text(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, part := range parts {
		if json.Unmarshal(part, &s) == nil {
			b.WriteString(s)
			continue
		}
		var ent struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(part, &ent) == nil {
			b.WriteString(ent.Text)
		}
	}
	return b.String()
}

func readKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want an object key, got %v", tok)
	}
	return key, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

// skip consumes one JSON value.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

var _ ingest.Source = (*Source)(nil)
