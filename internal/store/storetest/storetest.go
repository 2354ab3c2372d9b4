// Package storetest is the conformance suite every store.Store must pass.
// The sqlite and postgres packages run it against real databases.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
)

// Opener returns a fresh, empty store for one test; the opener registers
// its own cleanup.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"PutPostsRoundTrip", testPutPostsRoundTrip},
		{"PutPostsIdempotent", testPutPostsIdempotent},
		{"PutPostsLargeBatch", testPutPostsLargeBatch},
		{"ProcessingAndCases", testProcessingAndCases},
		{"ProcessingRedelivered", testProcessingRedelivered},
		{"ConcurrentProcessing", testConcurrentProcessing},
		{"ClaimAndTransition", testClaimAndTransition},
		{"ConcurrentClaims", testConcurrentClaims},
		{"NearDuplicates", testNearDuplicates},
		{"ConcurrentNearDuplicates", testConcurrentNearDuplicates},
		{"AuditChain", testAuditChain},
		{"ListAndCounts", testListAndCounts},
		{"ReferralLifecycle", testReferralLifecycle},
		{"ConcurrentReferralCreate", testConcurrentReferralCreate},
		{"ReferralLease", testReferralLease},
		{"Tokens", testTokens},
		{"Accounts", testAccounts},
		{"Dashboard", testDashboard},
		{"CaseFilters", testCaseFilters},
		{"PostLifecycle", testPostLifecycle},
		{"StaleProcessing", testStaleProcessing},
		{"ClaimClusters", testClaimClusters},
		{"DebunkLifecycle", testDebunkLifecycle},
		{"DebunkConcurrent", testDebunkConcurrent},
		{"DebunkMatches", testDebunkMatches},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%v\n%s", r, debug.Stack())
				}
			}()
			tc.fn(t, open(t))
		})
	}
}

func mkPosts(platform string, from, n int) []*post.Post {
	ps := make([]*post.Post, n)
	for i := range ps {
		ps[i] = &post.Post{ID: fmt.Sprint(from + i), Platform: platform, Text: fmt.Sprintf("post number %d", from+i)}
	}
	return ps
}

// must returns v, or panics with err; Run turns the panic into a test
// failure that names the call.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func testPutPostsRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	p := &post.Post{
		ID: "1789", Platform: "telegram", URL: "https://t.me/c/1789", Author: "a:0011223344556677",
		Text: "الجهاد واجب — 3la kol wa7ed", Lang: "ar", PostedAt: &at,
		Media: []post.Media{{URL: "https://example.org/a.jpg", SHA256: "ab"}},
		Extra: map[string]json.RawMessage{"views": json.RawMessage(`1200`)},
	}
	res := must(s.PutPosts(ctx, "test", "file:a.jsonl", []*post.Post{p}))
	if len(res.New) != 1 || res.Duplicates != 0 {
		t.Fatalf("PutPosts = %+v, want one new", res)
	}
	got := must(s.Post(ctx, res.New[0]))
	if got.ID != p.ID || got.Platform != p.Platform || got.URL != p.URL || got.Author != p.Author ||
		got.Text != p.Text || got.Lang != p.Lang || !got.PostedAt.Equal(at) || got.Source != "file:a.jsonl" {
		t.Errorf("round trip changed the post:\n got %+v\nwant %+v", got.Post, *p)
	}
	if len(got.Media) != 1 || got.Media[0].SHA256 != "ab" || string(got.Extra["views"]) != "1200" {
		t.Errorf("media/extra lost: %+v %v", got.Media, got.Extra)
	}
	if got.ProcessedAt != nil || got.IngestedAt.IsZero() || time.Since(got.IngestedAt) > time.Minute {
		t.Errorf("ingested_at %v processed_at %v", got.IngestedAt, got.ProcessedAt)
	}
	byID := must(s.FindPost(ctx, "telegram", "1789"))
	if byID.Key != got.Key {
		t.Errorf("FindPost key %d, want %d", byID.Key, got.Key)
	}
	if _, err := s.Post(ctx, got.Key+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing post: err %v, want ErrNotFound", err)
	}
}

func testPutPostsIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	first := must(s.PutPosts(ctx, "test", "f", mkPosts("x", 0, 10)))
	if len(first.New) != 10 {
		t.Fatalf("first batch: %d new, want 10", len(first.New))
	}
	for i := 1; i < len(first.New); i++ {
		if first.New[i] <= first.New[i-1] {
			t.Fatalf("keys not increasing in batch order: %v", first.New)
		}
	}
	// Overlapping batch with an in-batch duplicate; same ids on another
	// platform are different posts.
	batch := append(mkPosts("x", 5, 10), mkPosts("x", 14, 1)...)
	batch = append(batch, mkPosts("y", 0, 2)...)
	second := must(s.PutPosts(ctx, "test", "f", batch))
	if len(second.New) != 7 || second.Duplicates != 6 {
		t.Fatalf("second batch: %d new, %d duplicates; want 7 and 6", len(second.New), second.Duplicates)
	}
	c := must(s.Counts(ctx))
	if c.Posts != 17 || c.Unprocessed != 17 {
		t.Fatalf("counts %+v, want 17 posts all unprocessed", c)
	}
	// Concurrent ingest of the same posts stores each once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.PutPosts(ctx, "test", "g", mkPosts("z", 0, 50))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			total += len(r.New)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 50 {
		t.Fatalf("4 concurrent ingests of 50 posts created %d, want 50", total)
	}
}

func testPutPostsLargeBatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	res := must(s.PutPosts(ctx, "test", "big", mkPosts("x", 0, 7000)))
	if len(res.New) != 7000 {
		t.Fatalf("%d new, want 7000", len(res.New))
	}
	keys := must(s.Unprocessed(ctx, 0, time.Now().Add(time.Second), 10000))
	if len(keys) != 7000 {
		t.Fatalf("Unprocessed: %d, want 7000", len(keys))
	}
	ps := must(s.PostsByKey(ctx, keys[:5000]))
	if len(ps) != 5000 || ps[0].Key != keys[0] || ps[4999].Key != keys[4999] {
		t.Fatalf("PostsByKey returned %d posts", len(ps))
	}
	if got := must(s.Unprocessed(ctx, keys[6990], time.Now().Add(time.Second), 100)); len(got) != 9 {
		t.Fatalf("Unprocessed after: %d, want 9", len(got))
	}
	if got := must(s.Unprocessed(ctx, 0, time.Now().Add(-time.Hour), 100)); len(got) != 0 {
		t.Fatalf("Unprocessed older than an hour ago: %d, want 0", len(got))
	}
}

func sig(label, sev string, score float64) detect.Signal {
	return detect.Signal{Detector: "rules", Kind: detect.KindRule, Rule: "r-" + label, Label: label, Severity: sev, Score: score,
		Evidence: "evidence", Spans: []detect.Span{{Start: 1, End: 4}}, Details: map[string]any{"k": "v"}}
}

func proc(key int64, cluster, platform string, seen time.Time, sigs ...detect.Signal) store.Processing {
	p := store.Processing{PostKey: key, Signals: sigs, ClusterKey: cluster, Platform: platform, Seen: seen}
	if len(sigs) > 0 {
		p.Category, p.Severity, p.Score = sigs[0].Label, sigs[0].Severity, sigs[0].Score
		p.Priority = map[string]int{"low": 1, "medium": 2, "high": 3}[sigs[0].Severity]
	}
	return p
}

