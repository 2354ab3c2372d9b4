package bus

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Memory is the in-process bus: a bounded channel. It keeps nothing across
// a restart; the pipeline's recovery re-queues what was stored but not
// processed.
type Memory struct {
	ch         chan msg
	depth      atomic.Int64
	closeOnce  sync.Once
	done       chan struct{}
	maxDeliver int
	backoff    time.Duration
	log        *slog.Logger
}

type msg struct {
	keys    []int64
	attempt int
}

// MemoryOptions tune NewMemory. Zero values take the defaults.
type MemoryOptions struct {
	Capacity   int           // messages queued before Publish blocks (default 1024)
	MaxDeliver int           // deliveries of one message before it is dropped (default 5)
	Backoff    time.Duration // delay before the first redelivery, doubled each time (default 100 ms)
	Logger     *slog.Logger
}

// NewMemory returns an in-process bus.
func NewMemory(o MemoryOptions) *Memory {
	if o.Capacity <= 0 {
		o.Capacity = 1024
	}
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Memory{ch: make(chan msg, o.Capacity), done: make(chan struct{}), maxDeliver: o.MaxDeliver, backoff: o.Backoff, log: o.Logger}
}

var _ Bus = (*Memory)(nil)

// Publish queues keys, split into messages of at most MaxKeys.
func (m *Memory) Publish(ctx context.Context, keys []int64) error {
	for _, part := range Split(keys) {
		if err := m.send(ctx, msg{keys: part, attempt: 1}); err != nil {
			return err
		}
	}
	return nil
}

func (m *Memory) send(ctx context.Context, x msg) error {
	select {
	case <-m.done:
		return ErrClosed
	default:
	}
	m.depth.Add(1)
	select {
	case m.ch <- x:
		return nil
	case <-ctx.Done():
		m.depth.Add(-1)
		return ctx.Err()
	case <-m.done:
		m.depth.Add(-1)
		return ErrClosed
	}
}

// Consume runs h on messages until ctx is done or the bus is closed.
func (m *Memory) Consume(ctx context.Context, concurrency int, h Handler) error {
	var wg sync.WaitGroup
	for range max(1, concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-m.done:
					return
				case x := <-m.ch:
					m.handle(context.WithoutCancel(ctx), h, x)
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

func (m *Memory) handle(ctx context.Context, h Handler, x msg) {
	err := h(ctx, x.keys)
	m.depth.Add(-1)
	if err == nil || ctx.Err() != nil {
		return
	}
	if x.attempt >= m.maxDeliver {
		m.log.Error("bus: giving up on a message; its posts stay unprocessed until the next recovery sweep",
			"keys", len(x.keys), "first_key", x.keys[0], "attempts", x.attempt, "err", err)
		return
	}
	delay := m.backoff << (x.attempt - 1)
	m.log.Warn("bus: handler failed, will redeliver", "keys", len(x.keys), "attempt", x.attempt, "retry_in", delay, "err", err)
	x.attempt++
	go func() {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			_ = m.send(context.Background(), x)
		case <-m.done:
		}
	}()
}

// Depth returns the messages queued or being handled.
func (m *Memory) Depth(context.Context) (int64, error) { return m.depth.Load(), nil }

// Close stops Publish and Consume; queued messages are dropped (their
// posts are re-queued by recovery on the next start).
func (m *Memory) Close() error {
	m.closeOnce.Do(func() { close(m.done) })
	return nil
}
