package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/post"
)

// State is what an operator sees of one connector.
type State struct {
	Name     string `json:"name"`
	Status   string `json:"status"` // starting | running | backoff | done | stopped
	Posts    int64  `json:"posts"`  // posts accepted since start
	Batches  int64  `json:"batches"`
	Failures int64  `json:"failures"` // runs that ended in an error
	// Skipped counts items read but not handed on, by reason (a malformed
	// event, an item without an id, a kind Basira does not store).
	Skipped map[string]int64 `json:"skipped,omitempty"`
	// Events counts deletions and account takedowns recorded.
	Events    int64     `json:"events,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	LastPost  time.Time `json:"last_post,omitzero"`
	NextRetry time.Time `json:"next_retry,omitzero"`
}

// Supervisor runs sources concurrently. A source whose Run returns nil is
// done (a finite file); one that fails is restarted
// after an exponential back-off with jitter (MinBackoff doubling up to
// MaxBackoff, reset after a run that accepted posts); it never stops the
// others.
type Supervisor struct {
	Sink       Sink
	MinBackoff time.Duration // default 1s
	MaxBackoff time.Duration // default 5m

	mu     sync.Mutex
	states map[string]*State
	wg     sync.WaitGroup
}

// NewSupervisor returns a Supervisor that hands posts to sink.
func NewSupervisor(sink Sink) *Supervisor {
	return &Supervisor{Sink: sink, MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, states: map[string]*State{}}
}

// Start runs src in the background until ctx is done.
func (s *Supervisor) Start(ctx context.Context, src Source) {
	st := &State{Name: src.Name(), Status: "starting"}
	s.mu.Lock()
	s.states[st.Name] = st
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.loop(ctx, src, st)
	}()
}

// Wait blocks until every source has stopped (after ctx is done).
func (s *Supervisor) Wait() { s.wg.Wait() }

// States returns a snapshot of every connector's state, sorted by name.
func (s *Supervisor) States() []State {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]State, 0, len(s.states))
	for _, st := range s.states {
		c := *st
		if st.Skipped != nil {
			c.Skipped = make(map[string]int64, len(st.Skipped))
			for k, v := range st.Skipped {
				c.Skipped[k] = v
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Supervisor) loop(ctx context.Context, src Source, st *State) {
	backoff := s.MinBackoff
	for {
		s.update(st, func(st *State) { st.Status = "running"; st.NextRetry = time.Time{} })
		counter := &countingSink{sink: s.Sink, sup: s, st: st}
		err := src.Run(ctx, counter)
		if ctx.Err() != nil {
			s.update(st, func(st *State) { st.Status = "stopped" })
			return
		}
		if err == nil {
			// A finite source (an export file) has delivered everything.
			s.update(st, func(st *State) { st.Status = "done" })
			return
		}
		if counter.accepted {
			backoff = s.MinBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		s.update(st, func(st *State) {
			st.Status = "backoff"
			st.Failures++
			st.LastError = err.Error()
			st.NextRetry = time.Now().Add(wait)
		})
		select {
		case <-ctx.Done():
			s.update(st, func(st *State) { st.Status = "stopped" })
			return
		case <-time.After(wait):
		}
		backoff = min(backoff*2, s.MaxBackoff)
	}
}

func (s *Supervisor) update(st *State, f func(*State)) {
	s.mu.Lock()
	f(st)
	s.mu.Unlock()
}

// PostEvents implements Lifecycler: events go to the sink when it records
// them (else each is counted as skipped) and are counted on the state.
func (c *countingSink) PostEvents(ctx context.Context, source string, events []PostEvent) error {
	l, ok := c.sink.(Lifecycler)
	if !ok {
		for _, e := range events {
			c.Skip("post event "+e.Kind+" (sink does not record it)", e.Platform+" "+e.ID+e.Author)
		}
		return nil
	}
	if err := l.PostEvents(ctx, source, events); err != nil {
		return err
	}
	c.accepted = true
	c.sup.update(c.st, func(st *State) { st.Events += int64(len(events)) })
	return nil
}

// Skip implements Skipper: counts the skip on the source's state and logs it.
func (c *countingSink) Skip(reason, detail string) {
	c.sup.update(c.st, func(st *State) {
		if st.Skipped == nil {
			st.Skipped = map[string]int64{}
		}
		st.Skipped[reason]++
	})
	skipLog.log(c.st.Name, reason, detail)
}

// countingSink passes batches on and counts them for State.
type countingSink struct {
	sink     Sink
	sup      *Supervisor
	st       *State
	accepted bool
}

func (c *countingSink) Accept(ctx context.Context, source string, posts []*post.Post) error {
	if err := c.sink.Accept(ctx, source, posts); err != nil {
		return err
	}
	c.accepted = true
	c.sup.update(c.st, func(st *State) {
		st.Posts += int64(len(posts))
		st.Batches++
		st.LastPost = time.Now()
	})
	return nil
}

// Summary is the state in one line for a person: status, counts, the
// reasons posts were skipped (sorted by name) and the last
// error.
func (st State) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %d posts, %d events, %d failures", st.Name, st.Status, st.Posts, st.Events, st.Failures)
	if len(st.Skipped) > 0 {
		reasons := make([]string, 0, len(st.Skipped))
		for r := range st.Skipped {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		b.WriteString(", skipped:")
		for i, r := range reasons {
			sep := " "
			if i > 0 {
				sep = "; "
			}
			fmt.Fprintf(&b, "%s%d %s", sep, st.Skipped[r], r)
		}
	}
	if st.LastError != "" {
		fmt.Fprintf(&b, ", last error: %s", st.LastError)
	}
	return b.String()
}
