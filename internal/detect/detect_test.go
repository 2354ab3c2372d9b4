package detect

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/basira-org/basira/internal/post"
)

// fake returns fixed signals, or an error, and records what it saw.
type fake struct {
	name   string
	sigs   []Signal
	err    error
	closed *int
	closeE error
	seen   *[]*Input
}

func (f fake) Name() string { return f.name }
func (f fake) Detect(_ context.Context, in *Input) ([]Signal, error) {
	if f.seen != nil {
		*f.seen = append(*f.seen, in)
	}
	return f.sigs, f.err
}

type closingFake struct{ fake }

func (c closingFake) Close() error { *c.closed++; return c.closeE }

type described struct {
	fake
	desc string
}

func (d described) Describe() string { return d.desc }

func TestRunSharesOneAnalysisAndSortsStrongestFirst(t *testing.T) {
	var seen []*Input
	p := NewPipeline(
		fake{name: "a", seen: &seen, sigs: []Signal{{Label: "low", Severity: Low, Score: 0.9}, {Label: "none", Score: 1}}},
		fake{name: "b", seen: &seen, sigs: []Signal{{Label: "high-weak", Severity: High, Score: 0.2}, {Label: "high-strong", Severity: High, Score: 0.8}}},
		fake{name: "c", seen: &seen, sigs: []Signal{{Label: "medium", Severity: Medium, Score: 0.5}}},
	)
	res, err := p.Run(context.Background(), &post.Post{ID: "p1", Text: "انضموا إلينا في صفوف المجاهدين"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range res.Signals {
		got = append(got, s.Label)
	}
	if want := "high-strong high-weak medium low none"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	if len(seen) != 3 || seen[0] != seen[1] || seen[1] != seen[2] {
		t.Fatal("each detector got its own analysis: the text must be analysed once per post")
	}
	if res.ID != "p1" || res.Lang != "ar" || seen[0].Doc.Lang != "ar" {
		t.Fatalf("result %q lang %q (doc %q), want p1 and ar", res.ID, res.Lang, seen[0].Doc.Lang)
	}
}

func TestRunKeepsGivenLanguage(t *testing.T) {
	res, err := NewPipeline().Run(context.Background(), &post.Post{ID: "p", Text: "salam khouya", Lang: "ary-Latn"})
	if err != nil || res.Lang != "ary-Latn" {
		t.Fatalf("lang %q %v: the language given with the post wins", res.Lang, err)
	}
	if res.Signals == nil {
		t.Fatal("no signals must be an empty list, not null, in JSON output")
	}
}

// The error policy: a failing detector is named with the post, and the
// other detectors, before and after it, still run.
func TestRunErrorNamesDetectorAndRunsTheOthers(t *testing.T) {
	boom := errors.New("boom")
	called := false
	p := NewPipeline(
		fake{name: "first", sigs: []Signal{{Label: "kept", Severity: High}}},
		fake{name: "broken", err: boom},
		detectorFunc(func() { called = true }),
	)
	res, err := p.Run(context.Background(), &post.Post{ID: "p9", Text: "x"})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "broken") || !strings.Contains(err.Error(), `"p9"`) {
		t.Fatalf("err %v: want the cause, the detector and the post", err)
	}
	if len(res.Signals) != 1 || res.Signals[0].Label != "kept" {
		t.Fatalf("signals %+v: those found by the other detectors are kept", res.Signals)
	}
	if !called {
		t.Fatal("the detector after the failing one did not run")
	}
}

type detectorFunc func()

func (detectorFunc) Name() string { return "after" }
func (f detectorFunc) Detect(context.Context, *Input) ([]Signal, error) {
	f()
	return nil, nil
}

func TestCloseClosesEveryCloserAndReturnsFirstError(t *testing.T) {
	n := 0
	e1, e2 := errors.New("e1"), errors.New("e2")
	p := NewPipeline(
		closingFake{fake{name: "a", closed: &n}},
		fake{name: "plain"},
		closingFake{fake{name: "b", closed: &n, closeE: e1}},
		closingFake{fake{name: "c", closed: &n, closeE: e2}},
	)
	if err := p.Close(); !errors.Is(err, e1) {
		t.Fatalf("close: %v, want the first error", err)
	}
	if n != 3 {
		t.Fatalf("%d closers closed, want 3", n)
	}
}

func TestDescribe(t *testing.T) {
	if got := Describe(fake{name: "rules"}); got != "rules" {
		t.Errorf("plain: %q", got)
	}
	if got := Describe(described{fake{name: "rules"}, "412 rules, built in"}); got != "rules (412 rules, built in)" {
		t.Errorf("described: %q", got)
	}
	if got := Describe(described{fake{name: "models"}, ""}); got != "models" {
		t.Errorf("empty description: %q", got)
	}
}

func TestSortSignalsIsStable(t *testing.T) {
	s := []Signal{{Label: "1", Severity: Medium, Score: 0.5}, {Label: "2", Severity: Medium, Score: 0.5}, {Label: "3", Severity: "unknown", Score: 1}}
	SortSignals(s)
	if s[0].Label != "1" || s[1].Label != "2" || s[2].Label != "3" {
		t.Fatalf("order %+v: equal signals keep their order; unknown severity ranks last", s)
	}
}

// The pipeline is shared by every worker: Run is safe for concurrent use.
func TestRunConcurrent(t *testing.T) {
	p := NewPipeline(fake{name: "a", sigs: []Signal{{Label: "x", Severity: Low}}})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				res, err := p.Run(context.Background(), &post.Post{ID: "p", Text: "نص قصير " + string(rune('a'+i))})
				if err != nil || len(res.Signals) != 1 {
					t.Errorf("run: %v %v", res, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// closeCounter counts Close calls and, while a post runs through it, holds
// the post until release is closed.
type closeCounter struct {
	name    string
	closed  *atomic.Int32
	running chan struct{}
	release chan struct{}
}

func (c closeCounter) Name() string { return c.name }
func (c closeCounter) Detect(context.Context, *Input) ([]Signal, error) {
	if c.running != nil {
		close(c.running)
		<-c.release
	}
	return []Signal{{Label: c.name}}, nil
}
func (c closeCounter) Close() error { c.closed.Add(1); return nil }

// TestSwapClosesTheOldGenerationAfterItsPosts: a post running when a new
// generation is swapped in finishes on the old one, which is closed only
// then; the next post runs on the new one.
func TestSwapClosesTheOldGenerationAfterItsPosts(t *testing.T) {
	var oldClosed, newClosed atomic.Int32
	running, release := make(chan struct{}), make(chan struct{})
	p := NewPipeline(closeCounter{name: "old", closed: &oldClosed, running: running, release: release})
	got := make(chan *Result)
	go func() {
		res, _ := p.Run(context.Background(), &post.Post{ID: "1", Text: "x"})
		got <- res
	}()
	<-running
	closedErr := make(chan error, 1)
	p.Swap([]Detector{closeCounter{name: "new", closed: &newClosed}}, func(err error) { closedErr <- err })
	res, _ := p.Run(context.Background(), &post.Post{ID: "2", Text: "x"})
	if res.Signals[0].Label != "new" {
		t.Fatalf("post after the swap ran on %q", res.Signals[0].Label)
	}
	if oldClosed.Load() != 0 {
		t.Fatal("the old generation was closed while a post was running through it")
	}
	close(release)
	if res := <-got; res.Signals[0].Label != "old" {
		t.Fatalf("the post in flight finished on %q, want the old generation", res.Signals[0].Label)
	}
	if err := <-closedErr; err != nil || oldClosed.Load() != 1 {
		t.Fatalf("old generation: closed %d times, err %v", oldClosed.Load(), err)
	}
	if err := p.Close(); err != nil || newClosed.Load() != 1 || oldClosed.Load() != 1 {
		t.Fatalf("Close: err %v, new closed %d, old closed %d", err, newClosed.Load(), oldClosed.Load())
	}
}

// TestSwapUnderLoad swaps generations while workers run posts: every post
// sees one whole generation (both of its detectors agree) and every
// generation is closed exactly once.
func TestSwapUnderLoad(t *testing.T) {
	const gens = 50
	closed := make([]atomic.Int32, gens+1)
	mk := func(i int) []Detector {
		name := strconv.Itoa(i)
		return []Detector{closeCounter{name: name, closed: &closed[i]}, fake{name: "b", sigs: []Signal{{Label: name, Severity: Low}}}}
	}
	p := NewPipeline(mk(0)...)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := p.Run(context.Background(), &post.Post{ID: "x", Text: "x"})
				if err != nil || len(res.Signals) != 2 || res.Signals[0].Label != res.Signals[1].Label {
					t.Errorf("a post saw two generations: %+v %v", res.Signals, err)
					return
				}
			}
		}()
	}
	var done sync.WaitGroup
	for i := 1; i <= gens; i++ {
		done.Add(1)
		p.Swap(mk(i), func(error) { done.Done() })
	}
	close(stop)
	wg.Wait()
	done.Wait()
	p.Close()
	for i := range closed {
		if n := closed[i].Load(); n != 1 {
			t.Errorf("generation %d closed %d times", i, n)
		}
	}
}

// TestRunOrderedKeepsOrderAndPassesDetectorErrors: results come back in
// input order, and a post on which a detector fails is emitted with its
// error and the other detectors' signals, without stopping the run.
func TestRunOrderedKeepsOrderAndPassesDetectorErrors(t *testing.T) {
	boom := errors.New("boom")
	p := NewPipeline(fake{name: "ok", sigs: []Signal{{Label: "kept"}}}, failOn{id: "7", err: boom})
	n := 0
	next := func() (*post.Post, error) {
		if n == 50 {
			return nil, io.EOF
		}
		n++
		return &post.Post{ID: strconv.Itoa(n), Text: "x"}, nil
	}
	var ids []string
	err := p.RunOrdered(context.Background(), 4, next, func(pp *post.Post, res *Result, err error) error {
		ids = append(ids, pp.ID)
		if (pp.ID == "7") != errors.Is(err, boom) || len(res.Signals) != 1 {
			t.Errorf("post %s: err %v, %d signals", pp.ID, err, len(res.Signals))
		}
		return nil
	})
	if err != nil || len(ids) != 50 {
		t.Fatalf("err %v, %d posts", err, len(ids))
	}
	for i, id := range ids {
		if id != strconv.Itoa(i+1) {
			t.Fatalf("post %d came back as %s", i+1, id)
		}
	}
}

type failOn struct {
	id  string
	err error
}

func (failOn) Name() string { return "failOn" }
func (f failOn) Detect(_ context.Context, in *Input) ([]Signal, error) {
	if in.Post.ID == f.id {
		return nil, f.err
	}
	return nil, nil
}
