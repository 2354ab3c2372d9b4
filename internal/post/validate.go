package post

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/basira-org/basira/vpdq"
)

// Size limits of a post's fields, checked by Validate. Every store takes a
// post within them: identifiers stay under PostgreSQL's index row limit,
// and no field can carry megabytes into the database.
const (
	MaxIDBytes       = 512
	MaxPlatformBytes = 64
	MaxURLBytes      = 4096
	MaxLangBytes     = 35 // the longest BCP 47 tag in practice
	MaxAuthorBytes   = 256
	MaxSourceBytes   = 1024
	MaxExtraBytes    = 64 << 10 // all extra fields together, as JSON
	MaxExtraFields   = 64
	MaxExtraKeyBytes = 128
	MaxMedia         = maxMedia
	MaxVPDQBytes     = 64 << 10 // one video's frame hashes (about 800 frames)
	MaxOCRBytes      = 16 << 10 // text read in one attachment
	MaxOCRLines      = 512
	// MaxStoredTextBytes is the largest text any store takes, whatever a
	// decoder's own (lower) limit.
	MaxStoredTextBytes = 1 << 20
)

// ErrInvalid is wrapped by every error of Validate.
var ErrInvalid = errors.New("invalid post")

// Validate checks p against what every store accepts, the same for SQLite
// and PostgreSQL, so a batch is never refused for one post in it. It runs
// before any store, on decoded and connector-built posts alike.
//
// Per field: identifiers (id, platform, lang, source, author, url, media
// URLs, paths and hashes) are refused when over their limit, not valid
// UTF-8, or holding control characters (NUL included) — an identifier is
// never altered silently. Text is refused when not valid UTF-8 or over
// maxText (0: DefaultMaxTextBytes), and a NUL in it is repaired to U+FFFD
// (PostgreSQL cannot store NUL; nothing else in the text changes). Extra
// fields are bounded in number and size; their invalid UTF-8 is repaired
// to U+FFFD.
func Validate(p *Post, maxText int) error {
	if maxText <= 0 {
		maxText = DefaultMaxTextBytes
	}
	if p.ID == "" {
		return invalid(`missing or empty field "id"`)
	}
	if err := identifier("id", p.ID, MaxIDBytes); err != nil {
		return invalid("%w", err)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"platform", p.Platform, MaxPlatformBytes}, {"url", p.URL, MaxURLBytes}, {"lang", p.Lang, MaxLangBytes},
		{"author", p.Author, MaxAuthorBytes}, {"source", p.Source, MaxSourceBytes},
	} {
		if err := identifier(f.name, f.v, f.max); err != nil {
			return invalid("post %q: %w", clip(p.ID), err)
		}
	}
	if hasCredentials(p.URL) {
		return invalid("post %q: field \"url\" carries credentials (user:password@): give the URL without them", clip(p.ID))
	}
	for _, f := range []struct{ name, v string }{{"id", p.ID}, {"platform", p.Platform}, {"url", p.URL}} {
		if strings.ContainsFunc(f.v, isFormatChar) {
			return invalid("post %q: field %q holds invisible bidi controls (they make it display other than it reads)", clip(p.ID), f.name)
		}
	}
	if len(p.Text) > maxText {
		return invalid("post %q: text is %d bytes, over the %d-byte limit: %w", clip(p.ID), len(p.Text), maxText, ErrTooLong)
	}
	if !utf8.ValidString(p.Text) {
		return invalid("post %q: text is not valid UTF-8 (convert the file to UTF-8 first)", clip(p.ID))
	}
	if strings.IndexByte(p.Text, 0) >= 0 {
		p.Text = strings.ReplaceAll(p.Text, "\x00", "\uFFFD")
	}
	if len(p.Media) > MaxMedia {
		return invalid("post %q: %d media entries, over the limit of %d", clip(p.ID), len(p.Media), MaxMedia)
	}
	for i, m := range p.Media {
		for _, f := range []struct {
			name, v string
			max     int
		}{{"url", m.URL, MaxURLBytes}, {"path", m.Path, MaxURLBytes}} {
			if err := identifier(f.name, f.v, f.max); err != nil {
				return invalid("post %q: media[%d]: %w", clip(p.ID), i, err)
			}
		}
		if strings.ContainsFunc(m.URL, isFormatChar) {
			return invalid("post %q: media[%d]: \"url\" holds invisible bidi controls", clip(p.ID), i)
		}
		if hasCredentials(m.URL) {
			return invalid("post %q: media[%d]: \"url\" carries credentials (user:password@): give the URL without them", clip(p.ID), i)
		}
		for _, h := range []struct {
			name, v string
			n       int
		}{{"sha256", m.SHA256, 64}, {"md5", m.MD5, 32}, {"pdq", m.PDQ, 64}} {
			if h.v != "" && (len(h.v) != h.n || strings.Trim(strings.ToLower(h.v), "0123456789abcdef") != "") {
				return invalid("post %q: media[%d]: %q must be %d hex characters", clip(p.ID), i, h.name, h.n)
			}
		}
		if m.Quality < 0 || m.Quality > 100 {
			return invalid("post %q: media[%d]: quality %d is not 0-100", clip(p.ID), i, m.Quality)
		}
		if t := m.OCR; t != nil {
			if len(t.Text) > MaxOCRBytes || len(t.Lines) > MaxOCRLines || !utf8.ValidString(t.Text) {
				return invalid("post %q: media[%d]: \"ocr\" is over %d bytes or %d lines, or not UTF-8", clip(p.ID), i, MaxOCRBytes, MaxOCRLines)
			}
			for _, l := range t.Lines {
				if l.Start < 0 || l.End < l.Start || l.End > len(t.Text) {
					return invalid("post %q: media[%d]: \"ocr\" line [%d, %d) outside its text", clip(p.ID), i, l.Start, l.End)
				}
			}
		}
		if m.VPDQ != "" {
			if len(m.VPDQ) > MaxVPDQBytes {
				return invalid("post %q: media[%d]: \"vpdq\" is over %d bytes", clip(p.ID), i, MaxVPDQBytes)
			}
			if _, err := vpdq.ParseSignal(m.VPDQ); err != nil {
				return invalid("post %q: media[%d]: %w", clip(p.ID), i, err)
			}
		}
	}
	return validateExtra(p)
}

