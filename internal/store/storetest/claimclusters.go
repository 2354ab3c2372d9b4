package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
)

// testClaimClusters checks the rumour desk's clusters: saved by key,
// listed fastest first, dropped when a refresh no longer has them unless
// a case was opened from them, and that case opened once.
func testClaimClusters(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	res := must(s.PutPosts(ctx, "test", "test", []*post.Post{
		{Platform: "x", ID: "1", Text: "a"}, {Platform: "telegram", ID: "2", Text: "b"}, {Platform: "x", ID: "3", Text: "c"},
	}))
	slow := store.ClaimCluster{Key: "slow", Posts: 1, PostKeys: res.New[2:], Growth: 1, Platforms: []string{"x"}, First: now, Last: now}
	fast := store.ClaimCluster{Key: "fast", Posts: 2, PostKeys: res.New[:2], Growth: 5, Platforms: []string{"telegram", "x"},
		First: now.Add(-time.Hour), Last: now, Debunk: &store.ClaimDebunk{ClaimID: "fc-9", Rating: "false", Matched: 1, Score: 0.8}}
	if err := s.SaveClaimClusters(ctx, []store.ClaimCluster{slow, fast}, now); err != nil {
		t.Fatal(err)
	}
	cs := must(s.ListClaimClusters(ctx, 10))
	if len(cs) != 2 || cs[0].Key != "fast" || cs[1].Key != "slow" || cs[0].Debunk == nil || cs[0].Debunk.ClaimID != "fc-9" || !cs[0].First.Equal(fast.First) {
		t.Fatalf("listed %+v", cs)
	}
	if _, err := s.ClaimCluster(ctx, "none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown cluster: %v", err)
	}
	c, created, err := s.OpenClaimCase(ctx, "analyst:a", "fast", now)
	if err != nil || !created || c.Category != "false-claim" || c.Count != 2 || len(c.Platforms) != 2 {
		t.Fatalf("OpenClaimCase: %+v created=%v err=%v", c, created, err)
	}
	if again, created, err := s.OpenClaimCase(ctx, "analyst:a", "fast", now); err != nil || created || again.ID != c.ID {
		t.Fatalf("second OpenClaimCase: %+v created=%v err=%v", again, created, err)
	}
	if ps := must(s.ListPosts(ctx, store.PostQuery{CaseID: c.ID})); len(ps) != 2 {
		t.Fatalf("%d posts filed under the claim case, want 2", len(ps))
	}
	// The next refresh has neither: the one with a case stays, with it.
	if err := s.SaveClaimClusters(ctx, nil, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	cs = must(s.ListClaimClusters(ctx, 10))
	if len(cs) != 1 || cs[0].Key != "fast" || cs[0].CaseID != c.ID {
		t.Fatalf("after an empty refresh: %+v", cs)
	}
	// A refresh that has it again keeps its case.
	fast.Growth = 7
	if err := s.SaveClaimClusters(ctx, []store.ClaimCluster{fast}, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := must(s.ClaimCluster(ctx, "fast")); got.CaseID != c.ID || got.Growth != 7 {
		t.Fatalf("after a refresh: %+v", got)
	}
}
