// Package post defines the social-media post that flows through Basira and
// decodes posts from outside input (JSONL, CSV). Authors are pseudonymised
// with a keyed hash before a post leaves this package.
package post

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"sync"
	"time"
)

// Media is one attachment of a post: a URL to fetch or a local path, plus
// the hashes computed from its bytes once fetched.
type Media struct {
	// Type is the kind of attachment: image, video, gif, audio, sticker or
	// file (empty: unknown, read as an image by older producers).
	Type    string `json:"type,omitempty"`
	MIME    string `json:"mime,omitempty"`
	URL     string `json:"url,omitempty"`
	Path    string `json:"path,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	MD5     string `json:"md5,omitempty"`
	PDQ     string `json:"pdq,omitempty"`
	Quality int    `json:"quality,omitempty"`
	// VPDQ is a video's vPDQ frame hashes, as python-threatexchange's
	// signal string (package vpdq).
	VPDQ string `json:"vpdq,omitempty"`
	// OCR is the text read inside the picture or the video's keyframes.
	OCR *MediaText `json:"ocr,omitempty"`
}

// MediaText is the text read inside one attachment, line by line.
type MediaText struct {
	Text  string     `json:"text"`
	Lines []TextLine `json:"lines,omitempty"`
}

// TextLine is one line of MediaText: its byte range in Text and where it
// was found: a box in pixels and, in a video, the time of the frame.
type TextLine struct {
	Start int     `json:"start"`
	End   int     `json:"end"`
	X     int     `json:"x"`
	Y     int     `json:"y"`
	W     int     `json:"w"`
	H     int     `json:"h"`
	At    float64 `json:"at,omitempty"` // seconds into the video
}

// Line returns the line holding byte offset off of Text.
func (t *MediaText) Line(off int) (TextLine, bool) {
	for _, l := range t.Lines {
		if off >= l.Start && off < l.End {
			return l, true
		}
	}
	return TextLine{}, false
}

// Post is one social-media post. Text is kept as written (for display and
// evidence); detectors match on the normalized, folded forms.
type Post struct {
	// ID is the platform's identifier of the post (platform_post_id).
	ID       string `json:"id"`
	Platform string `json:"platform,omitempty"`
	URL      string `json:"url,omitempty"`
	// Author is the keyed pseudonym of the author handle, never the handle.
	Author   string     `json:"author,omitempty"`
	Text     string     `json:"text"`
	Lang     string     `json:"lang,omitempty"`
	PostedAt *time.Time `json:"posted_at,omitempty"`
	Media    []Media    `json:"media,omitempty"`
	// Source names the connector or file the post came from.
	Source string `json:"source,omitempty"`
	// Line is the input line (JSONL) or record (CSV) number, for messages.
	Line int `json:"-"`
	// Extra keeps unknown input fields, so nothing accepted is lost.
	Extra map[string]json.RawMessage `json:"extra,omitempty"`
}

// Pseudonymizer replaces author handles with a keyed hash: the same handle
// gives the same pseudonym under one key (so near-duplicate campaigns can be
// counted by distinct sources) but cannot be reversed without the key. It
// is safe for concurrent use.
type Pseudonymizer struct {
	key []byte
	// macs pools keyed HMACs with their scratch space and a small cache of
	// recent handles: hmac.New hashes the key's pads each time, which cost
	// as much as the hash of a handle, once per post; and a feed repeats
	// its authors.
	macs sync.Pool
}

// pseudonymCacheSize bounds each pooled cache of recent handles: when
// full it is emptied.
const pseudonymCacheSize = 1024

type pooledMAC struct {
	mac   hash.Hash
	in    []byte // platform NUL handle
	sum   [sha256.Size]byte
	cache map[string]string // platform NUL handle -> pseudonym
}

// NewPseudonymizer returns a Pseudonymizer for key. An empty key is allowed
// for one-off scans; deployments set BASIRA_PSEUDONYM_KEY.
func NewPseudonymizer(key []byte) *Pseudonymizer {
	p := &Pseudonymizer{key: append([]byte(nil), key...)}
	p.macs.New = func() any {
		return &pooledMAC{mac: hmac.New(sha256.New, p.key), cache: map[string]string{}}
	}
	return p
}

// Pseudonym returns "a:" followed by 16 hex characters of HMAC-SHA256(key,
// platform + "\x00" + handle). Empty handles stay empty.
func (p *Pseudonymizer) Pseudonym(platform, handle string) string {
	if handle == "" {
		return ""
	}
	m := p.macs.Get().(*pooledMAC)
	defer p.macs.Put(m)
	m.in = append(append(append(m.in[:0], platform...), 0), handle...)
	if s, ok := m.cache[string(m.in)]; ok {
		return s
	}
	m.mac.Reset()
	m.mac.Write(m.in)
	var out [2 + 16]byte
	copy(out[:], "a:")
	hex.Encode(out[2:], m.mac.Sum(m.sum[:0])[:8])
	s := string(out[:])
	if len(m.cache) >= pseudonymCacheSize {
		clear(m.cache)
	}
	m.cache[string(m.in)] = s
	return s
}

// MinKeyBytes is the shortest pseudonymisation key a service accepts.
const MinKeyBytes = 16

// ErrWeakKey refuses a missing or short pseudonymisation key: with it,
// anyone can recompute a handle's pseudonym from a list of handles, and
// the pseudonyms stop protecting the authors.
var ErrWeakKey = errors.New("the pseudonymisation key (BASIRA_PSEUDONYM_KEY or BASIRA_PSEUDONYM_KEY_FILE) is empty or shorter than 16 bytes: pseudonyms made with it can be reversed by hashing candidate handles; set a random key (e.g. openssl rand -hex 32) and keep it secret")

// CheckKey returns ErrWeakKey for a key a service must not run with.
func CheckKey(key []byte) error {
	if len(key) < MinKeyBytes {
		return ErrWeakKey
	}
	return nil
}
