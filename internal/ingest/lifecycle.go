package ingest

import (
	"context"
	"fmt"
	"time"
)

// Kinds of PostEvent.
const (
	// EventDeleted: the post was deleted at its source (by its author or
	// the platform).
	EventDeleted = "deleted"
	// EventAccountPrefix + a platform's status ("takendown", "suspended",
	// "deleted", "deactivated"): the author's account is no longer active,
	// so none of its posts are visible at the source any more.
	EventAccountPrefix = "account_"
)

// PostEvent is a change in a stored post's life at its source: "was it
// taken down?" is what a referral needs to know. An account event names
// the author (pseudonymised like Post.Author) instead of a post.
type PostEvent struct {
	Platform string    `json:"platform"`
	ID       string    `json:"id,omitempty"`     // the post, as stored
	Author   string    `json:"author,omitempty"` // for account events
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
}

// Lifecycler is implemented by sinks that record deletions and account
// takedowns (the store). Edits need no separate call: a connector hands an
// edited post to Accept again with extra.edited_at set, and a store that
// versions posts keeps the earlier text.
type Lifecycler interface {
	PostEvents(ctx context.Context, source string, events []PostEvent) error
}

// Lifecycle hands events to sink when it records them, and otherwise
// counts each as skipped, so a deletion is never lost silently.
func Lifecycle(ctx context.Context, sink Sink, source string, events ...PostEvent) error {
	if len(events) == 0 {
		return nil
	}
	if l, ok := sink.(Lifecycler); ok {
		return l.PostEvents(ctx, source, events)
	}
	for _, e := range events {
		Skip(sink, source, "post event "+e.Kind+" (sink does not record it)", fmt.Sprintf("%s %s%s", e.Platform, e.ID, e.Author))
	}
	return nil
}
