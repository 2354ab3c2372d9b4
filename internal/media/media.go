// Package media fetches a post's attachments with size and time limits,
// hashes them (SHA-256, MD5 and, when an image hasher is set, PDQ) and, by
// configuration, keeps the bytes as evidence for a retention period.
package media

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/atomicfile"
	"github.com/basira-org/basira/internal/post"
)

// Defaults for fetching.
const (
	DefaultMaxBytes = 20 << 20
	DefaultTimeout  = 20 * time.Second
	// DefaultVideoTimeout bounds decoding one video (at one frame a
	// second, a few seconds a minute of HD video on one core).
	DefaultVideoTimeout = 2 * time.Minute
)

// ErrTooLarge is returned for media over the size limit.
var ErrTooLarge = errors.New("media over the size limit")

// ImageHasher computes a perceptual hash of image bytes (PDQ: 64 hex
// characters and a quality 0-100). It returns an error for non-images.
type ImageHasher func(ctx context.Context, data []byte) (hash string, quality int, err error)

// Fetcher downloads and hashes media.
type Fetcher struct {
	Client   *http.Client  // default: a client with Timeout
	MaxBytes int64         // default DefaultMaxBytes
	Timeout  time.Duration // default DefaultTimeout
	PDQ      ImageHasher   // optional
	// Video, optional, hashes videos (vPDQ) within VideoTimeout (default
	// DefaultVideoTimeout); other attachments are left to PDQ.
	Video        VideoHasher
	VideoTimeout time.Duration
	// OCR, optional, reads the text inside images and videos' key frames
	// (post.Media.OCR), within VideoTimeout.
	OCR TextReader
	// Dir, when set, keeps fetched bytes as evidence under
	// Dir/<sha256[:2]>/<sha256>; Prune removes them after the retention.
	Dir string
	// AllowPrivate lets the default client fetch from loopback, private
	// and link-local addresses. Off, a post cannot make Basira reach into
	// its own network (server-side request forgery).
	AllowPrivate bool
}

// Hash fills m's hashes by fetching its URL. It never reads m.Path: a
// post's local path is read only by HashLocal, inside a folder the
// operator configured (see HashPost).
func (f *Fetcher) Hash(ctx context.Context, m *post.Media) error {
	if m.URL == "" {
		return fmt.Errorf("media path %q: %w", m.Path, ErrLocalPath)
	}
	data, err := f.fetch(ctx, m.URL)
	if err != nil {
		return err
	}
	return f.fill(ctx, m, data, true)
}

// fill sets m's hashes from data and keeps the bytes as evidence when
// keep is set and Dir is configured.
func (f *Fetcher) fill(ctx context.Context, m *post.Media, data []byte, keep bool) error {
	s := sha256.Sum256(data)
	m.SHA256 = hex.EncodeToString(s[:])
	d := md5.Sum(data)
	m.MD5 = hex.EncodeToString(d[:])
	if f.PDQ != nil {
		ctx, cancel := context.WithTimeout(ctx, f.timeout())
		h, q, err := f.PDQ(ctx, data)
		cancel()
		if err == nil {
			m.PDQ, m.Quality = h, q
		}
	}
	if f.Video != nil && m.PDQ == "" && IsVideo(m, data) {
		ctx, cancel := context.WithTimeout(ctx, cmp.Or(f.VideoTimeout, DefaultVideoTimeout))
		sig, err := f.Video(ctx, data)
		cancel()
		if err != nil {
			return fmt.Errorf("video %s: %w", m.SHA256, err)
		}
		m.VPDQ = sig
	}
	if f.Dir != "" && keep {
		if err := f.keep(m.SHA256, data); err != nil {
			return fmt.Errorf("keeping media %s: %w", m.SHA256, err)
		}
	}
	// Last: a picture whose text cannot be read keeps its hashes.
	if f.OCR != nil && (m.PDQ != "" || m.VPDQ != "") {
		ctx, cancel := context.WithTimeout(ctx, cmp.Or(f.VideoTimeout, DefaultVideoTimeout))
		t, err := f.OCR(ctx, data, m.VPDQ != "")
		cancel()
		if err != nil {
			return fmt.Errorf("reading the text in %s: %w", m.SHA256, err)
		}
		m.OCR = t
	}
	return nil
}

func (f *Fetcher) maxBytes() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return DefaultMaxBytes
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

func (f *Fetcher) fetch(ctx context.Context, rawURL string) ([]byte, error) {
	// url names the media in messages: without the credentials a URL may
	// carry (user:password@), which would otherwise reach the logs.
	url := Redact(rawURL)
	if !strings.HasPrefix(rawURL, "http://") && !strings.HasPrefix(rawURL, "https://") {
		return nil, fmt.Errorf("media URL %q: only http and https are fetched", url)
	}
	timeout := f.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("media URL %q: %w", url, errors.Unwrap(err))
	}
	req.Header.Set("User-Agent", "basira/1 (media hashing)")
	client := f.Client
	if client == nil {
		o := ClientOptions{Timeout: timeout}
		if f.AllowPrivate {
			o.AllowDial = func(netip.AddrPort) bool { return true }
		}
		client = NewClient(o)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: HTTP %s", url, resp.Status)
	}
	if resp.ContentLength > f.maxBytes() {
		return nil, fmt.Errorf("%s is %d bytes: %w (%d)", url, resp.ContentLength, ErrTooLarge, f.maxBytes())
	}
	return readLimited(resp.Body, f.maxBytes(), url)
}

// ErrPrivateAddress refuses a fetch from the local network.
var ErrPrivateAddress = errors.New("media URL resolves to a private or local address")

func readLimited(r io.Reader, limit int64, name string) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if n > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes)", name, ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

func (f *Fetcher) keep(sum string, data []byte) error {
	dir := filepath.Join(f.Dir, sum[:2])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, sum)
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		return os.Chtimes(path, now, now) // seen again: the retention restarts
	}
	// A unique temporary name: two workers keeping the same file must
	// not write into one temporary file.
	return atomicfile.WriteFile(path, data, 0o600)
}

// Prune deletes kept media not seen for longer than retention and returns
// how many files it removed.
func (f *Fetcher) Prune(retention time.Duration) (int, error) {
	if f.Dir == "" {
		return 0, nil
	}
	cutoff := time.Now().Add(-retention)
	removed := 0
	err := filepath.WalkDir(f.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.ModTime().Before(cutoff) {
			if err := os.Remove(path); err != nil {
				return err
			}
			removed++
		}
		return nil
	})
	return removed, err
}
