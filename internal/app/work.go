package app

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrDrainInterrupted is returned by Ingest when ctx ends while it waits
// for the workers: the stored posts not yet processed are queued again on
// the next start.
var ErrDrainInterrupted = errors.New("interrupted while posts were being processed")

// Work runs the workers and the tasks until ctx is done or the workers
// stop on an error (basira worker), then stops them within Config.Grace.
func (a *App) Work(ctx context.Context, tasks map[string]func(context.Context) error) error {
	g := newGroup(context.WithoutCancel(ctx))
	failed := make(chan error, 1)
	g.Go("workers", func(ctx context.Context) error {
		err := a.Pipeline.Run(ctx)
		failed <- err
		return err
	})
	if a.media != nil && a.Config.Media.KeepDir != "" {
		g.Go("media retention", a.media.retention)
	}
	for name, t := range tasks {
		g.Go(name, t)
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-failed:
	}
	stopErr := a.stop(time.Now().Add(a.Config.Grace), g)
	if runErr != nil {
		return runErr
	}
	if errors.Is(stopErr, ErrShutdownTimeout) {
		return stopErr
	}
	return nil
}

// IngestOptions drive Ingest.
type IngestOptions struct {
	// Feed hands posts to a.Pipeline (the ingest Sink) and returns when
	// they are all accepted.
	Feed func(ctx context.Context) error
	// Fed, when set, is called once Feed returned, before the drain.
	Fed func()
	// Drain waits, after Feed, until every stored post is processed (by
	// the workers here, or by worker processes sharing the bus).
	Drain bool
}

// Ingest runs the workers of this process (Config.Workers > 0) beside
// Feed, then drains when asked, then stops the workers within
// Config.Grace (basira ingest, basira bench ingest).
func (a *App) Ingest(ctx context.Context, o IngestOptions) error {
	work := a.startWork(ctx, a.Config.Workers > 0, nil)
	stop := func(err error) error {
		return errors.Join(err, a.stop(time.Now().Add(a.Config.Grace), work))
	}
	if err := o.Feed(ctx); err != nil {
		return stop(err)
	}
	if o.Fed != nil {
		o.Fed()
	}
	if o.Drain {
		if err := a.drain(ctx); err != nil {
			return stop(err)
		}
	}
	return stop(nil)
}

// drain waits until every stored post is processed.
func (a *App) drain(ctx context.Context) error {
	idleSince := time.Time{}
	for {
		d, err := a.Bus.Depth(ctx)
		if err != nil {
			return err
		}
		if d == 0 {
			keys, err := a.Store.Unprocessed(ctx, 0, time.Now().Add(time.Hour), 1)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				return nil
			}
			// Queue empty yet posts unprocessed: a message was given up on.
			if idleSince.IsZero() {
				idleSince = time.Now()
			} else if time.Since(idleSince) > 2*time.Second {
				if _, err := a.Pipeline.Sweep(ctx, time.Now()); err != nil {
					return err
				}
				idleSince = time.Time{}
			}
		} else {
			idleSince = time.Time{}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrDrainInterrupted, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
