package bus

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	keys := make([]int64, 2*MaxKeys+3)
	parts := Split(keys)
	if len(parts) != 3 || len(parts[0]) != MaxKeys || len(parts[2]) != 3 {
		t.Fatalf("Split: %d parts", len(parts))
	}
	if Split(nil) != nil {
		t.Fatal("Split(nil) not empty")
	}
}

func TestMemoryDeliversEveryKeyOnce(t *testing.T) {
	m := NewMemory(MemoryOptions{Capacity: 4})
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = m.Consume(ctx, 3, func(_ context.Context, keys []int64) error {
			mu.Lock()
			for _, k := range keys {
				got[k]++
			}
			mu.Unlock()
			return nil
		})
	}()
	const n = 5000
	for i := int64(0); i < n; i += 100 {
		keys := make([]int64, 100)
		for j := range keys {
			keys[j] = i + int64(j)
		}
		if err := m.Publish(ctx, keys); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, _ := m.Depth(ctx)
		if d == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d distinct keys delivered, want %d", len(got), n)
	}
	for k, c := range got {
		if c != 1 {
			t.Fatalf("key %d delivered %d times", k, c)
		}
	}
}

func TestMemoryRedeliversThenGivesUp(t *testing.T) {
	m := NewMemory(MemoryOptions{MaxDeliver: 3, Backoff: time.Millisecond})
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	go m.Consume(ctx, 1, func(_ context.Context, keys []int64) error {
		if keys[0] == 1 {
			calls.Add(1)
			return errors.New("store down")
		}
		return nil
	})
	if err := m.Publish(ctx, []int64{1}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if c := calls.Load(); c != 3 {
		t.Fatalf("handler called %d times, want 3 (MaxDeliver)", c)
	}
	if d, _ := m.Depth(ctx); d != 0 {
		t.Fatalf("depth %d after giving up", d)
	}
}

func TestMemoryBackPressureAndClose(t *testing.T) {
	m := NewMemory(MemoryOptions{Capacity: 1})
	ctx := context.Background()
	if err := m.Publish(ctx, []int64{1}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := m.Publish(short, []int64{2}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("publish to a full bus: err %v, want the context's deadline", err)
	}
	m.Close()
	if err := m.Publish(ctx, []int64{3}); !errors.Is(err, ErrClosed) {
		t.Fatalf("publish after close: %v", err)
	}
}
