package cli

import (
	"errors"
	"fmt"

	"github.com/basira-org/basira/internal/post"
)

// postReader is post.Reader with the command's stderr and its count of
// rejected lines.
type postReader struct {
	*post.Reader
	rejected *int
}

// openPosts opens name for reading posts in format, or in the format its
// name and first bytes suggest when format is "" (post.Open); rejected
// lines are reported on stderr and added to *rejected.
func openPosts(env *Env, name string, format post.Format, opts post.Options, rejected *int) (*postReader, error) {
	pr := &postReader{rejected: rejected}
	r, err := post.Open(name, env.Stdin, format, opts, func(msg string) {
		*pr.rejected++
		fmt.Fprintln(env.Stderr, msg)
	})
	if errors.Is(err, post.ErrFormat) {
		return nil, Usagef("--input-format %q: want jsonl, csv or tsv", string(format))
	}
	pr.Reader = r
	return pr, err
}

func (pr *postReader) next() (*post.Post, error)  { return pr.Next() }
func (pr *postReader) nextRaw() (post.Raw, error) { return pr.NextRaw() }
func (pr *postReader) reject(le *post.LineError)  { pr.Reject(le) }
func (pr *postReader) close()                     { pr.Close() }
