package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/bus"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// wordDetector flags posts whose folded text holds a word: a small real
// detector, so these tests do not depend on the rule engine's format.
type wordDetector struct {
	word, label, severity string
	fail                  string // posts with this id make the detector fail
}

func (d wordDetector) Name() string { return "word" }

func (d wordDetector) Detect(_ context.Context, in *detect.Input) ([]detect.Signal, error) {
	if d.fail != "" && in.Post.ID == d.fail {
		return nil, errors.New("model file vanished")
	}
	for _, tk := range in.Doc.Tokens {
		if tk.Text == d.word || tk.Base == d.word {
			return []detect.Signal{{Detector: "word", Kind: detect.KindRule, Label: d.label, Severity: d.severity, Score: 0.8,
				Evidence: in.Post.Text[tk.Start:tk.End], Spans: []detect.Span{{Start: tk.Start, End: tk.End}}}}, nil
		}
	}
	return nil, nil
}

func openStore(t testing.TB) store.Store {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newService(t testing.TB, st store.Store, dets ...detect.Detector) (*Service, *bus.Memory) {
	b := bus.NewMemory(bus.MemoryOptions{Backoff: time.Millisecond})
	t.Cleanup(func() { b.Close() })
	return New(Options{Store: st, Bus: b, Detect: detect.NewPipeline(dets...), Logger: slog.New(slog.DiscardHandler), SweepEvery: 20 * time.Millisecond, SweepAge: time.Millisecond}), b
}

func waitProcessed(t testing.TB, st store.Store, want int64) store.Counts {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := st.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Unprocessed == 0 && c.Posts >= want {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("posts not processed in time: %+v", c)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func run(t testing.TB, s *Service) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

func TestEndToEndCampaignFolding(t *testing.T) {
	st := openStore(t)
	svc, _ := newService(t, st, wordDetector{word: "اقتلوهم", label: "incitement", severity: detect.High})
	run(t, svc)
	ctx := context.Background()
	// One campaign copied across platforms with evasions, plus benign posts.
	variants := []string{
		"اقتلوهم في كل مكان https://t.co/abc",
		"اقتلوووهم في كل مكان!! @someone",
		"اقْتُلُوهُم في كل مكان https://t.co/xyz",
		"اقتلوهم في كل مكان",
	}
	var batch []*post.Post
	platforms := []string{"telegram", "x", "telegram", "facebook"}
	for i, v := range variants {
		batch = append(batch, &post.Post{ID: fmt.Sprint("c", i), Platform: platforms[i], Text: v})
	}
	batch = append(batch, &post.Post{ID: "other", Platform: "x", Text: "اقتلوهم جميعا الآن"})
	for i := range 200 {
		batch = append(batch, &post.Post{ID: fmt.Sprint("b", i), Platform: "x", Text: fmt.Sprintf("خبر عن الطقس رقم %d", i)})
	}
	if err := svc.Accept(ctx, "test", batch); err != nil {
		t.Fatal(err)
	}
	c := waitProcessed(t, st, int64(len(batch)))
	if c.Cases != 2 || c.Signals != 5 || c.Posts != 205 {
		t.Fatalf("counts %+v: want 2 cases (the campaign and the other post), 5 signals, 205 posts", c)
	}
	cs, err := st.ListCases(ctx, store.CaseQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var campaign *store.Case
	for _, x := range cs {
		if x.Count == 4 {
			campaign = x
		}
	}
	if campaign == nil || fmt.Sprint(campaign.Platforms) != "[facebook telegram x]" || campaign.Category != "incitement" || campaign.Priority != 3 {
		t.Fatalf("campaign case: %+v", cs)
	}
	// Re-ingesting the same posts changes nothing.
	if err := svc.Accept(ctx, "test", batch); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	c2 := waitProcessed(t, st, 205)
	if c2.Posts != 205 || c2.Cases != 2 || c2.Signals != 5 {
		t.Fatalf("after re-ingest: %+v", c2)
	}
	st2 := svc.Stats()
	if st2.Accepted != 205 || st2.Duplicates != 205 || st2.Processed != 205 || st2.CasesOpened != 2 {
		t.Fatalf("stats %+v", st2)
	}
}

func TestRecoveryQueuesStoredPosts(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	// Posts stored by a process that died before queueing them.
	var ps []*post.Post
	for i := range 50 {
		ps = append(ps, &post.Post{ID: fmt.Sprint(i), Platform: "x", Text: "اقتلوهم " + fmt.Sprint(i)})
	}
	if _, err := st.PutPosts(ctx, "ingest:dead", "dead", ps); err != nil {
		t.Fatal(err)
	}
	svc, _ := newService(t, st, wordDetector{word: "اقتلوهم", label: "incitement", severity: detect.Medium})
	run(t, svc)
	c := waitProcessed(t, st, 50)
	if c.Cases != 50 || svc.Stats().Requeued < 50 {
		t.Fatalf("counts %+v stats %+v: want 50 cases from recovery", c, svc.Stats())
	}
}

func TestHandleIsIdempotent(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	res, err := st.PutPosts(ctx, "t", "t", []*post.Post{{ID: "1", Platform: "x", Text: "اقتلوهم"}, {ID: "2", Platform: "x", Text: "اقتلوهم"}})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := newService(t, st, wordDetector{word: "اقتلوهم", label: "incitement", severity: detect.Medium})
	for range 3 {
		if err := svc.Handle(ctx, res.New); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := st.Counts(ctx)
	if c.Cases != 1 || c.Signals != 2 {
		t.Fatalf("after 3 deliveries: %+v", c)
	}
	cs, _ := st.ListCases(ctx, store.CaseQuery{})
	if cs[0].Count != 2 {
		t.Fatalf("case count %d, want 2", cs[0].Count)
	}
}

func TestDetectorErrorDoesNotBlock(t *testing.T) {
	st := openStore(t)
	var logged atomic.Int32
	svc, _ := newService(t, st, wordDetector{word: "اقتلوهم", label: "incitement", severity: detect.Medium, fail: "bad"})
	svc.o.Observe = func(Event) { logged.Add(1) }
	run(t, svc)
	if err := svc.Accept(context.Background(), "t", []*post.Post{{ID: "bad", Text: "اقتلوهم"}, {ID: "good", Text: "اقتلوهم"}}); err != nil {
		t.Fatal(err)
	}
	c := waitProcessed(t, st, 2)
	if c.Cases != 1 || svc.Stats().DetectorErrors < 1 || logged.Load() != 2 {
		t.Fatalf("counts %+v stats %+v observed %d", c, svc.Stats(), logged.Load())
	}
}

func TestClusterKey(t *testing.T) {
	same := [][2]string{
		{"انشروا هذا الفيديو https://t.co/a", "انشروا هذا الفيديو https://t.co/b"},
		{"انشروا هذا الفيديو", "اِنشروا هذا الفيدييييو!!!"},
		{"@a انشروا هذا", "انشروا هذا @b"},
		{"Share THIS now", "share this now."},
	}
	for _, p := range same {
		if ClusterKey(p[0]) != ClusterKey(p[1]) {
			t.Errorf("%q and %q should fold into one campaign", p[0], p[1])
		}
	}
	diff := [][2]string{
		{"انشروا هذا الفيديو", "لا تنشروا هذا الفيديو"},
		{"https://a.example/1", "https://a.example/2"},
	}
	for _, p := range diff {
		if ClusterKey(p[0]) == ClusterKey(p[1]) {
			t.Errorf("%q and %q should stay apart", p[0], p[1])
		}
	}
	if k := ClusterKey("x"); !strings.HasPrefix(k, "t1:") || len(k) != 27 {
		t.Errorf("key %q", k)
	}
}

func BenchmarkClusterKey(b *testing.B) {
	text := "يا شباب الأمة انفروا إلى ساحات الجهاد https://t.co/abc123 @someone رقم 12"
	for b.Loop() {
		ClusterKey(text)
	}
}

func FuzzClusterKey(f *testing.F) {
	for _, s := range []string{"", "اقتلوهم https://x", "@a @b", "aji m3ana", "\u200fداااعش\u200d", "https://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := ClusterKey(s)
		if !strings.HasPrefix(k, "t1:") || len(k) != 27 || ClusterKey(s) != k {
			t.Fatalf("ClusterKey(%q) = %q", s, k)
		}
		// Links and mentions never change the campaign.
		if clusterText(s) != "" && ClusterKey(s+" https://t.co/zz @q") != k {
			t.Fatalf("a link changed the key of %q", s)
		}
	})
}

// TestAcceptRefusesBadConnectorPosts: a connector builds posts itself (no
// decoder); one bad post must be left out, never fail its batch (issue 15
// item 3).
func TestAcceptRefusesBadConnectorPosts(t *testing.T) {
	st := openStore(t)
	s, _ := newService(t, st)
	posts := []*post.Post{
		{ID: "1", Platform: "rss", Text: "a"},
		{ID: "bad\x00", Platform: "rss", Text: "b"},
		{ID: "3", Platform: strings.Repeat("p", 9000), Text: "c"},
		{ID: "4", Platform: "rss", Text: "d\x00"},
	}
	if err := s.Accept(context.Background(), "rss:feed", posts); err != nil {
		t.Fatal(err)
	}
	c, err := st.Counts(context.Background())
	if err != nil || c.Posts != 2 || s.Stats().Rejected != 2 {
		t.Fatalf("stored %d (%v), rejected %d; want 2 and 2", c.Posts, err, s.Stats().Rejected)
	}
}
