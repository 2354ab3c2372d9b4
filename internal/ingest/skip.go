package ingest

import (
	"context"
	"log/slog"
	"sync"
)

// Skipper is implemented by sinks that count what a source read but did not
// hand on (a malformed event, an item without an identifier, a message of a
// kind Basira does not store). The Supervisor's sink counts per reason, so
// `basira sources preview` and GET /v1/connectors show every drop.
type Skipper interface {
	Skip(reason, detail string)
}

// Skip reports one skipped item to sink (when it counts skips) and logs it.
// reason is a short, stable phrase (the counter's key); detail says which
// item and why, for the log line.
func Skip(sink Sink, source, reason, detail string) {
	if s, ok := sink.(Skipper); ok {
		s.Skip(reason, detail)
		return
	}
	// A sink that does not count still leaves a trace.
	skipLog.log(source, reason, detail)
}

// skipLog logs the first skip of each (source, reason) and then every
// power of ten, so a firehose full of one kind of skip cannot flood the log
// while the counters keep the exact figure.
type skipLogger struct {
	mu sync.Mutex
	n  map[[2]string]int64
}

var skipLog = &skipLogger{n: map[[2]string]int64{}}

func (l *skipLogger) log(source, reason, detail string) {
	l.mu.Lock()
	k := [2]string{source, reason}
	l.n[k]++
	n := l.n[k]
	l.mu.Unlock()
	if !powerOfTen(n) {
		return
	}
	slog.Default().Log(context.Background(), slog.LevelWarn, "ingest: item skipped",
		"source", source, "reason", reason, "detail", detail, "count", n)
}

func powerOfTen(n int64) bool {
	for n >= 10 && n%10 == 0 {
		n /= 10
	}
	return n == 1
}
