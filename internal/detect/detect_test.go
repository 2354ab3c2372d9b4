package detect

import (
	"context"
	"errors"
	"strings"
	"sync"
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

func TestRunErrorNamesDetectorAndKeepsEarlierSignals(t *testing.T) {
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
		t.Fatalf("signals %+v: those found before the error are kept", res.Signals)
	}
	if called {
		t.Fatal("a detector after the failing one ran")
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
