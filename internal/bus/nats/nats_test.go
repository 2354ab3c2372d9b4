package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var streamN atomic.Int64

// openTest opens a bus on a stream of its own on the server named by
// BASIRA_TEST_NATS, deleted when the test ends.
func openTest(t *testing.T, o Options) (*Bus, string) {
	t.Helper()
	server := os.Getenv("BASIRA_TEST_NATS")
	if server == "" {
		t.Skip("BASIRA_TEST_NATS not set (e.g. nats://127.0.0.1:4222): skipping NATS tests")
	}
	name := fmt.Sprintf("BASIRA_TEST_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, streamN.Add(1))
	url := fmt.Sprintf("%s?stream=%s&subject=%s", server, name, "test."+name)
	o.Logger = slog.New(slog.DiscardHandler)
	b, err := Open(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.DeleteStream(context.Background()); err != nil {
			t.Error(err)
		}
		b.Close()
	})
	return b, url
}

func waitDepth(t *testing.T, b *Bus, want int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := b.Depth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if d == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("depth %d, want %d", d, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWorkQueueSharedByWorkers(t *testing.T) {
	b, url := openTest(t, Options{})
	ctx := context.Background()
	const n = 3000
	for i := int64(0); i < n; i += 300 {
		keys := make([]int64, 300)
		for j := range keys {
			keys[j] = i + int64(j)
		}
		if err := b.Publish(ctx, keys); err != nil {
			t.Fatal(err)
		}
	}
	waitDepth(t, b, (n+299)/300)
	// Two "processes" (two connections) share the queue.
	b2, err := Open(ctx, url, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	var mu sync.Mutex
	got := map[int64]int{}
	per := map[int]int{}
	cctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, bb := range []*Bus{b, b2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bb.Consume(cctx, 2, func(_ context.Context, keys []int64) error {
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				defer mu.Unlock()
				per[i]++
				for _, k := range keys {
					got[k]++
				}
				return nil
			})
		}()
	}
	waitDepth(t, b, 0)
	cancel()
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d keys delivered, want %d", len(got), n)
	}
	for k, c := range got {
		if c != 1 {
			t.Fatalf("key %d delivered %d times", k, c)
		}
	}
	if per[0] == 0 || per[1] == 0 {
		t.Errorf("one worker got nothing: %v", per)
	}
}

func TestRedeliveryAfterFailureAndCrash(t *testing.T) {
	b, url := openTest(t, Options{AckWait: time.Second})
	ctx := context.Background()
	if err := b.Publish(ctx, []int64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	// A worker takes the message and "dies" (its connection closes
	// without an acknowledgement).
	dead, err := Open(ctx, url, Options{AckWait: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	took := make(chan struct{})
	dctx, dcancel := context.WithCancel(ctx)
	go dead.Consume(dctx, 1, func(context.Context, []int64) error {
		close(took)
		dead.nc.Close()
		<-dctx.Done()
		return errors.New("dead")
	})
	<-took
	dcancel()
	// A live worker fails once, then succeeds.
	var calls atomic.Int32
	done := make(chan []int64, 1)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go b.Consume(cctx, 1, func(_ context.Context, keys []int64) error {
		if calls.Add(1) == 1 {
			return errors.New("database busy")
		}
		done <- keys
		return nil
	})
	select {
	case keys := <-done:
		if fmt.Sprint(keys) != "[1 2 3]" {
			t.Fatalf("keys %v", keys)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("message not redelivered after a crash and a failure")
	}
	waitDepth(t, b, 0)
}

func TestParseURL(t *testing.T) {
	s, o, err := ParseURL("nats://127.0.0.1:4222?stream=S&consumer=C", Options{Subject: "x"})
	if err != nil || s != "nats://127.0.0.1:4222" || o.Stream != "S" || o.Consumer != "C" || o.Subject != "x" {
		t.Fatalf("%s %+v %v", s, o, err)
	}
}

// TestStreamBounded reproduces issue 15 item 10: the stream had no size
// limit. Past MaxMessages a publish is refused (the posts stay stored and
// unprocessed, and the recovery sweep queues them once the queue drains).
func TestStreamBounded(t *testing.T) {
	b, _ := openTest(t, Options{MaxMessages: 3})
	ctx := context.Background()
	for i := range 3 {
		if err := b.Publish(ctx, []int64{int64(i + 1)}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if err := b.Publish(ctx, []int64{4}); err == nil {
		t.Fatal("a fourth message was taken by a stream bounded at 3")
	}
	waitDepth(t, b, 3)
}
