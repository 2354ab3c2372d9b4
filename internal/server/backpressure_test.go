package server

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/server/auth"
)

// TestBacklogBackPressure reproduces issue 15 item 10: with PostgreSQL +
// NATS the API answered 200 while a 373,000-post backlog built up. Past
// the backlog threshold, push and /readyz answer 503 with Retry-After,
// and /metrics shows the backlog and the threshold.
func TestBacklogBackPressure(t *testing.T) {
	var backlog atomic.Int64
	now := time.Now()
	var clock atomic.Int64
	e := newEnv(t, Config{PseudonymKey: []byte("k"), MaxBacklog: 1000,
		Backlog: func(context.Context) (int64, error) { return backlog.Load(), nil },
		Now:     func() time.Time { return now.Add(time.Duration(clock.Load())) }}, nil)
	backlog.Store(10)
	if code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(5, 0, "x")); code != 200 {
		t.Fatalf("under the threshold: %d %s", code, b)
	}
	backlog.Store(5000)
	clock.Add(int64(2 * time.Second)) // past the 1 s cache
	code, b, h := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(5, 100, "x"))
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(string(b), "backlog") {
		t.Fatalf("over the threshold: %d %s (Retry-After %q)", code, b, h.Get("Retry-After"))
	}
	if c, _ := e.db.Counts(context.Background()); c.Posts != 5 {
		t.Fatalf("a refused batch was stored: %d posts", c.Posts)
	}
	code, _, h = e.do("", "GET", "/readyz", "", nil)
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Fatalf("readyz over the threshold: %d", code)
	}
	_, m, _ := e.do("", "GET", "/metrics", "", nil)
	if !strings.Contains(string(m), "basira_backlog 5000") || !strings.Contains(string(m), "basira_backlog_limit 1000") {
		t.Fatalf("metrics:\n%s", grep(string(m), "backlog"))
	}
	backlog.Store(0)
	clock.Add(int64(2 * time.Second))
	if code, _, _ := e.do("", "GET", "/readyz", "", nil); code != 200 {
		t.Fatalf("readyz once drained: %d", code)
	}
}
