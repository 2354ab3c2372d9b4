package detect

import (
	"context"
	"errors"
	"io"

	"github.com/basira-org/basira/internal/post"
)

// RunOrdered reads posts with next on the calling goroutine (until io.EOF),
// runs the pipeline on workers goroutines and hands each post, its result
// and its detector error (the error policy of Run: the result holds what
// the other detectors found) to emit in input order. It stops at the first
// error of next or emit.
func (p *Pipeline) RunOrdered(ctx context.Context, workers int, next func() (*post.Post, error), emit func(*post.Post, *Result, error) error) error {
	type job struct {
		p    *post.Post
		res  *Result
		err  error
		done chan struct{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers = max(workers, 1)
	jobs := make(chan *job, workers*4)
	order := make(chan *job, workers*4)
	for range workers {
		go func() {
			for j := range jobs {
				j.res, j.err = p.Run(ctx, j.p)
				close(j.done)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		defer close(order)
		for {
			pp, err := next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				readErr <- err
				return
			}
			j := &job{p: pp, done: make(chan struct{})}
			select {
			case order <- j:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
			jobs <- j
		}
	}()
	for j := range order {
		<-j.done
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(j.p, j.res, j.err); err != nil {
			cancel()
			return err
		}
	}
	return <-readErr
}
