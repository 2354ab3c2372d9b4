package ingest

import (
	"context"
	"sync"

	"github.com/basira-org/basira/internal/post"
)

// Collector is a Sink that keeps posts in memory: for dry runs, tests and
// previews of what a source would deliver. Fail, when set, is returned by
// Accept instead of accepting (to exercise a source's retry path).
type Collector struct {
	mu      sync.Mutex
	posts   []*post.Post
	skipped map[string]int
	events  []PostEvent
	Fail    error
}

// PostEvents implements Lifecycler.
func (c *Collector) PostEvents(_ context.Context, _ string, events []PostEvent) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Fail != nil {
		return c.Fail
	}
	c.events = append(c.events, events...)
	return nil
}

// Events returns the lifecycle events accepted so far.
func (c *Collector) Events() []PostEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]PostEvent(nil), c.events...)
}

// Skip implements Skipper.
func (c *Collector) Skip(reason, _ string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.skipped == nil {
		c.skipped = map[string]int{}
	}
	c.skipped[reason]++
}

// Skipped returns the skip counts by reason.
func (c *Collector) Skipped() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.skipped))
	for k, v := range c.skipped {
		out[k] = v
	}
	return out
}

// Accept implements Sink.
func (c *Collector) Accept(_ context.Context, _ string, posts []*post.Post) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Fail != nil {
		return c.Fail
	}
	c.posts = append(c.posts, posts...)
	return nil
}

// Posts returns the posts accepted so far.
func (c *Collector) Posts() []*post.Post {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*post.Post(nil), c.posts...)
}
