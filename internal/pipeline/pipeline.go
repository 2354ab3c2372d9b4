// Package pipeline is the service's flow: the ingest Sink stores posts
// durably and then queues their keys on the bus; workers take keys from
// the bus, run the same detectors as `basira scan`, and record signals and
// cases in one transaction. A post is acknowledged to its source only once
// stored; processing is idempotent (the store skips posts already
// processed), so redelivery and recovery never duplicate a case.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/basira-org/basira/internal/bus"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
)

// Options configure a Service. Store and Bus are required; Detect may be
// nil for an ingest-only process.
type Options struct {
	Store  store.Store
	Bus    bus.Bus
	Detect *detect.Pipeline
	// Workers is how many bus messages are processed at once (default
	// 2 × GOMAXPROCS: one batch computes while another commits).
	Workers int
	// Actor names this process in the audit log (default "worker:HOST").
	Actor  string
	Logger *slog.Logger
	// SweepEvery is how often posts stored but never processed are
	// re-queued, when the bus is idle (default 30 s); SweepAge is how old
	// such a post must be (default 1 min).
	SweepEvery, SweepAge time.Duration
	// Observe, when set, is called for every post recorded (metrics).
	Observe func(Event)
	// Prepare, when set, runs on each post before the detectors, e.g. to
	// fetch its media and fill in their hashes. It reports whether it
	// changed the post's media, which are then stored with its signals.
	Prepare func(ctx context.Context, p *post.Post) bool
}

// Event describes one processed post, for metrics.
type Event struct {
	Post   *store.Post
	Result store.Processed
	// Latency runs from ingest (the store's ingested_at) to the commit of
	// the post's signals and case.
	Latency time.Duration
	// Detect is the time the detectors took on this post.
	Detect time.Duration
}

// Stats are running totals of one Service.
type Stats struct {
	Accepted, Duplicates, Processed, Skipped, CasesOpened, DetectorErrors, Requeued int64
	// Edited counts stored posts that got a new version; Removed, posts
	// marked deleted or taken down at their source.
	Edited, Removed int64
	// Rejected counts connector posts refused by post.Validate in Accept.
	Rejected int64
}

// Service is the ingest sink and the worker loop.
type Service struct {
	o     Options
	stats struct {
		accepted, duplicates, processed, skipped, opened, detErrors, requeued, edited, removed, rejected atomic.Int64
	}
}

var _ ingest.Sink = (*Service)(nil)

// New returns a Service.
func New(o Options) *Service {
	if o.Workers <= 0 {
		o.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	if o.Actor == "" {
		host, _ := os.Hostname()
		o.Actor = "worker:" + host
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = 30 * time.Second
	}
	if o.SweepAge <= 0 {
		o.SweepAge = time.Minute
	}
	return &Service{o: o}
}

// Stats returns the running totals.
func (s *Service) Stats() Stats {
	return Stats{
		Accepted: s.stats.accepted.Load(), Duplicates: s.stats.duplicates.Load(), Processed: s.stats.processed.Load(),
		Skipped: s.stats.skipped.Load(), CasesOpened: s.stats.opened.Load(), DetectorErrors: s.stats.detErrors.Load(),
		Requeued: s.stats.requeued.Load(), Edited: s.stats.edited.Load(), Removed: s.stats.removed.Load(),
		Rejected: s.stats.rejected.Load(),
	}
}

// Accept stores posts durably, then queues the new ones for the workers.
// It returns nil once the posts are stored, even if queueing fails: the
// posts are safe, and the sweep re-queues them.
//
// Every post is validated first (post.Validate, the same rules for every
// store): a connector's post that fails is logged and left out, and the
// rest of the batch is stored, so one bad post never fails its batch.
func (s *Service) Accept(ctx context.Context, source string, posts []*post.Post) error {
	posts = s.valid(source, posts)
	if len(posts) == 0 {
		return nil
	}
	res, err := s.o.Store.PutPosts(ctx, "ingest:"+source, source, posts)
	if err != nil {
		return err
	}
	s.stats.accepted.Add(int64(len(res.New)))
	s.stats.duplicates.Add(int64(res.Duplicates))
	s.stats.edited.Add(int64(len(res.Edited)))
	// New posts and edited ones (their new version) go to the detectors.
	queue := append(res.New[:len(res.New):len(res.New)], res.Edited...)
	if len(queue) == 0 {
		return nil
	}
	if err := s.o.Bus.Publish(ctx, queue); err != nil {
		s.o.Logger.Warn("pipeline: posts stored but not queued; the recovery sweep will queue them",
			"source", source, "posts", len(queue), "err", err)
	}
	return nil
}

// PostEvents implements ingest.Lifecycler: deletions and account
// takedowns at the source are recorded on the stored posts.
func (s *Service) PostEvents(ctx context.Context, source string, events []ingest.PostEvent) error {
	rs := make([]store.Removal, 0, len(events))
	for _, e := range events {
		rs = append(rs, store.Removal{Platform: e.Platform, ID: e.ID, Author: e.Author, Reason: e.Kind, At: e.At})
	}
	n, err := s.o.Store.RecordRemovals(ctx, "ingest:"+source, rs)
	if err != nil {
		return err
	}
	s.stats.removed.Add(int64(n))
	return nil
}

var _ ingest.Lifecycler = (*Service)(nil)

// valid returns the posts that pass post.Validate, logging the others.
// Decoded posts were validated already; connector-built ones are checked
// here. The slice is copied only when a post is left out.
func (s *Service) valid(source string, posts []*post.Post) []*post.Post {
	var out []*post.Post // nil while every post so far is valid
	for i, p := range posts {
		if err := post.Validate(p, post.MaxStoredTextBytes); err != nil {
			if out == nil {
				out = append(make([]*post.Post, 0, len(posts)), posts[:i]...)
			}
			s.stats.rejected.Add(1)
			s.o.Logger.Warn("pipeline: post refused", "source", source, "err", err)
			continue
		}
		if out != nil {
			out = append(out, p)
		}
	}
	if out == nil {
		return posts
	}
	return out
}

// Run consumes the bus with the detector workers and sweeps for posts left
// unprocessed, until ctx is done. It first re-queues every post stored but
// not processed (recovery after a crash).
func (s *Service) Run(ctx context.Context) error {
	if s.o.Detect == nil {
		return errors.New("pipeline: Run needs detectors (Options.Detect)")
	}
	if _, err := s.Sweep(ctx, time.Now()); err != nil && ctx.Err() == nil {
		s.o.Logger.Error("pipeline: recovery sweep failed; will retry", "err", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.o.SweepEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if d, err := s.o.Bus.Depth(ctx); err != nil || d > 0 {
					continue // only an idle queue proves a post was lost
				}
				if _, err := s.Sweep(ctx, time.Now().Add(-s.o.SweepAge)); err != nil && ctx.Err() == nil {
					s.o.Logger.Error("pipeline: sweep failed", "err", err)
				}
			}
		}
	}()
	err := s.o.Bus.Consume(ctx, s.o.Workers, s.Handle)
	<-done
	return err
}

