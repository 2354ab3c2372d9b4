// Package ingest holds Basira's connectors: sources that bring posts in
// from files, feeds and streaming APIs, and a Supervisor that runs them
// with back-off so one failing source never stops the others.
package ingest

import (
	"context"

	"github.com/basira-org/basira/internal/post"
)

// Sink takes a batch of posts and returns only once they are durably
// stored (or with an error). A source advances its cursor (feed ETag,
// stream cursor, file offset) only after Accept returns nil: this is the
// delivery guarantee — nothing acknowledged is lost.
type Sink interface {
	Accept(ctx context.Context, source string, posts []*post.Post) error
}

// Source is one connector instance. Run reads until ctx is done or a fatal
// error; the Supervisor restarts it with back-off after an error.
type Source interface {
	// Name identifies the instance, e.g. "rss:https://example.org/feed".
	Name() string
	Run(ctx context.Context, sink Sink) error
}
