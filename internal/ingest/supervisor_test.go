package ingest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
)

// flaky fails its first runs, then delivers one post and blocks.
type flaky struct {
	name  string
	fails int32
	runs  atomic.Int32
}

func (f *flaky) Name() string { return f.name }
func (f *flaky) Run(ctx context.Context, sink Sink) error {
	if f.runs.Add(1) <= f.fails {
		return errors.New("connection refused")
	}
	if err := sink.Accept(ctx, f.name, []*post.Post{{ID: "1", Text: "x"}}); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

func TestSupervisorBacksOffAndIsolates(t *testing.T) {
	sink := &Collector{}
	sup := NewSupervisor(sink)
	sup.MinBackoff, sup.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	bad := &flaky{name: "bad", fails: 1 << 30}
	good := &flaky{name: "good", fails: 2}
	sup.Start(ctx, bad)
	sup.Start(ctx, good)
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.Posts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(60 * time.Millisecond)
	states := sup.States()
	cancel()
	sup.Wait()
	if len(states) != 2 || states[0].Name != "bad" || states[1].Name != "good" {
		t.Fatalf("states = %+v", states)
	}
	if b := states[0]; b.Status != "backoff" && b.Status != "running" || b.Failures < 2 || !strings.Contains(b.LastError, "refused") {
		t.Errorf("bad source state = %+v", b)
	}
	if g := states[1]; g.Status != "running" || g.Posts != 1 || g.Failures != 2 {
		t.Errorf("good source state = %+v", g)
	}
	for _, st := range sup.States() {
		if st.Status != "stopped" {
			t.Errorf("%s not stopped after cancel: %s", st.Name, st.Status)
		}
	}
}

// skipper reports two skips and ends: a finite source.
type skipper struct{}

func (skipper) Name() string { return "skipper" }
func (skipper) Run(ctx context.Context, sink Sink) error {
	Skip(sink, "skipper", "malformed event", "event 1")
	Skip(sink, "skipper", "malformed event", "event 2")
	Skip(sink, "skipper", "no text or media", "event 3")
	return nil
}

func TestSupervisorCountsSkipsByReason(t *testing.T) {
	sup := NewSupervisor(&Collector{})
	sup.Start(context.Background(), skipper{})
	sup.Wait()
	st := sup.States()[0]
	if st.Status != "done" || st.Skipped["malformed event"] != 2 || st.Skipped["no text or media"] != 1 {
		t.Fatalf("state = %+v", st)
	}
	// States is a snapshot: changing it does not change the supervisor's.
	st.Skipped["malformed event"] = 99
	if sup.States()[0].Skipped["malformed event"] != 2 {
		t.Error("States shares its Skipped map")
	}
}

func TestPowerOfTen(t *testing.T) {
	var got []int64
	for n := int64(1); n <= 1000; n++ {
		if powerOfTen(n) {
			got = append(got, n)
		}
	}
	if len(got) != 4 || got[3] != 1000 {
		t.Errorf("logged at %v, want 1, 10, 100, 1000", got)
	}
}
