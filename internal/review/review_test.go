package review

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

func setup(t *testing.T, n int) (*Workflow, store.Store, []int64) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var ps []*post.Post
	for i := range n {
		ps = append(ps, &post.Post{ID: fmt.Sprint(i), Platform: "x", Text: fmt.Sprint("text ", i)})
	}
	res, err := st.PutPosts(ctx, "t", "t", ps)
	if err != nil {
		t.Fatal(err)
	}
	var batch []store.Processing
	for i, k := range res.New {
		batch = append(batch, store.Processing{PostKey: k, ClusterKey: fmt.Sprint("k", i), Category: "incitement", Severity: "high", Priority: 3, Score: 0.9,
			Signals: []detect.Signal{{Detector: "rules", Label: "incitement", Severity: "high", Score: 0.9}}})
	}
	out, err := st.RecordProcessing(ctx, "w", batch)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, o := range out {
		ids = append(ids, o.CaseID)
	}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	return &Workflow{Store: st, Now: func() time.Time { return now }}, st, ids
}

func TestTransitionTable(t *testing.T) {
	tests := []struct {
		from, to store.Status
		ok       bool
	}{
		{store.StatusNew, store.StatusInReview, true},
		{store.StatusNew, store.StatusDecided, false},
		{store.StatusNew, store.StatusActioned, false},
		{store.StatusInReview, store.StatusDecided, true},
		{store.StatusInReview, store.StatusDismissed, true},
		{store.StatusDecided, store.StatusActioned, true},
		{store.StatusDecided, store.StatusDismissed, false},
		{store.StatusDismissed, store.StatusAppealed, true},
		{store.StatusActioned, store.StatusAppealed, true},
		{store.StatusAppealed, store.StatusInReview, true},
		{store.StatusAppealed, store.StatusActioned, false},
	}
	for _, tc := range tests {
		if got := CanMove(tc.from, tc.to); got != tc.ok {
			t.Errorf("CanMove(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
	if fmt.Sprint(From(store.StatusAppealed)) != "[actioned dismissed]" {
		t.Errorf("From(appealed) = %v", From(store.StatusAppealed))
	}
}

func TestReferralNeedsDecision(t *testing.T) {
	w, st, ids := setup(t, 2)
	ctx := context.Background()
	id := ids[0]
	// Nothing can be sent for a case nobody decided.
	if _, err := w.Actioned(ctx, "notify", id, store.ActionRefer, "referral:x:1"); !errors.Is(err, ErrNoDecision) {
		t.Fatalf("actioning an undecided case: err %v, want ErrNoDecision", err)
	}
	// Deciding needs the lease.
	if _, err := w.Decide(ctx, "alice", id, DecisionInput{Action: store.ActionRefer, Rationale: "call to attack"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("deciding without a lease: err %v, want ErrConflict", err)
	}
	if _, err := w.Claim(ctx, "alice", id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Claim(ctx, "bob", id); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("bob claiming alice's case: err %v", err)
	}
	for _, bad := range []DecisionInput{{Action: store.ActionRefer}, {Action: "delete", Rationale: "x"}} {
		if _, err := w.Decide(ctx, "alice", id, bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("decision %+v: err %v, want ErrInvalid", bad, err)
		}
	}
	c, err := w.Decide(ctx, "alice", id, DecisionInput{Action: store.ActionDebunk, Category: "false-claim", Rationale: "matches a fact-check"})
	if err != nil || c.Status != store.StatusDecided {
		t.Fatalf("decide: %+v %v", c, err)
	}
	// A debunk decision does not authorise a referral.
	if _, err := w.Actioned(ctx, "notify", id, store.ActionRefer, "referral:x:1"); !errors.Is(err, ErrNoDecision) {
		t.Fatalf("referral on a debunk decision: err %v, want ErrNoDecision", err)
	}
	c, err = w.Actioned(ctx, "notify", id, store.ActionDebunk, "debunk:page:7")
	if err != nil || c.Status != store.StatusActioned {
		t.Fatalf("actioned: %+v %v", c, err)
	}
	// Appeal, re-review, dismiss.
	if _, err := w.Appeal(ctx, "platform:x", id, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("appeal without reason: %v", err)
	}
	if c, err = w.Appeal(ctx, "platform:x", id, "satire account"); err != nil || c.Status != store.StatusAppealed {
		t.Fatalf("appeal: %+v %v", c, err)
	}
	if _, err := w.Claim(ctx, "carol", id); err != nil {
		t.Fatal(err)
	}
	if c, err = w.Decide(ctx, "carol", id, DecisionInput{Action: store.ActionDismiss, Rationale: "satire, on second look"}); err != nil || c.Status != store.StatusDismissed {
		t.Fatalf("dismiss after appeal: %+v %v", c, err)
	}
	ds, _ := st.Decisions(ctx, id)
	// The appeal and its reason are in the case's history, between the two
	// decisions; the second decision is the one in force.
	if len(ds) != 3 || ds[1].Action != store.ActionAppeal || ds[1].Rationale != "satire account" || ds[1].Actor != "platform:x" || ds[2].Actor != "carol" {
		t.Fatalf("decisions %+v", ds)
	}
	// Every step is in an intact audit chain.
	es, err := st.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.Verify(es); err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range es {
		actions[e.Action]++
	}
	if actions[audit.ActionDecision] != 2 || actions[audit.ActionReferral] != 1 || actions[audit.ActionCaseState] != 3 {
		t.Fatalf("audit actions %v", actions)
	}
}

func TestEscalateAndRelease(t *testing.T) {
	w, _, ids := setup(t, 3)
	ctx := context.Background()
	c, err := w.Next(ctx, "alice")
	if err != nil || c.ID != ids[0] {
		t.Fatalf("next: %+v %v", c, err)
	}
	if c, err = w.Decide(ctx, "alice", c.ID, DecisionInput{Action: store.ActionEscalate, Rationale: "needs a senior analyst"}); err != nil {
		t.Fatal(err)
	}
	if c.Status != store.StatusNew || c.Priority != 3+EscalationBoost || c.Assignee != "" {
		t.Fatalf("escalated case %+v", c)
	}
	// The escalated case is now first in the queue.
	n, err := w.Next(ctx, "senior")
	if err != nil || n.ID != ids[0] {
		t.Fatalf("senior got %+v %v", n, err)
	}
	if _, err := w.Release(ctx, "bob", n.ID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("bob releasing senior's case: %v", err)
	}
	if r, err := w.Release(ctx, "senior", n.ID); err != nil || r.Status != store.StatusNew {
		t.Fatalf("release: %+v %v", r, err)
	}
}
