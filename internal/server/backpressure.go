package server

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// backlogRetryAfter is what a refused push is told to wait.
const backlogRetryAfter = 5 * time.Second

// backlogGate reads the processing backlog (posts or messages waiting for
// a detector worker) at most once a second, so every push can check it.
type backlogGate struct {
	read func(context.Context) (int64, error)
	max  int64
	now  func() time.Time

	mu  sync.Mutex
	at  time.Time
	val int64
}

// level returns the backlog, from the cache when under a second old. A
// backlog that cannot be read counts as 0: the store's own errors answer
// for themselves.
func (g *backlogGate) level(ctx context.Context) int64 {
	if g == nil || g.read == nil {
		return 0
	}
	now := g.now()
	g.mu.Lock()
	if now.Sub(g.at) < time.Second && !g.at.IsZero() {
		v := g.val
		g.mu.Unlock()
		return v
	}
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	v, err := g.read(ctx)
	if err != nil {
		v = 0
	}
	g.mu.Lock()
	g.at, g.val = now, v
	g.mu.Unlock()
	return v
}

// over reports whether the backlog is past the threshold, and writes
// Retry-After on w when it is.
func (g *backlogGate) over(ctx context.Context, w http.ResponseWriter) (int64, bool) {
	if g == nil || g.max <= 0 {
		return 0, false
	}
	n := g.level(ctx)
	if n <= g.max {
		return n, false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(backlogRetryAfter/time.Second)))
	return n, true
}