// Sweep queues posts stored before olderThan and not yet processed, and
// returns how many it queued.
func (s *Service) Sweep(ctx context.Context, olderThan time.Time) (int, error) {
	var after int64
	n := 0
	for {
		keys, err := s.o.Store.Unprocessed(ctx, after, olderThan, 5000)
		if err != nil {
			return n, err
		}
		if len(keys) == 0 {
			break
		}
		if err := s.o.Bus.Publish(ctx, keys); err != nil {
			return n, err
		}
		n += len(keys)
		after = keys[len(keys)-1]
	}
	if n > 0 {
		s.stats.requeued.Add(int64(n))
		s.o.Logger.Info("pipeline: re-queued posts stored but not processed", "posts", n)
	}
	return n, nil
}

// Handle processes one bus message: it runs the detectors on the posts not
// yet processed and records the results in one transaction. It is the bus
// handler, and safe to call more than once with the same keys.
func (s *Service) Handle(ctx context.Context, keys []int64) error {
	posts, err := s.o.Store.PostsByKey(ctx, keys)
	if err != nil {
		return fmt.Errorf("loading %d posts: %w", len(keys), err)
	}
	batch := make([]store.Processing, 0, len(posts))
	todo := posts[:0]
	took := make([]time.Duration, 0, len(posts))
	for _, p := range posts {
		if p.ProcessedAt != nil {
			s.stats.skipped.Add(1)
			continue
		}
		start := time.Now()
		mediaChanged := s.o.Prepare != nil && s.o.Prepare(ctx, &p.Post)
		res, err := s.o.Detect.Run(ctx, &p.Post)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A detector that fails on one post must not block the queue:
			// the post is recorded with the signals found so far, and the
			// failure is logged for the operator.
			s.stats.detErrors.Add(1)
			s.o.Logger.Error("pipeline: detector failed on a post", "post", p.Key, "err", err)
		}
		took = append(took, time.Since(start))
		todo = append(todo, p)
		pr := Decide(p, res)
		// The version read: if an edit lands meanwhile, the store leaves
		// the post for the edit's own message.
		pr.Version = p.Version
		if mediaChanged {
			pr.Media = p.Media
		}
		batch = append(batch, pr)
	}
	if len(batch) == 0 {
		return nil
	}
	out, err := s.o.Store.RecordProcessing(ctx, s.o.Actor, batch)
	if err != nil {
		return err
	}
	now := time.Now()
	for i, r := range out {
		if r.Skipped {
			s.stats.skipped.Add(1)
			continue
		}
		s.stats.processed.Add(1)
		if r.NewCase {
			s.stats.opened.Add(1)
		}
		if s.o.Observe != nil {
			s.o.Observe(Event{Post: todo[i], Result: r, Latency: now.Sub(todo[i].IngestedAt), Detect: took[i]})
		}
	}
	return nil
}

// Decide turns a detection result into what the store records: every
// signal is kept; a post with at least one signal goes to review, in the
// case of its near-duplicate cluster.
func Decide(p *store.Post, res *detect.Result) store.Processing {
	pr := store.Processing{PostKey: p.Key, Platform: p.Platform, Seen: p.IngestedAt}
	if p.PostedAt != nil {
		pr.Seen = *p.PostedAt
	}
	if res == nil || len(res.Signals) == 0 {
		return pr
	}
	pr.Signals = res.Signals
	top := res.Signals[0] // SortSignals put the strongest first
	pr.ClusterKey = ClusterKey(p.Text)
	if sig, err := textsig.Of(p.Text); err == nil {
		pr.Signature = &sig // long enough to fold near-duplicates too
	}
	pr.Category, pr.Severity, pr.Score = top.Label, top.Severity, top.Score
	pr.Priority = SeverityPriority(top.Severity)
	return pr
}

// SeverityPriority maps a signal's severity to a case's base priority.
func SeverityPriority(sev string) int {
	switch sev {
	case detect.High:
		return 3
	case detect.Medium:
		return 2
	case detect.Low:
		return 1
	}
	return 0
}
