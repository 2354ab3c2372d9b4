// Package telegram reads Telegram Desktop's channel and chat exports
// ("Export chat history" → JSON: result.json next to photos/ and files/).
// The file is read as a stream, so a channel with years of messages does
// not have to fit in memory, and photos become local media for hashing.
package telegram

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// Run reads the export and hands its messages to sink in batches. A
// message that cannot be read is skipped and counted on sink (see
// ingest.Skip), never the whole file.
func (s *Source) Run(ctx context.Context, sink ingest.Sink) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	var batch []*post.Post
	err = s.ReadReport(f, func(p *post.Post) error {
		batch = append(batch, p)
		if len(batch) < batchSize {
			return nil
		}
		err := sink.Accept(ctx, s.Name(), batch)
		batch = nil
		return err
	}, func(reason, detail string) { ingest.Skip(sink, s.Name(), reason, s.Path+": "+detail) })
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
	name  string
	typ   string
	id    string
	top   bool // the export's root object (a single-chat export)
	index int  // position in chats.list, for a chat with neither id nor name
}

// Read streams an export (a single chat, or a full-account export with
// chats.list and left_chats.list) and calls fn for each message that has
// text or media. Skipped messages are not reported; see ReadReport.
func (s *Source) Read(r io.Reader, fn func(*post.Post) error) error {
	return s.ReadReport(r, fn, nil)
}

// ReadReport is Read that also calls skip (when not nil) for every message
// it does not hand on, with a short reason and a detail naming the message.
// Exports of every vintage are read: numeric from_id (before 2021) or
// "user123", with or without date_unixtime, chats without id (Saved
// Messages of older versions), left chats.
func (s *Source) ReadReport(r io.Reader, fn func(*post.Post) error, skip func(reason, detail string)) error {
	if skip == nil {
		skip = func(string, string) {}
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("not a Telegram export (want a JSON object): %w", err)
	}
	rd := &reader{src: s, dec: dec, fn: fn, skip: skip}
	return rd.chat(chatHeader{top: true})
}

type reader struct {
	src  *Source
	dec  *json.Decoder
	fn   func(*post.Post) error
	skip func(reason, detail string)
}

// chat reads the members of a chat object whose '{' was consumed.
func (rd *reader) chat(h chatHeader) error {
	dec := rd.dec
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "name":
			var v flexString
			if err := dec.Decode(&v); err != nil {
				return fmt.Errorf("chat name: %w", err)
			}
			h.name = string(v)
		case "type":
			var v flexString
			if err := dec.Decode(&v); err != nil {
				return fmt.Errorf("chat type: %w", err)
			}
			h.typ = string(v)
		case "id":
			var v flexString
			if err := dec.Decode(&v); err != nil {
				return fmt.Errorf("chat id: %w", err)
			}
			h.id = string(v)
		case "messages":
			if err := rd.messages(&h); err != nil {
				return err
			}
		case "chats", "left_chats":
			// Full export: {"chats": {"about": …, "list": [chat, …]},
			// "left_chats": {…}} (left chats are channels and groups the
			// account has left: still content).
			if err := rd.chatList(key); err != nil {
				return err
			}
		default:
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token() // '}'
	return err
}