func validateExtra(p *Post) error {
	if len(p.Extra) == 0 {
		return nil
	}
	if len(p.Extra) > MaxExtraFields {
		return invalid("post %q: %d extra fields, over the limit of %d", clip(p.ID), len(p.Extra), MaxExtraFields)
	}
	total := 0
	for k, v := range p.Extra {
		total += len(k) + len(v) + 4
		if len(k) > MaxExtraKeyBytes || !utf8.ValidString(k) || strings.ContainsFunc(k, unicode.IsControl) {
			return invalid("post %q: extra field name %q is over %d bytes or holds control characters", clip(p.ID), clip(k), MaxExtraKeyBytes)
		}
		if !utf8.Valid(v) {
			// Decoding and encoding again turns every invalid byte into
			// U+FFFD and keeps the rest of the value as it was.
			var x any
			if err := json.Unmarshal(v, &x); err != nil {
				return invalid("post %q: extra field %q is not valid JSON", clip(p.ID), k)
			}
			b, err := json.Marshal(x)
			if err != nil {
				return invalid("post %q: extra field %q: %v", clip(p.ID), k, err)
			}
			p.Extra[k] = b
		}
	}
	if total > MaxExtraBytes {
		return invalid("post %q: extra fields are %d bytes, over the %d-byte limit: %w", clip(p.ID), total, MaxExtraBytes, ErrTooLong)
	}
	return nil
}

// identifier refuses a field over max bytes, not valid UTF-8, or holding
// control characters: ids, names and URLs are never repaired.
func identifier(name, v string, max int) error {
	switch {
	case len(v) > max:
		return fmt.Errorf("field %q is %d bytes, over the %d-byte limit: %w", name, len(v), max, ErrTooLong)
	case !utf8.ValidString(v):
		return invalid("field %q is not valid UTF-8", name)
	case strings.ContainsFunc(v, unicode.IsControl):
		return invalid("field %q holds control characters (NUL, newline, …)", name)
	}
	return nil
}

// hasCredentials reports a URL with user information (scheme://user@…):
// a password there would be stored, served and logged with the post.
func hasCredentials(u string) bool {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "@")
}

// isFormatChar reports the invisible bidi controls that make text display
// other than it reads (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C).
func isFormatChar(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// invalidError is a refusal by Validate: errors.Is matches ErrInvalid and
// whatever the message wraps (ErrTooLong).
type invalidError struct{ err error }

func (e *invalidError) Error() string   { return e.err.Error() }
func (e *invalidError) Unwrap() []error { return []error{ErrInvalid, e.err} }

func invalid(format string, args ...any) error {
	return &invalidError{fmt.Errorf(format, args...)}
}

// clip shortens an id for messages, so an over-long or hostile id cannot
// flood an error answer.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > 64 {
		s = truncate(s, 64)
	}
	var b bytes.Buffer
	for _, r := range s {
		if unicode.IsControl(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}
