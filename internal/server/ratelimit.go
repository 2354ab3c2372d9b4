package server

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds one token bucket per API token for ingest. A push of n
// posts takes n tokens from its bucket, so the limit is in posts per second
// whatever the batch size.
type limiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes n from key's bucket; when it cannot, it returns how long to
// wait before retrying.
func (l *limiter) allow(key string, n int, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	if n > l.burst {
		// A batch larger than the bucket could never pass: let the batch
		// cap (MaxPushPosts) judge it instead.
		n = l.burst
	}
	r := b.ReserveN(now, n)
	if !r.OK() {
		return false, time.Second
	}
	d := r.DelayFrom(now)
	if d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// retryAfter formats d as whole seconds, at least 1.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
