package account

import (
	"sync"
	"time"
)

// maxKeys bounds the failure counters kept at once: past it, expired ones
// are dropped, then the oldest window, so a flood of random names cannot
// grow memory without end.
const maxKeys = 10000

type window struct {
	start time.Time
	n     int
}

// limiter counts failed sign-ins per key in fixed windows.
type limiter struct {
	mu sync.Mutex
	by map[string]*window
}

func newLimiter() *limiter { return &limiter{by: map[string]*window{}} }

// blocked returns how long key stays blocked (0: not blocked) when it
// reached limit failures in its current window.
func (l *limiter) blocked(key string, now time.Time, limit int, win time.Duration) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.by[key]
	if w == nil || now.Sub(w.start) >= win || w.n < limit {
		return 0
	}
	return w.start.Add(win).Sub(now)
}

// fail counts a failure of key and returns the failures of its window.
func (l *limiter) fail(key string, now time.Time, win time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.by[key]
	if w == nil || now.Sub(w.start) >= win {
		if w == nil && len(l.by) >= maxKeys {
			l.prune(now, win)
		}
		w = &window{start: now}
		l.by[key] = w
	}
	w.n++
	return w.n
}

func (l *limiter) prune(now time.Time, win time.Duration) {
	var oldestKey string
	var oldest time.Time
	for k, w := range l.by {
		if now.Sub(w.start) >= win {
			delete(l.by, k)
			continue
		}
		if oldestKey == "" || w.start.Before(oldest) {
			oldestKey, oldest = k, w.start
		}
	}
	if len(l.by) >= maxKeys {
		delete(l.by, oldestKey)
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.by, key)
	l.mu.Unlock()
}