func (rd *reader) chatList(key string) error {
	dec := rd.dec
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	for dec.More() {
		k, err := readKey(dec)
		if err != nil {
			return err
		}
		if k != "list" {
			if err := skipValue(dec); err != nil {
				return err
			}
			continue
		}
		if err := expectDelim(dec, '['); err != nil {
			return fmt.Errorf("%s.list: %w", key, err)
		}
		for i := 0; dec.More(); i++ {
			if err := expectDelim(dec, '{'); err != nil {
				return fmt.Errorf("%s.list: %w", key, err)
			}
			if err := rd.chat(chatHeader{index: i + 1}); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return err
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// namespace is the chat part of a post id: the chat's id, or for a chat
// exported without one (Saved Messages and some chats of older versions) a
// stable stand-in, so ids never collide across chats of one export.
func (rd *reader) namespace(h *chatHeader) string {
	switch {
	case h.id != "":
		return h.id
	case h.typ == "saved_messages":
		return "saved"
	case h.name != "":
		// A personal chat's name is a person's name: keyed hash, not the name.
		sum := sha256.Sum256([]byte(h.typ + "\x00" + h.name))
		if rd.src.Pseudonymizer != nil {
			return "chat-" + strings.TrimPrefix(rd.src.Pseudonymizer.Pseudonym("telegram-chat", h.typ+"\x00"+h.name), "a:")
		}
		return "chat-" + hex.EncodeToString(sum[:8])
	}
	return "chat-" + strconv.Itoa(h.index)
}

// message is the part of an exported message Basira reads. Fields whose
// type changed across Telegram Desktop versions are flexString.
type message struct {
	ID       flexString `json:"id"`
	Type     string     `json:"type"`
	Date     string     `json:"date"`
	DateUnix flexString `json:"date_unixtime"`
	// Edited is "1970-01-01T00:00:00" (older exports) or absent when the
	// message was never edited; EditedUnix is written by recent versions.
	Edited        string          `json:"edited"`
	EditedUnix    flexString      `json:"edited_unixtime"`
	From          flexString      `json:"from"`
	FromID        flexString      `json:"from_id"`
	Text          json.RawMessage `json:"text"`
	Photo         string          `json:"photo"`
	File          string          `json:"file"`
	MimeType      string          `json:"mime_type"`
	MediaType     string          `json:"media_type"`
	ForwardedFrom flexString      `json:"forwarded_from"`
	// ForwardedFromID is written by recent versions ("user…", "channel…").
	ForwardedFromID flexString `json:"forwarded_from_id"`
	SavedFrom       flexString `json:"saved_from"`
	ReplyTo         flexString `json:"reply_to_message_id"`
	Poll            *struct {
		Question string `json:"question"`
		Answers  []struct {
			Text string `json:"text"`
		} `json:"answers"`
	} `json:"poll"`
}

func (rd *reader) messages(h *chatHeader) error {
	dec := rd.dec
	if err := expectDelim(dec, '['); err != nil {
		return fmt.Errorf("messages: %w", err)
	}
	// Exports write the chat's id before its messages.
	ns := rd.namespace(h)
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// The JSON itself is broken: nothing after this can be read.
			return fmt.Errorf("message %d: %w", i+1, err)
		}
		where := func() string { return "chat " + ns + " message " + strconv.Itoa(i+1) }
		if len(raw) > MaxMessageBytes {
			rd.skip("message too large", fmt.Sprintf("%s is larger than %d bytes", where(), MaxMessageBytes))
			continue
		}
		var m message
		if err := json.Unmarshal(raw, &m); err != nil {
			rd.skip("malformed message", where()+": "+err.Error())
			continue
		}
		p, reason := rd.src.toPost(ns, h, &m)
		if p == nil {
			rd.skip(reason, where())
			continue
		}
		if err := rd.fn(p); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ']'
	return err
}

// toPost converts one message, or returns nil and why it was skipped.
func (s *Source) toPost(ns string, h *chatHeader, m *message) (*post.Post, string) {
	switch {
	case m.Type == "service":
		return nil, "service message"
	case m.Type != "message":
		return nil, "unknown message type"
	case m.ID == "":
		return nil, "message without id"
	}
	id := string(m.ID)
	text, links := textAndLinks(m.Text)
	p := &post.Post{ID: ns + "/" + id, Platform: "telegram", Text: text}
	// channel: names the exported chat; in a full-account export it would
	// wrongly give every chat that channel's links.
	if s.Channel != "" && h.top {
		p.URL = "https://t.me/" + strings.TrimPrefix(s.Channel, "@") + "/" + id
	}
	if n, err := strconv.ParseInt(string(m.DateUnix), 10, 64); err == nil {
		t := time.Unix(n, 0).UTC()
		p.PostedAt = &t
	} else if t, err := time.Parse("2006-01-02T15:04:05", m.Date); err == nil {
		// Exports before 2021 carry only the exporting machine's local
		// time; it is kept as if UTC (off by at most the time zone).
		p.PostedAt = &t
	}
	if s.Pseudonymizer != nil {
		p.Author = s.Pseudonymizer.Pseudonym("telegram", senderKey(m))
	}
	if m.Poll != nil {
		poll := ingest.Poll{Question: m.Poll.Question}
		for _, a := range m.Poll.Answers {
			poll.Options = append(poll.Options, a.Text)
		}
		ingest.AppendPoll(p, poll)
	}
	ingest.AddLinks(p, links...)
	s.media(p, m)
	if p.Text == "" && len(p.Media) == 0 {
		if p.Extra[ingest.ExtraMediaMissing] != nil {
			return nil, "media not included in the export"
		}
		return nil, "no text or media"
	}
	// A message edited before the export: a later export of the same chat
	// hands its new text on as a new version.
	if n, err := strconv.ParseInt(string(m.EditedUnix), 10, 64); err == nil && n > 0 {
		ingest.SetExtra(p, ingest.ExtraEditedAt, time.Unix(n, 0).UTC())
	} else if t, err := time.Parse("2006-01-02T15:04:05", m.Edited); err == nil && t.Year() > 1970 {
		ingest.SetExtra(p, ingest.ExtraEditedAt, t)
	}
	if m.ReplyTo != "" {
		ingest.SetExtra(p, ingest.ExtraReplyTo, ingest.Ref{ID: ns + "/" + string(m.ReplyTo)})
	}
	if from := cmp.Or(m.ForwardedFrom, m.SavedFrom); from != "" || m.ForwardedFromID != "" {
		ingest.SetExtra(p, ingest.ExtraForward, s.forwardRef(m))
	}
	return p, ""
}

// forwardRef says where a message was forwarded from: a channel keeps its
// id and public name (a channel is a publisher, not a person); a person,
// or an origin an older export does not type, gets a pseudonym.
func (s *Source) forwardRef(m *message) ingest.Ref {
	name := string(cmp.Or(m.ForwardedFrom, m.SavedFrom))
	id := string(m.ForwardedFromID)
	if strings.HasPrefix(id, "channel") {
		return ingest.Ref{Channel: id + cmp.Or(" "+name, "")}
	}
	if s.Pseudonymizer == nil {
		return ingest.Ref{Author: "a:"} // identity withheld; only the fact of the forward
	}
	if id != "" {
		return ingest.Ref{Author: s.Pseudonymizer.Pseudonym("telegram", id)}
	}
	return ingest.Ref{Author: s.Pseudonymizer.Pseudonym("telegram", "name:"+name)}
}

// media adds the message's attachments with their kind: photos, and files
// of every kind (voice, audio, video, animations, stickers, documents).
// Files the export did not include are listed under ExtraMediaMissing.
func (s *Source) media(p *post.Post, m *message) {
	dir := filepath.Dir(s.Path)
	if isLocalFile(m.Photo) {
		p.Media = append(p.Media, post.Media{Type: "image", Path: filepath.Join(dir, filepath.FromSlash(m.Photo))})
	}
	if m.File == "" {
		return
	}
	typ := fileType(m.MediaType, m.MimeType)
	if !isLocalFile(m.File) {
		if strings.HasPrefix(m.File, "(File ") {
			ingest.SetExtra(p, ingest.ExtraMediaMissing, []post.Media{{Type: typ, MIME: m.MimeType}})
		}
		return
	}
	p.Media = append(p.Media, post.Media{Type: typ, MIME: m.MimeType, Path: filepath.Join(dir, filepath.FromSlash(m.File))})
}

// fileType maps an export's media_type (or, without one, the MIME type)
// to Basira's media kinds.
func fileType(mediaType, mime string) string {
	switch mediaType {
	case "voice_message", "audio_file":
		return "audio"
	case "video_file", "video_message":
		return "video"
	case "animation":
		return "gif"
	case "sticker":
		return "sticker"
	}
	return ingest.MediaType(mime)
}

// senderKey is what the author pseudonym is computed from: from_id, which
// exports before 2021 wrote as a bare number (a user id) and later ones as
// "user123" / "channel123"; the bare number is given the "user" prefix so
// one account keeps one pseudonym across export vintages.
func senderKey(m *message) string {
	id := string(m.FromID)
	if id != "" && id[0] >= '0' && id[0] <= '9' {
		return "user" + id
	}
	return cmp.Or(id, string(m.From))
}

// flexString reads a JSON string, number or null (as ""): fields such as
// from_id and date_unixtime changed type between export versions.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 1 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0:
		*f = flexString(b[1 : len(b)-1]) // no escapes: the bytes are the string
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	default:
		return fmt.Errorf("want a string or a number, got %.20s", b)
	}
	return nil
}

