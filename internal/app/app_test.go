package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
)

// wordDetector flags posts containing a word.
type wordDetector struct{ word string }

func (d wordDetector) Name() string { return "word" }
func (d wordDetector) Detect(_ context.Context, in *detect.Input) ([]detect.Signal, error) {
	if strings.Contains(in.Post.Text, d.word) {
		return []detect.Signal{{Detector: "word", Label: "test", Score: 1, Severity: "high"}}, nil
	}
	return nil, nil
}

func testConfig(t *testing.T, workers int) *config.Config {
	t.Helper()
	return &config.Config{Home: t.TempDir(), Store: "sqlite:" + filepath.Join(t.TempDir(), "b.db"), Bus: "memory",
		Workers: workers, Grace: 2 * time.Second, Addr: "127.0.0.1:0"}
}

func open(t *testing.T, cfg *config.Config, dets ...detect.Detector) *App {
	t.Helper()
	a, err := Open(context.Background(), cfg, Options{Mode: OpenRun,
		Detectors: func(context.Context) (*detect.Pipeline, error) { return detect.NewPipeline(dets...), nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func posts(n int, word string) []*post.Post {
	var ps []*post.Post
	for i := range n {
		text := fmt.Sprintf("ordinary post %d", i)
		if i%2 == 0 {
			text += " " + word
		}
		ps = append(ps, &post.Post{ID: fmt.Sprint(i), Platform: "x", Text: text})
	}
	return ps
}

func TestOpenWithoutWorkersOnMemoryBusStoresOnly(t *testing.T) {
	a := open(t, testConfig(t, 0))
	if _, ok := a.Bus.(Nowhere); !ok {
		t.Fatalf("bus %T: nobody would consume an in-process queue", a.Bus)
	}
}

func TestIngestDrainsThroughTheDetectors(t *testing.T) {
	a := open(t, testConfig(t, 2), wordDetector{"needle"})
	fed := false
	err := a.Ingest(context.Background(), IngestOptions{
		Feed:  func(ctx context.Context) error { return a.Pipeline.Accept(ctx, "test", posts(20, "needle")) },
		Fed:   func() { fed = true },
		Drain: true,
	})
	if err != nil || !fed {
		t.Fatalf("ingest: %v (fed %v)", err, fed)
	}
	s := a.Pipeline.Stats()
	if s.Accepted != 20 || s.Processed != 20 {
		t.Fatalf("stats %+v: want 20 accepted and processed", s)
	}
	c, err := a.Store.Counts(context.Background())
	if err != nil || c.Signals != 10 {
		t.Fatalf("counts %+v %v: want 10 signals", c, err)
	}
}

func TestIngestFeedErrorStopsWorkers(t *testing.T) {
	a := open(t, testConfig(t, 2))
	boom := errors.New("boom")
	err := a.Ingest(context.Background(), IngestOptions{Feed: func(context.Context) error { return boom }, Drain: true})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want the feed's", err)
	}
}

func TestIngestInterruptedDrain(t *testing.T) {
	// No worker here: the posts stay unprocessed and the drain waits
	// until ctx ends.
	a := open(t, testConfig(t, 0))
	// Long enough for the feed to store its posts under -race on a
	// loaded machine; the drain then waits until it ends.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := a.Ingest(ctx, IngestOptions{Feed: func(ctx context.Context) error {
		return a.Pipeline.Accept(ctx, "test", posts(3, "x"))
	}, Drain: true})
	if !errors.Is(err, ErrDrainInterrupted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want an interrupted drain", err)
	}
}

func TestServeAnswersThenStops(t *testing.T) {
	a := open(t, testConfig(t, 1), wordDetector{"needle"})
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ServeOptions{Listening: func(ad net.Addr) { addr <- ad }}) }()
	var base string
	select {
	case ad := <-addr:
		base = "http://" + ad.String()
	case err := <-done:
		t.Fatal(err)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// A task that ignores cancellation (a hung detector, a stuck connector)
// does not hold shutdown past the deadline: Serve returns, naming it.
func TestShutdownDeadlineCoversEveryStage(t *testing.T) {
	cfg := testConfig(t, 1)
	cfg.Grace = 300 * time.Millisecond
	a := open(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	defer close(release)
	var started atomic.Bool
	done := make(chan error, 1)
	// Shutdown is timed from the cancel, not from the start: starting
	// may be slow on a loaded machine (-race), shutting down must not.
	var t0 atomic.Int64
	go func() {
		done <- a.Serve(ctx, ServeOptions{
			Tasks:     map[string]func(context.Context) error{"hung": func(context.Context) error { started.Store(true); <-release; return nil }},
			Listening: func(net.Addr) { t0.Store(time.Now().UnixNano()); cancel() },
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrShutdownTimeout) || !strings.Contains(err.Error(), "hung") {
			t.Fatalf("serve: %v, want a missed deadline naming the hung task", err)
		}
		if el := time.Since(time.Unix(0, t0.Load())); el > 3*time.Second {
			t.Fatalf("shutdown took %s with a grace of %s", el, cfg.Grace)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a hung task held shutdown")
	}
	if !started.Load() {
		t.Fatal("the task never ran")
	}
}

func TestWorkReturnsWhenCancelled(t *testing.T) {
	a := open(t, testConfig(t, 1))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ran := make(chan struct{})
	go func() {
		done <- a.Work(ctx, map[string]func(context.Context) error{"t": func(ctx context.Context) error { close(ran); <-ctx.Done(); return nil }})
	}()
	<-ran
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("work did not stop")
	}
}
