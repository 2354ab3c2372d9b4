package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/basira-org/basira/internal/post"
)

// PushOptions limit and complete a push batch.
type PushOptions struct {
	MaxPosts      int // posts per batch
	MaxTextBytes  int // per post (0: post.DefaultMaxTextBytes)
	Source        string
	Pseudonymizer *post.Pseudonymizer
}

// ErrBatchTooLarge is returned by DecodePush for a batch over MaxPosts.
var ErrBatchTooLarge = errors.New("too many posts in one batch")

// DecodePush decodes the body of POST /v1/posts. contentType picks the
// form: application/json takes {"posts": [...]} or a bare array;
// application/x-ndjson (or application/jsonl) takes one post per line. Each
// post is validated as the file decoder validates a JSONL line (id and text
// required, size limits, author pseudonymised); a bad post is reported in
// the item errors, by its index in the batch, and the others are kept. err
// is set only when the body as a whole cannot be read.
func DecodePush(body []byte, contentType string, opts PushOptions) (posts []*post.Post, bad []ItemError, err error) {
	mt := "application/json"
	if contentType != "" {
		var perr error
		mt, _, perr = mime.ParseMediaType(contentType)
		if perr != nil {
			return nil, nil, Errorf(CodeUnsupportedMedia, "cannot read Content-Type %q: %v", contentType, perr)
		}
	}
	var lines []byte
	n := 0
	switch strings.ToLower(mt) {
	case "application/json":
		items, err := splitJSONBatch(body)
		if err != nil {
			return nil, nil, err
		}
		n = len(items)
		if opts.MaxPosts > 0 && n > opts.MaxPosts {
			return nil, nil, fmt.Errorf("%w: %d posts, the limit is %d", ErrBatchTooLarge, n, opts.MaxPosts)
		}
		var buf bytes.Buffer
		buf.Grow(len(body) + n)
		for _, it := range items {
			// Each item goes on one line for the JSONL decoder; only items
			// spread over lines need compacting (it cannot fail: the items
			// were parsed already).
			if bytes.IndexByte(it, '\n') < 0 && bytes.IndexByte(it, '\r') < 0 {
				buf.Write(it)
			} else if err := json.Compact(&buf, it); err != nil {
				return nil, nil, Errorf(CodeInvalidJSON, "%v", err)
			}
			buf.WriteByte('\n')
		}
		lines = buf.Bytes()
	case "application/x-ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines":
		lines = body
		n = bytes.Count(body, []byte{'\n'}) + 1
		if opts.MaxPosts > 0 && n > opts.MaxPosts {
			// Blank lines count too: a cheap upper bound checked first, then
			// the exact count of posts below.
			n = countNonBlankLines(body)
			if n > opts.MaxPosts {
				return nil, nil, fmt.Errorf("%w: %d posts, the limit is %d", ErrBatchTooLarge, n, opts.MaxPosts)
			}
		}
	default:
		return nil, nil, Errorf(CodeUnsupportedMedia, "Content-Type %q: send application/json ({\"posts\": [...]}) or application/x-ndjson (one post per line)", mt)
	}
	dec := post.NewDecoder(bytes.NewReader(lines), post.JSONL, post.Options{
		MaxLineBytes:  len(lines) + 1,
		MaxTextBytes:  opts.MaxTextBytes,
		Pseudonymizer: opts.Pseudonymizer,
		Source:        opts.Source,
		NoLocalPaths:  true,
	})
	index := 0
	for {
		p, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *post.LineError
		if errors.As(err, &le) {
			bad = append(bad, ItemError{Index: index, Message: le.Err.Error()})
			index++
			continue
		}
		if err != nil {
			return nil, nil, Errorf(CodeInvalidJSON, "%v", err)
		}
		if p.Platform == "" {
			bad = append(bad, ItemError{Index: index, ID: p.ID, Message: `missing "platform": posts are identified by (platform, id), so each post must name its platform`})
			index++
			continue
		}
		posts = append(posts, p)
		index++
	}
	return posts, bad, nil
}

func countNonBlankLines(b []byte) int {
	n := 0
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
	}
	return n
}

// splitJSONBatch returns the items of {"posts": [...]} or of a bare array.
func splitJSONBatch(body []byte) ([]json.RawMessage, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	if len(trimmed) == 0 {
		return nil, Errorf(CodeInvalidJSON, `empty body: send {"posts": [{"id": …, "platform": …, "text": …}]}`)
	}
	var items []json.RawMessage
	switch trimmed[0] {
	case '[':
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, Errorf(CodeInvalidJSON, "%s", describeJSONError(err))
		}
	case '{':
		var env struct {
			Posts *[]json.RawMessage `json:"posts"`
		}
		if err := json.Unmarshal(trimmed, &env); err != nil {
			return nil, Errorf(CodeInvalidJSON, "%s", describeJSONError(err))
		}
		if env.Posts == nil {
			return nil, Errorf(CodeInvalidJSON, `the object has no "posts" array: send {"posts": [...]} (or a bare array, or one post per line as application/x-ndjson)`)
		}
		items = *env.Posts
	default:
		return nil, Errorf(CodeInvalidJSON, `the body must be a JSON object {"posts": [...]} or an array of posts`)
	}
	for i, it := range items {
		if t := bytes.TrimSpace(it); len(t) == 0 || t[0] != '{' {
			// Keep the position: the JSONL decoder reports it as a bad item.
			items[i] = json.RawMessage(`"not an object"`)
		}
	}
	return items, nil
}
