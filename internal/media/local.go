package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/basira-org/basira/internal/post"
)

// ErrLocalPath refuses a local media path outside what may be read: a
// pushed or file-ingested post can never make the server read its files.
var ErrLocalPath = errors.New("local media paths are read only from an export connector's own folder")

// ExportRoot returns the folder a post's local media paths must lie in,
// from the connector that produced it: only connectors that read exports
// from disk (Telegram Desktop's result.json next to photos/) name local
// files. Every other source (push, file ingest, spool, feeds) has none.
func ExportRoot(source string) (string, bool) {
	rest, ok := strings.CutPrefix(source, "telegram:")
	if !ok || rest == "" {
		return "", false
	}
	abs, err := filepath.Abs(rest)
	if err != nil {
		return "", false
	}
	dir := filepath.Dir(abs)
	if dir == filepath.Dir(dir) { // the file system root is no folder of its own
		return "", false
	}
	return dir, true
}

// HashPost hashes every media of p not hashed yet: URLs are fetched (with
// the SSRF filter), local paths are read only inside ExportRoot(p.Source).
// It reports whether any hash was set and one error per media that could
// not be hashed; p stays usable whatever fails.
func (f *Fetcher) HashPost(ctx context.Context, p *post.Post) (changed bool, errs []error) {
	root, local := ExportRoot(p.Source)
	for i := range p.Media {
		m := &p.Media[i]
		if m.SHA256 != "" {
			continue // hashed already (by the source, or an earlier attempt)
		}
		var err error
		switch {
		case m.Path != "" && local:
			err = f.HashLocal(ctx, m, root)
		case m.URL != "":
			err = f.Hash(ctx, m)
		case m.Path != "":
			err = fmt.Errorf("media[%d] path %q of a post from %q: %w", i, m.Path, p.Source, ErrLocalPath)
		default:
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		changed = true
	}
	return changed, errs
}

// HashLocal fills m's hashes from the local file m.Path, which must be a
// regular file inside root (after symlinks are resolved), no larger than
// MaxBytes, read within Timeout. Devices, FIFOs and sockets are refused
// before a byte is read: opening /dev/ptmx or a FIFO would block a worker
// for ever.
func (f *Fetcher) HashLocal(ctx context.Context, m *post.Media, root string) error {
	data, err := f.readLocal(ctx, m.Path, root)
	if err != nil {
		return err
	}
	return f.fill(ctx, m, data, false)
}

func (f *Fetcher) readLocal(ctx context.Context, path, root string) ([]byte, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("media folder %s: %w", root, err)
	}
	realRoot, err = filepath.Abs(realRoot)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("media path %s: %w", path, err)
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(realRoot, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, fmt.Errorf("media path %s is outside %s: %w", path, root, ErrLocalPath)
	}
	// Non-blocking and no-follow: opening a FIFO or a terminal must not
	// wait, and the last component must not have been swapped for a link
	// since it was resolved.
	file, err := os.OpenFile(real, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, fmt.Errorf("media path %s: %w", path, err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("media path %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("media path %s is not a regular file (%s): %w", path, info.Mode().Type(), ErrLocalPath)
	}
	if info.Size() > f.maxBytes() {
		return nil, fmt.Errorf("%s is %d bytes: %w (%d)", path, info.Size(), ErrTooLarge, f.maxBytes())
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	return readLimited(ctxReader{ctx, file}, f.maxBytes(), path)
}

// ctxReader stops a read between chunks once ctx is done, so a slow disk
// (a network mount) cannot hold a worker past its deadline.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, fmt.Errorf("deadline: %w", err)
	}
	return c.r.Read(p[:min(len(p), 256<<10)])
}

// Redact returns a URL without the password of its user information, for
// messages and logs. A string that does not parse is returned with
// everything before an '@' in its authority hidden.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err == nil {
		if u.User == nil {
			return raw
		}
		return u.Redacted()
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			return raw[:i+3] + "xxxxx@" + rest[at+1:]
		}
	}
	return raw
}
