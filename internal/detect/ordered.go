package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"

	"github.com/basira-org/basira/internal/post"
)

// RunOrdered reads posts with next on the calling goroutine (until io.EOF),
// runs the pipeline on workers goroutines and hands each post, its result
// and its detector error (the error policy of Run: the result holds what
// the other detectors found) to emit in input order. It stops at the first
// error of next or emit.
func (p *Pipeline) RunOrdered(ctx context.Context, workers int, next func() (*post.Post, error), emit func(*post.Post, *Result, error) error) error {
	return RunOrderedFrom(ctx, p, workers, next, func(pp *post.Post) (*post.Post, error) { return pp, nil }, false,
		func(pp *post.Post, res *Result, _ []byte, err error) error { return emit(pp, res, err) })
}

// RunOrderedFrom is RunOrdered for records that the workers turn into
// posts: next reads records in order on one goroutine (cheaply: a line),
// decode makes each a post on the workers, so decoding is spread over the
// cores too. A record decode refuses reaches emit with a nil post and
// result and decode's error, in its place in the order. With encodeJSON
// the workers also encode each result as one JSON line (json.Encoder's
// output), handed to emit (valid only during the call), which is left with
// writing it; an encoding
// error stops the run as an error of emit would.
func RunOrderedFrom[R any](ctx context.Context, p *Pipeline, workers int, next func() (R, error), decode func(R) (*post.Post, error), encodeJSON bool, emit func(pp *post.Post, res *Result, encoded []byte, err error) error) error {
	type job struct {
		rec    R
		p      *post.Post
		res    *Result
		err    error
		encErr error
		out    *bytes.Buffer // the encoded result, with encodeJSON
		enc    *json.Encoder // writes to out
		done   chan struct{} // one value when the job is done
	}
	// Jobs are reused once emitted: no allocation per post for them.
	pool := sync.Pool{New: func() any {
		j := &job{done: make(chan struct{}, 1), out: new(bytes.Buffer)}
		j.enc = json.NewEncoder(j.out)
		return j
	}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers = max(workers, 1)
	jobs := make(chan *job, workers*16)
	order := make(chan *job, workers*16)
	for range workers {
		go func() {
			var zero R
			for j := range jobs {
				j.p, j.err = decode(j.rec)
				j.rec = zero
				if j.err == nil {
					j.res, j.err = p.Run(ctx, j.p)
					if encodeJSON && j.res != nil {
						j.out.Reset()
						j.encErr = j.enc.Encode(j.res)
					}
				}
				j.done <- struct{}{}
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		defer close(order)
		for {
			rec, err := next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				readErr <- err
				return
			}
			j := pool.Get().(*job)
			j.rec = rec
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
		if j.encErr != nil {
			cancel()
			return j.encErr
		}
		var encoded []byte
		if encodeJSON && j.res != nil {
			encoded = j.out.Bytes()
		}
		if err := emit(j.p, j.res, encoded, j.err); err != nil {
			cancel()
			return err
		}
		if j.out.Cap() > 64<<10 {
			j.out = new(bytes.Buffer) // a huge result: do not keep its buffer
			j.enc = json.NewEncoder(j.out)
		}
		*j = job{done: j.done, out: j.out, enc: j.enc}
		pool.Put(j)
	}
	return <-readErr
}
