package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/basira-org/basira/internal/post"
)

// postReader reads the posts of one input file (or stdin for "-") for scan
// and ingest: a line that cannot be read is reported on stderr, prefixed
// with the file's name, and counted, and reading goes on with the next.
type postReader struct {
	dec      *post.Decoder
	file     *os.File // nil for stdin
	prefix   string   // "NAME: " before messages, "" for stdin
	stderr   io.Writer
	rejected *int // the caller's count of rejected lines
}

// openPosts opens name for reading posts in format, or in the format its
// name and first bytes suggest when format is "".
func openPosts(env *Env, name string, format post.Format, opts post.Options, rejected *int) (*postReader, error) {
	if err := checkInputFormat(format); err != nil {
		return nil, err
	}
	pr := &postReader{stderr: env.Stderr, rejected: rejected}
	var r io.Reader = env.Stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		pr.file, r = file, file
		pr.prefix = name + ": "
	}
	br := bufio.NewReaderSize(r, 256<<10)
	if format == "" {
		format = post.SniffFormat(name, br)
	}
	pr.dec = post.NewDecoder(br, format, opts)
	return pr, nil
}

// next returns the next post, io.EOF at the end, or an error (prefixed
// with the file's name) that stops reading the file.
func (pr *postReader) next() (*post.Post, error) {
	for {
		p, err := pr.dec.Next()
		var le *post.LineError
		if errors.As(err, &le) {
			pr.reject(le)
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s%w", pr.prefix, err)
		}
		return p, err
	}
}

// nextRaw reads the next record without decoding it (see
// post.Decoder.NextRaw): io.EOF at the end, or an error (prefixed with
// the file's name) that stops reading the file.
func (pr *postReader) nextRaw() (post.Raw, error) {
	r, err := pr.dec.NextRaw()
	if err != nil && !errors.Is(err, io.EOF) {
		return r, fmt.Errorf("%s%w", pr.prefix, err)
	}
	return r, err
}

// reject reports a line that could not be read, as next does.
func (pr *postReader) reject(le *post.LineError) {
	*pr.rejected++
	fmt.Fprintf(pr.stderr, "%s%v\n", pr.prefix, le)
}

// close closes the file (not stdin).
func (pr *postReader) close() {
	if pr.file != nil {
		pr.file.Close()
	}
}
