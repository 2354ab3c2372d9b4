package ingest

import (
	"context"
	"errors"
	"io"

	"github.com/basira-org/basira/internal/post"
)

// Batches reads posts with next until io.EOF and hands them to accept in
// batches of size, in order. What was read is accepted before Batches
// returns, also when next fails or ctx ends (then with that error), so a
// run stopped half-way can be resumed.
func Batches(ctx context.Context, next func() (*post.Post, error), size int, accept func([]*post.Post) error) error {
	batch := make([]*post.Post, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := accept(batch); err != nil {
			return err
		}
		batch = make([]*post.Post, 0, size)
		return nil
	}
	for {
		p, err := next()
		switch {
		case errors.Is(err, io.EOF):
			return flush()
		case err != nil:
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return err
		}
		batch = append(batch, p)
		if len(batch) == size {
			if err := flush(); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			if err := flush(); err != nil {
				return err
			}
			return ctx.Err()
		}
	}
}