// isLocalFile rejects the placeholders exports write for media that was
// not downloaded, and paths that climb out of the export folder.
func isLocalFile(p string) bool {
	return p != "" && !strings.HasPrefix(p, "(File ") && !strings.Contains(p, "..") && !filepath.IsAbs(p)
}

// Text flattens an exported message text: a string, or an array of
// strings and entity objects ({"type":"bold","text":"…"}).
func Text(raw json.RawMessage) string {
	t, _ := textAndLinks(raw)
	return t
}

// TextLinks returns the link targets of an exported text: the href of
// hidden links (text_link, whose visible text is only a label) and the
// text of visible links.
func TextLinks(raw json.RawMessage) []string {
	_, links := textAndLinks(raw)
	return links
}

// textAndLinks reads an exported text once for both.
func textAndLinks(raw json.RawMessage) (string, []string) {
	if len(raw) == 0 {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, nil
		}
		return "", nil
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil {
		return "", nil
	}
	var b strings.Builder
	var links []string
	for _, part := range parts {
		if len(part) > 0 && part[0] == '"' {
			var s string
			if json.Unmarshal(part, &s) == nil {
				b.WriteString(s)
			}
			continue
		}
		var ent struct {
			Type string `json:"type"`
			Text string `json:"text"`
			Href string `json:"href"`
		}
		if json.Unmarshal(part, &ent) != nil {
			continue
		}
		b.WriteString(ent.Text)
		switch ent.Type {
		case "text_link":
			links = append(links, ent.Href)
		case "link":
			u := ent.Text
			if !strings.Contains(u, "://") {
				u = "https://" + u
			}
			links = append(links, u)
		}
	}
	return b.String(), links
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

// skipValue consumes one JSON value.
func skipValue(dec *json.Decoder) error {
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
