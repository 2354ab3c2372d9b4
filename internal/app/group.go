package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// ErrShutdownTimeout is returned when a stage did not finish within the
// shutdown deadline; the process stops anyway rather than hang.
var ErrShutdownTimeout = errors.New("shutdown deadline passed")

// group runs the goroutines of one stage (connectors, workers, background
// loops) under a context the stage's owner cancels, and waits for them
// with a deadline. The first error a goroutine returns is kept.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	err     error
	running map[string]int
}

func newGroup(parent context.Context) *group {
	ctx, cancel := context.WithCancel(parent)
	return &group{ctx: ctx, cancel: cancel, running: map[string]int{}}
}

// Go runs f(ctx) in the group; name identifies it when it outlives the
// deadline.
func (g *group) Go(name string, f func(ctx context.Context) error) {
	g.wg.Add(1)
	g.mu.Lock()
	g.running[name]++
	g.mu.Unlock()
	go func() {
		defer g.wg.Done()
		err := f(g.ctx)
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.running[name]--; g.running[name] == 0 {
			delete(g.running, name)
		}
		if err != nil && g.err == nil && !errors.Is(err, context.Canceled) {
			g.err = fmt.Errorf("%s: %w", name, err)
		}
	}()
}

// Stop cancels the group and waits until its goroutines return or the
// deadline passes; then it names those still running.
func (g *group) Stop(deadline time.Time) error {
	g.cancel()
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-done:
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.err
	case <-t.C:
		g.mu.Lock()
		defer g.mu.Unlock()
		names := make([]string, 0, len(g.running))
		for n := range g.running {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("%w: still running: %v", ErrShutdownTimeout, names)
	}
}

// Err is the first error a goroutine of the group returned so far.
func (g *group) Err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}
