// Package bus carries the keys of stored posts from ingest to the detector
// workers. A message is a batch of post keys; the posts themselves are in
// the store, so a lost message loses no post: the pipeline re-queues posts
// stored but not processed. Two implementations: Memory (in-process, the
// embedded default) and nats (JetStream work queue, for scale-out).
package bus

import (
	"context"
	"errors"
)

// Handler processes one message. Returning nil acknowledges it; an error
// asks for redelivery later (up to the bus's delivery limit). Handlers must
// be idempotent: a message may be delivered more than once.
type Handler func(ctx context.Context, keys []int64) error

// Bus is a work queue of post keys.
type Bus interface {
	// Publish queues keys for processing. It blocks while the queue is
	// full (back-pressure on ingest) until ctx is done.
	Publish(ctx context.Context, keys []int64) error
	// Consume runs h on messages with up to concurrency handlers at once,
	// until ctx is done; it then waits for running handlers and returns.
	Consume(ctx context.Context, concurrency int, h Handler) error
	// Depth returns the messages waiting (not yet acknowledged).
	Depth(ctx context.Context) (int64, error)
	Close() error
}

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("bus closed")

// MaxKeys is the most keys one message carries; publishers split larger
// batches so that one message stays small and is processed quickly.
const MaxKeys = 512

// Split cuts keys into messages of at most MaxKeys.
func Split(keys []int64) [][]int64 {
	var out [][]int64
	for len(keys) > MaxKeys {
		out = append(out, keys[:MaxKeys])
		keys = keys[MaxKeys:]
	}
	if len(keys) > 0 {
		out = append(out, keys)
	}
	return out
}
