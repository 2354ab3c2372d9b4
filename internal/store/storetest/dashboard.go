package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
)

// testDashboard checks the dashboard's grouped figures on both dialects
// (integer day buckets, delays, dismiss rates).
func testDashboard(t *testing.T, s store.Store) {
	ctx := context.Background()
	dr, ok := s.(store.DashboardReader)
	if !ok {
		t.Fatalf("%T has no Dashboard", s)
	}
	ids := openCases(t, s, 4)
	for i, action := range []string{store.ActionDismiss, store.ActionRefer, store.ActionDismiss} {
		to := store.StatusDismissed
		if action == store.ActionRefer {
			to = store.StatusDecided
		}
		must(s.Transition(ctx, store.Transition{CaseID: ids[i], From: []store.Status{store.StatusNew}, To: to, Actor: "a",
			Decision: &store.Decision{Actor: "a", Action: action, Rationale: "r"}}))
	}
	now := time.Now().UTC()
	until := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	d := must(dr.Dashboard(ctx, until.Add(-3*24*time.Hour), until))
	if len(d.Days) != 3 || d.Days[2].Day != now.Format("2006-01-02") {
		t.Fatalf("days %+v", d.Days)
	}
	if today := d.Days[2]; today.Posts != 4 || today.Cases != 4 || today.Decisions != 3 {
		t.Fatalf("today %+v", today)
	}
	if len(d.Categories) != 1 || d.Categories[0] != (store.KeyCount{Key: "incitement", N: 4}) {
		t.Fatalf("categories %+v", d.Categories)
	}
	// The test posts carry no language: the detected one is counted.
	if len(d.Languages) != 1 || d.Languages[0].N != 4 || d.Languages[0].Key == "" {
		t.Fatalf("languages %+v", d.Languages)
	}
	if len(d.Platforms) != 1 || d.Platforms[0].N != 4 {
		t.Fatalf("platforms %+v", d.Platforms)
	}
	if d.ToDecision.N != 3 || d.ToDecision.Median < 0 || d.ToDecision.P90 < d.ToDecision.Median {
		t.Fatalf("to decision %+v", d.ToDecision)
	}
	if len(d.Dismissals) != 1 || d.Dismissals[0].Decisions != 3 || d.Dismissals[0].Dismissed != 2 || d.Dismissals[0].Rate < 0.66 || d.Dismissals[0].Rate > 0.67 {
		t.Fatalf("dismissals %+v", d.Dismissals)
	}
	// A period before anything happened is empty, not an error.
	old := must(dr.Dashboard(ctx, until.Add(-30*24*time.Hour), until.Add(-20*24*time.Hour)))
	if len(old.Days) != 10 || len(old.Categories) != 0 || old.ToDecision.N != 0 {
		t.Fatalf("empty period %+v", old)
	}
}

// testCaseFilters checks the queue's filters and offset paging.
func testCaseFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := openCases(t, s, 4) // platform x, the last one high severity
	tg := must(s.PutPosts(ctx, "test", "f", []*post.Post{{ID: "t1", Platform: "telegram", Text: "انضموا 100% إلى_القافلة"}})).New
	must(s.RecordProcessing(ctx, "w", []store.Processing{proc(tg[0], "tg", "telegram", time.Now(), sig("recruitment", "low", 0.4))}))
	count := func(q store.CaseQuery) []int64 {
		var out []int64
		for _, c := range must(s.ListCases(ctx, q)) {
			out = append(out, c.ID)
		}
		return out
	}
	if got := count(store.CaseQuery{Severity: "high"}); len(got) != 1 || got[0] != ids[3] {
		t.Errorf("severity high: %v", got)
	}
	if got := count(store.CaseQuery{Platform: "telegram"}); len(got) != 1 || got[0] == ids[0] {
		t.Errorf("platform telegram: %v", got)
	}
	if got := count(store.CaseQuery{Search: "100%"}); len(got) != 1 {
		t.Errorf("search 100%%: %v", got)
	}
	if got := count(store.CaseQuery{Search: "0%"}); len(got) != 1 {
		t.Errorf("search 0%%: %v", got)
	}
	if got := count(store.CaseQuery{Search: "_"}); len(got) != 1 {
		t.Errorf("a search for _ matched %v: LIKE wildcards must be literal", got)
	}
	if got := count(store.CaseQuery{Search: "post number"}); len(got) != 4 {
		t.Errorf("search post number: %v", got)
	}
	all := count(store.CaseQuery{})
	page2 := count(store.CaseQuery{Offset: 2, Limit: 2})
	if len(all) != 5 || len(page2) != 2 || page2[0] != all[2] || page2[1] != all[3] {
		t.Errorf("offset paging: all %v, page 2 %v", all, page2)
	}
}