func testProcessingAndCases(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := must(s.PutPosts(ctx, "test", "f", mkPosts("telegram", 0, 3))).New
	b := must(s.PutPosts(ctx, "test", "f", mkPosts("x", 0, 1))).New
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := must(s.RecordProcessing(ctx, "worker", []store.Processing{
		proc(a[0], "c1", "telegram", t0.Add(time.Hour), sig("incitement", "medium", 0.7)),
		proc(a[1], "", "telegram", t0),                                            // no signal, no case
		proc(a[2], "c1", "telegram", t0, sig("recruitment", "high", 0.9)),         // same campaign, stronger
		proc(b[0], "c1", "x", t0.Add(2*time.Hour), sig("incitement", "low", 0.2)), // same campaign, other platform
	}))
	if len(out) != 4 || out[1].CaseID != 0 || out[0].CaseID == 0 || out[0].CaseID != out[2].CaseID || out[0].CaseID != out[3].CaseID {
		t.Fatalf("processed %+v: want posts 0, 2, 3 in one case and post 1 in none", out)
	}
	newCases := 0
	for _, o := range out {
		if o.NewCase {
			newCases++
		}
		if o.Skipped {
			t.Errorf("post %d skipped on first processing", o.PostKey)
		}
	}
	if newCases != 1 {
		t.Errorf("%d posts opened a case, want 1", newCases)
	}
	c := must(s.Case(ctx, out[0].CaseID))
	if c.Count != 3 || c.Status != store.StatusNew || c.Category != "recruitment" || c.Severity != "high" || c.Score != 0.9 || c.Priority != 3 {
		t.Errorf("case %+v: want 3 posts, new, recruitment/high/0.9, priority 3", c)
	}
	if !c.FirstSeen.Equal(t0) || !c.LastSeen.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("case seen %v..%v, want %v..%v", c.FirstSeen, c.LastSeen, t0, t0.Add(2*time.Hour))
	}
	if fmt.Sprint(c.Platforms) != "[telegram x]" {
		t.Errorf("platforms %v, want [telegram x]", c.Platforms)
	}
	sigs := must(s.Signals(ctx, a[0]))
	if len(sigs) != 1 || sigs[0].Label != "incitement" || sigs[0].Details["k"] != "v" || len(sigs[0].Spans) != 1 || sigs[0].Spans[0].End != 4 {
		t.Errorf("signals %+v", sigs)
	}
	p := must(s.Post(ctx, a[2]))
	if p.ProcessedAt == nil || p.CaseID != c.ID {
		t.Errorf("post after processing: processed %v case %d, want set and %d", p.ProcessedAt, p.CaseID, c.ID)
	}
	inCase := must(s.ListPosts(ctx, store.PostQuery{CaseID: c.ID}))
	if len(inCase) != 3 {
		t.Errorf("ListPosts of case: %d, want 3", len(inCase))
	}
	if keys := must(s.Unprocessed(ctx, 0, time.Now().Add(time.Second), 10)); len(keys) != 0 {
		t.Errorf("still unprocessed: %v", keys)
	}
	if n := must(s.Backlog(ctx, 100)); n != 0 {
		t.Errorf("backlog %d after processing every post, want 0", n)
	}
	// Five more stored, one processed: four wait (counted up to the cap).
	more := must(s.PutPosts(ctx, "test", "f", mkPosts("telegram", 100, 5))).New
	must(s.RecordProcessing(ctx, "worker", []store.Processing{proc(more[2], "", "telegram", t0)}))
	if n, capped := must(s.Backlog(ctx, 100)), must(s.Backlog(ctx, 3)); n != 4 || capped != 3 {
		t.Errorf("backlog %d (capped at 3: %d), want 4 (3)", n, capped)
	}
}

func testProcessingRedelivered(t *testing.T, s store.Store) {
	ctx := context.Background()
	keys := must(s.PutPosts(ctx, "test", "f", mkPosts("x", 0, 2))).New
	batch := []store.Processing{proc(keys[0], "k", "x", time.Now(), sig("incitement", "high", 1)), proc(keys[1], "k", "x", time.Now(), sig("incitement", "high", 1))}
	// The same key twice in one message counts once.
	must(s.RecordProcessing(ctx, "w", append(batch, batch[0])))
	again := must(s.RecordProcessing(ctx, "w", batch))
	for _, o := range again {
		if !o.Skipped || o.NewCase {
			t.Errorf("redelivered post %+v: want skipped", o)
		}
	}
	c := must(s.Counts(ctx))
	if c.Cases != 1 || c.Signals != 2 {
		t.Errorf("after redelivery: %d cases %d signals, want 1 and 2", c.Cases, c.Signals)
	}
	cs := must(s.ListCases(ctx, store.CaseQuery{}))
	if len(cs) != 1 || cs[0].Count != 2 {
		t.Errorf("case count after redelivery: %+v", cs)
	}
}

