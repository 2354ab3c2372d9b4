// Package nats is the scale-out bus: a NATS JetStream stream with
// work-queue retention and one durable pull consumer shared by every
// worker process, so each message goes to one worker and `basira worker`
// processes can be added or removed freely. A message not acknowledged in
// time (the worker died) is delivered again to another worker.
package nats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/basira-org/basira/internal/bus"
)

// Options name the stream and tune delivery. Zero values take defaults.
type Options struct {
	Stream   string        // default BASIRA_POSTS
	Subject  string        // default basira.posts
	Consumer string        // durable consumer name, default basira-workers
	AckWait  time.Duration // time a worker has to finish a message (default 30 s)
	// MaxDeliver bounds deliveries of one message (default 10); after that
	// its posts wait for the recovery sweep.
	MaxDeliver int
	// MaxMessages bounds the stream (default DefaultMaxMessages). Past it
	// a publish is refused, not an old message dropped: the posts are
	// stored already, and the recovery sweep queues them once the queue
	// has drained. The API's back-pressure (server.Config.MaxBacklog)
	// should answer 503 well before the bound.
	MaxMessages int64
	Logger      *slog.Logger
}

// DefaultMaxMessages bounds the work queue: 100,000 messages of up to
// bus.MaxKeys post keys each.
const DefaultMaxMessages = 100_000

// Bus is a JetStream work queue of post keys.
type Bus struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	o    Options
	cons jetstream.Consumer
}

var _ bus.Bus = (*Bus)(nil)

// ParseURL reads a bus address: nats://HOST:PORT, with optional query
// parameters stream, subject and consumer that override o's names (to keep
// several deployments apart on one server).
func ParseURL(raw string, o Options) (server string, _ Options, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", o, fmt.Errorf("reading the NATS address: %w", err)
	}
	q := u.Query()
	if v := q.Get("stream"); v != "" {
		o.Stream = v
	}
	if v := q.Get("subject"); v != "" {
		o.Subject = v
	}
	if v := q.Get("consumer"); v != "" {
		o.Consumer = v
	}
	u.RawQuery = ""
	return u.String(), o, nil
}

// Open connects to the NATS server at url (nats://HOST:PORT[?stream=…])
// and creates the stream and the consumer if they do not exist.
func Open(ctx context.Context, rawURL string, o Options) (*Bus, error) {
	server, o, err := ParseURL(rawURL, o)
	if err != nil {
		return nil, err
	}
	if o.Stream == "" {
		o.Stream = "BASIRA_POSTS"
	}
	if o.Subject == "" {
		o.Subject = "basira.posts"
	}
	if o.Consumer == "" {
		o.Consumer = "basira-workers"
	}
	if o.AckWait <= 0 {
		o.AckWait = 30 * time.Second
	}
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = 10
	}
	if o.MaxMessages <= 0 {
		o.MaxMessages = DefaultMaxMessages
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	log := o.Logger
	nc, err := nats.Connect(server, nats.Name("basira"), nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats: disconnected; reconnecting", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("nats: reconnected") }))
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w (is nats-server running with -js?)", bus.Redact(server), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        o.Stream,
		Description: "Basira: keys of stored posts waiting for the detector workers",
		Subjects:    []string{o.Subject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxMsgs:     o.MaxMessages,
		Discard:     jetstream.DiscardNew,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("creating the JetStream stream %s (is JetStream enabled on the server?): %w", o.Stream, err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, o.Stream, jetstream.ConsumerConfig{
		Durable:       o.Consumer,
		Description:   "Basira detector workers",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       o.AckWait,
		MaxDeliver:    o.MaxDeliver,
		MaxAckPending: 10000,
		FilterSubject: o.Subject,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("creating the JetStream consumer %s: %w", o.Consumer, err)
	}
	return &Bus{nc: nc, js: js, o: o, cons: cons}, nil
}

// Publish sends keys in messages of at most bus.MaxKeys and waits for the
// stream to acknowledge each (the message is then on the server's disk).
func (b *Bus) Publish(ctx context.Context, keys []int64) error {
	for _, part := range bus.Split(keys) {
		data, err := json.Marshal(part)
		if err != nil {
			return err
		}
		if _, err := b.js.Publish(ctx, b.o.Subject, data); err != nil {
			return fmt.Errorf("publishing %d post keys to %s: %w", len(part), b.o.Subject, err)
		}
	}
	return nil
}

// Consume pulls messages with concurrency handlers until ctx is done.
// Handlers that are running when ctx ends finish their message.
func (b *Bus) Consume(ctx context.Context, concurrency int, h bus.Handler) error {
	concurrency = max(1, concurrency)
	it, err := b.cons.Messages(jetstream.PullMaxMessages(2 * concurrency))
	if err != nil {
		return fmt.Errorf("consuming %s: %w", b.o.Stream, err)
	}
	stop := sync.OnceFunc(it.Stop)
	go func() {
		<-ctx.Done()
		stop()
	}()
	defer stop()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := it.Next()
				if err != nil {
					if errors.Is(err, jetstream.ErrMsgIteratorClosed) || ctx.Err() != nil {
						return
					}
					b.o.Logger.Warn("nats: waiting for messages", "err", err)
					time.Sleep(100 * time.Millisecond)
					continue
				}
				b.handle(context.WithoutCancel(ctx), h, m)
			}
		}()
	}
	wg.Wait()
	return nil
}

func (b *Bus) handle(ctx context.Context, h bus.Handler, m jetstream.Msg) {
	var keys []int64
	if err := json.Unmarshal(m.Data(), &keys); err != nil {
		b.o.Logger.Error("nats: dropping a message that is not a list of post keys", "err", err)
		_ = m.Term()
		return
	}
	hctx, cancel := context.WithTimeout(ctx, b.o.AckWait)
	err := h(hctx, keys)
	cancel()
	if err == nil {
		if err := m.DoubleAck(ctx); err != nil {
			// The work is recorded; a redelivery will be skipped as done.
			b.o.Logger.Warn("nats: acknowledging a message failed; it may be delivered again", "err", err)
		}
		return
	}
	n := uint64(1)
	if md, e := m.Metadata(); e == nil {
		n = md.NumDelivered
	}
	delay := min(time.Duration(1<<min(n, 8))*100*time.Millisecond, 30*time.Second)
	b.o.Logger.Warn("nats: handler failed, message will be delivered again", "keys", len(keys), "delivery", n, "retry_in", delay, "err", err)
	_ = m.NakWithDelay(delay)
}

// Depth returns the messages not yet acknowledged: waiting plus in
// progress.
func (b *Bus) Depth(ctx context.Context) (int64, error) {
	info, err := b.cons.Info(ctx)
	if err != nil {
		return 0, err
	}
	return int64(info.NumPending) + int64(info.NumAckPending), nil
}

// DeleteStream removes the stream and its consumer (tests, and operators
// resetting a deployment).
func (b *Bus) DeleteStream(ctx context.Context) error {
	return b.js.DeleteStream(ctx, b.o.Stream)
}

// Close drains the connection.
func (b *Bus) Close() error {
	if b.nc.IsClosed() {
		return nil
	}
	return b.nc.Drain()
}