func testConcurrentProcessing(t *testing.T, s store.Store) {
	ctx := context.Background()
	keys := must(s.PutPosts(ctx, "test", "f", mkPosts("x", 0, 200))).New
	var batch []store.Processing
	for i, k := range keys {
		batch = append(batch, proc(k, fmt.Sprintf("cluster-%d", i%7), "x", time.Now(), sig("incitement", "medium", 0.5)))
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker takes the batch in a different order, in pieces.
			for lo := 0; lo < len(batch); lo += 50 {
				part := batch[lo:min(lo+50, len(batch))]
				if w%2 == 1 {
					part = batch[len(batch)-min(lo+50, len(batch)) : len(batch)-lo]
				}
				for try := 0; ; try++ {
					_, err := s.RecordProcessing(ctx, fmt.Sprint("w", w), part)
					if err == nil {
						break
					}
					if try > 5 {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	c := must(s.Counts(ctx))
	if c.Cases != 7 || c.Signals != 200 || c.Unprocessed != 0 {
		t.Fatalf("counts %+v: want 7 cases, 200 signals, none unprocessed", c)
	}
	total := 0
	for _, cs := range must(s.ListCases(ctx, store.CaseQuery{})) {
		total += cs.Count
	}
	if total != 200 {
		t.Fatalf("case counts add up to %d, want 200", total)
	}
	verifyAudit(t, s)
}

func openCases(t *testing.T, s store.Store, n int) []int64 {
	ctx := context.Background()
	keys := must(s.PutPosts(ctx, "test", "f", mkPosts("x", 0, n))).New
	var batch []store.Processing
	for i, k := range keys {
		sev := "medium"
		if i == n-1 {
			sev = "high"
		}
		batch = append(batch, proc(k, fmt.Sprint("c", i), "x", time.Now(), sig("incitement", sev, 0.5)))
	}
	var ids []int64
	for _, o := range must(s.RecordProcessing(ctx, "w", batch)) {
		ids = append(ids, o.CaseID)
	}
	return ids
}

func testClaimAndTransition(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := openCases(t, s, 3)
	now := time.Now()
	c := must(s.ClaimNext(ctx, "alice", time.Minute, now))
	if c.ID != ids[2] || c.Status != store.StatusInReview || c.Assignee != "alice" || c.LeaseUntil == nil {
		t.Fatalf("alice claimed %+v, want the high-severity case %d leased to her", c, ids[2])
	}
	c2 := must(s.ClaimNext(ctx, "bob", time.Minute, now))
	if c2.ID != ids[0] {
		t.Fatalf("bob claimed case %d, want the oldest remaining %d", c2.ID, ids[0])
	}
	// Bob cannot decide alice's case.
	_, err := s.Transition(ctx, store.Transition{CaseID: c.ID, From: []store.Status{store.StatusInReview}, To: store.StatusDecided,
		Actor: "bob", RequireAssignee: true, Now: now})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("bob deciding alice's case: err %v, want ErrConflict", err)
	}
	d := &store.Decision{Actor: "alice", Action: store.ActionRefer, Category: "incitement", Rationale: "calls for attacks"}
	c = must(s.Transition(ctx, store.Transition{CaseID: c.ID, From: []store.Status{store.StatusInReview}, To: store.StatusDecided,
		Actor: "alice", RequireAssignee: true, Now: now, Decision: d}))
	if c.Status != store.StatusDecided || c.Assignee != "" {
		t.Fatalf("after decision: %+v", c)
	}
	ds := must(s.Decisions(ctx, c.ID))
	if len(ds) != 1 || ds[0].Action != store.ActionRefer || ds[0].Rationale != "calls for attacks" || ds[0].Actor != "alice" {
		t.Fatalf("decisions %+v", ds)
	}
	// A transition from the wrong state is refused.
	if _, err := s.Transition(ctx, store.Transition{CaseID: c.ID, From: []store.Status{store.StatusInReview}, To: store.StatusDismissed, Actor: "alice"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("transition from wrong state: err %v, want ErrConflict", err)
	}
	if _, err := s.Transition(ctx, store.Transition{CaseID: 9999, From: []store.Status{store.StatusNew}, To: store.StatusDismissed}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("transition of a missing case: err %v, want ErrNotFound", err)
	}
	// An expired lease lets another analyst claim.
	must(s.ClaimNext(ctx, "carol", time.Minute, now)) // the last new case
	if _, err := s.ClaimNext(ctx, "dave", time.Minute, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty queue: err %v, want ErrNotFound", err)
	}
	late := must(s.ClaimNext(ctx, "dave", time.Minute, now.Add(2*time.Minute)))
	if late.ID != ids[0] && late.ID != ids[1] {
		t.Fatalf("dave claimed %d after the leases ran out", late.ID)
	}
	if got := must(s.ListCases(ctx, store.CaseQuery{Assignee: "dave"})); len(got) != 1 {
		t.Fatalf("cases of dave: %d", len(got))
	}
	verifyAudit(t, s)
}

func testConcurrentClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	openCases(t, s, 20)
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for a := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := fmt.Sprint("analyst", a)
			for {
				c, err := s.ClaimNext(ctx, who, time.Hour, time.Now())
				if errors.Is(err, store.ErrNotFound) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if prev, dup := seen[c.ID]; dup {
					t.Errorf("case %d claimed by %s and %s", c.ID, prev, who)
				}
				seen[c.ID] = who
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 20 {
		t.Fatalf("%d cases claimed, want 20", len(seen))
	}
}

func verifyAudit(t *testing.T, s store.Store) int64 {
	t.Helper()
	var v audit.Verifier
	var after int64
	for {
		es := must(s.AuditEntries(context.Background(), after, 100))
		if len(es) == 0 {
			return v.Count()
		}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				t.Fatalf("audit chain: %v", err)
			}
		}
		after = es[len(es)-1].Seq
	}
}

func testAuditChain(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(s.PutPosts(ctx, "ingest:test", "f", mkPosts("x", 0, 3)))
	e := must(s.AppendAudit(ctx, audit.New("admin:root", audit.ActionConfig, "rules", map[string]any{"file": "r.yaml"})))
	if e.Seq != 2 || e.PrevHash == audit.Genesis || e.Hash == "" {
		t.Fatalf("appended %+v: want seq 2 chained on the ingest entry", e)
	}
	es := must(s.AuditEntries(ctx, 0, 10))
	if len(es) != 2 || es[0].Action != audit.ActionIngest || es[0].Actor != "ingest:test" || es[1].Hash != e.Hash {
		t.Fatalf("entries %+v", es)
	}
	var d map[string]int
	if err := json.Unmarshal(es[0].Details, &d); err != nil || d["posts"] != 3 || d["new"] != 3 {
		t.Fatalf("ingest details %s (%v)", es[0].Details, err)
	}
	// Parallel appends keep one chain.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.AppendAudit(ctx, audit.New("t", audit.ActionLogin, fmt.Sprint("user:", i), nil)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := verifyAudit(t, s); n != 22 {
		t.Fatalf("%d entries verified, want 22", n)
	}
}

func testListAndCounts(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := openCases(t, s, 5)
	must(s.PutPosts(ctx, "test", "f", mkPosts("telegram", 100, 3)))
	if _, err := s.Transition(ctx, store.Transition{CaseID: ids[0], From: []store.Status{store.StatusNew}, To: store.StatusDismissed, Actor: "a",
		Decision: &store.Decision{Actor: "a", Action: store.ActionDismiss, Rationale: "news report"}}); err != nil {
		t.Fatal(err)
	}
	c := must(s.Counts(ctx))
	if c.Posts != 8 || c.Unprocessed != 3 || c.Cases != 5 || c.CasesBy[store.StatusNew] != 4 || c.CasesBy[store.StatusDismissed] != 1 || c.AuditSeq == 0 {
		t.Fatalf("counts %+v", c)
	}
	if got := must(s.ListCases(ctx, store.CaseQuery{Status: store.StatusNew})); len(got) != 4 || got[0].ID != ids[4] {
		t.Fatalf("new cases by priority: %d, first %d, want 4 and %d", len(got), got[0].ID, ids[4])
	}
	page1 := must(s.ListCases(ctx, store.CaseQuery{AfterID: 0, Limit: 2}))
	page2 := must(s.ListCases(ctx, store.CaseQuery{AfterID: ids[1], Limit: 10}))
	if len(page1) != 2 || len(page2) != 3 || page2[0].ID != ids[2] {
		t.Fatalf("paging: %d then %d", len(page1), len(page2))
	}
	tg := must(s.ListPosts(ctx, store.PostQuery{Platform: "telegram", Limit: 2}))
	if len(tg) != 2 || tg[0].Key < tg[1].Key {
		t.Fatalf("ListPosts telegram newest first: %d", len(tg))
	}
	older := must(s.ListPosts(ctx, store.PostQuery{Platform: "telegram", Before: tg[1].Key}))
	if len(older) != 1 {
		t.Fatalf("ListPosts before: %d, want 1", len(older))
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func testNearDuplicates(t *testing.T, s store.Store) {
	ctx := context.Background()
	texts := []string{
		"يا شباب الأمة انفروا إلى ساحات الجهاد ولا تتأخروا عن نصرة إخوانكم",                // A
		"يا شباب الأمة انفروا إلى ساحات الجهاد ولا تتأخروا عن نصرة إخوانكم اليوم قبل الغد", // A, words added
		"أعلنت وزارة الصحة عن حملة تلقيح جديدة في جميع المدن ابتداء من الأسبوع المقبل",     // B, unrelated
		"شباب الأمة انفروا إلى ساحات الجهاد ولا تتأخروا عن نصرة إخوانكم يا رجال",           // A, reworded
	}
	var ps []*post.Post
	for i, tx := range texts {
		ps = append(ps, &post.Post{ID: fmt.Sprint("n", i), Platform: "x", Text: tx})
	}
	keys := must(s.PutPosts(ctx, "test", "f", ps)).New
	mk := func(i int) store.Processing {
		p := proc(keys[i], fmt.Sprint("exact-", i), "x", time.Now(), sig("incitement", "high", 0.9))
		sg, err := textsig.Of(texts[i])
		if err != nil {
			panic(err)
		}
		p.Signature = &sg
		return p
	}
	// The first two in one batch (folded within the batch), the others later
	// (folded against the stored case).
	out1 := must(s.RecordProcessing(ctx, "w", []store.Processing{mk(0), mk(1)}))
	out2 := must(s.RecordProcessing(ctx, "w", []store.Processing{mk(2)}))
	out3 := must(s.RecordProcessing(ctx, "w", []store.Processing{mk(3)}))
	a, b := out1[0].CaseID, out2[0].CaseID
	if out1[1].CaseID != a || out3[0].CaseID != a || b == a {
		t.Fatalf("near-duplicates A: cases %d %d %d, unrelated B: %d; want the three A in one case, B apart", a, out1[1].CaseID, out3[0].CaseID, b)
	}
	c := must(s.Case(ctx, a))
	if c.Count != 3 || c.ClusterKey != "exact-0" {
		t.Fatalf("campaign %+v: want 3 posts under the first post's key", c)
	}
	if n := must(s.Counts(ctx)).Cases; n != 2 {
		t.Fatalf("%d cases, want 2", n)
	}
}

// testConcurrentNearDuplicates: workers racing over copies of campaigns
// (each copy under its exact key, with a signature) never split the
// copies of one text between cases.
func testConcurrentNearDuplicates(t *testing.T, s store.Store) {
	ctx := context.Background()
	bases := []string{
		"يا شباب الأمة انفروا إلى ساحات الجهاد ولا تتأخروا عن نصرة إخوانكم",
		"أعلنت وزارة الصحة عن حملة تلقيح جديدة في جميع المدن ابتداء من الأسبوع المقبل",
		"Rejoignez les frères au Sham, la hijra est un devoir pour chaque croyant",
	}
	var texts []string
	for _, b := range bases {
		texts = append(texts, b, b+" الآن", b+" اليوم قبل الغد")
	}
	var ps []*post.Post
	for i := range 180 {
		ps = append(ps, &post.Post{ID: fmt.Sprint("c", i), Platform: "x", Text: texts[i%len(texts)]})
	}
	keys := must(s.PutPosts(ctx, "test", "f", ps)).New
	var batch []store.Processing
	for i, k := range keys {
		p := proc(k, fmt.Sprint("exact-", i%len(texts)), "x", time.Now(), sig("incitement", "high", 0.9))
		sg, err := textsig.Of(texts[i%len(texts)])
		if err != nil {
			panic(err)
		}
		p.Signature = &sg
		batch = append(batch, p)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := w * 15; lo < len(batch); lo += 60 {
				part := batch[lo:min(lo+15, len(batch))]
				for try := 0; ; try++ {
					if _, err := s.RecordProcessing(ctx, "w", part); err == nil {
						break
					} else if try > 5 {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	caseOf := map[int]int64{}
	for i, k := range keys {
		p := must(s.Post(ctx, k))
		if p.CaseID == 0 {
			t.Fatalf("post %d in no case", i)
		}
		e := i % len(texts)
		if c, ok := caseOf[e]; ok && c != p.CaseID {
			t.Fatalf("copies of text %d split between cases %d and %d", e, c, p.CaseID)
		}
		caseOf[e] = p.CaseID
	}
	total := 0
	for _, c := range must(s.ListCases(ctx, store.CaseQuery{})) {
		total += c.Count
	}
	if total != 180 {
		t.Fatalf("cases count %d posts, want 180", total)
	}
	// The copies of each base text are near-duplicates: one case each,
	// whichever worker opened it first.
	if n := must(s.Counts(ctx)).Cases; n != int64(len(bases)) {
		t.Fatalf("%d texts of %d campaigns in %d cases, want %d", len(texts), len(bases), n, len(bases))
	}
}
