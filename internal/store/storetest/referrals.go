package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/store"
)

// ReferralStore is what a store that keeps referrals has (sqlstore.DB).
type ReferralStore interface {
	store.Store
	notify.Store
	ListReferrals(ctx context.Context, q notify.ReferralQuery) ([]*notify.Referral, error)
	AnswerReferral(ctx context.Context, actor, id, status, note string, now time.Time) (*notify.Referral, error)
}

func referralStore(t *testing.T, s store.Store) ReferralStore {
	rs, ok := s.(ReferralStore)
	if !ok {
		t.Fatalf("%T does not keep referrals (notify.Store, ListReferrals, AnswerReferral)", s)
	}
	return rs
}

func referralAudits(t *testing.T, s store.Store) int {
	t.Helper()
	verifyAudit(t, s)
	n := 0
	for _, e := range must(s.AuditEntries(context.Background(), 0, 10000)) {
		if e.Action == audit.ActionReferral {
			n++
		}
	}
	return n
}

func testReferralLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	rs := referralStore(t, s)
	ids := openCases(t, s, 2)
	at := time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.UTC)
	r := &notify.Referral{
		ID: notify.ReferralID(ids[0], "x"), CaseID: ids[0], Platform: "x", Status: notify.Pending,
		Payload: []byte(`{"case_id":1,"content":[{"platform_post_id":"0"}]}`), CreatedAt: at, UpdatedAt: at,
	}
	if !must(rs.CreateReferral(ctx, r)) {
		t.Fatal("first CreateReferral did not insert")
	}
	// Creating again (a second pass, a restart) changes nothing.
	again := *r
	again.Payload = []byte(`{"other":true}`)
	if must(rs.CreateReferral(ctx, &again)) {
		t.Fatal("second CreateReferral with the same id inserted")
	}
	got := must(rs.Referral(ctx, r.ID))
	if string(got.Payload) != string(r.Payload) || got.Status != notify.Pending || !got.CreatedAt.Equal(at) {
		t.Fatalf("stored referral %+v, want the first one", got)
	}
	// A new referral is due at once; a retry is due at its NextAttempt.
	if due := must(rs.DueReferrals(ctx, at, 10)); len(due) != 1 || due[0].ID != r.ID {
		t.Fatalf("due %v, want %s", due, r.ID)
	}
	got.Attempts, got.LastError, got.NextAttempt = 1, "HTTP 503", at.Add(time.Minute)
	must(0, rs.UpdateReferral(ctx, got))
	if due := must(rs.DueReferrals(ctx, at.Add(59*time.Second), 10)); len(due) != 0 {
		t.Fatalf("referral due before its next attempt: %v", due)
	}
	if due := must(rs.DueReferrals(ctx, at.Add(time.Minute), 10)); len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "HTTP 503" {
		t.Fatalf("due after back-off %+v", due)
	}
	sent := at.Add(time.Minute)
	got.Attempts, got.Status, got.SentAt, got.Deadline, got.LastError, got.NextAttempt = 2, notify.Sent, sent, sent.Add(24*time.Hour), "", time.Time{}
	must(0, rs.UpdateReferral(ctx, got))
	if due := must(rs.DueReferrals(ctx, at.Add(time.Hour), 10)); len(due) != 0 {
		t.Fatalf("a sent referral is still due: %v", due)
	}
	got = must(rs.Referral(ctx, r.ID))
	if got.Status != notify.Sent || !got.SentAt.Equal(sent) || !got.Deadline.Equal(sent.Add(24*time.Hour)) || !got.NextAttempt.IsZero() || got.Attempts != 2 {
		t.Fatalf("after sending: %+v", got)
	}

	// The platform answers; final answers are final.
	a := must(rs.AnswerReferral(ctx, "platform:x", r.ID, notify.Acknowledged, "in review", sent.Add(time.Hour)))
	if a.Status != notify.Acknowledged || a.Answer != "in review" {
		t.Fatalf("after acknowledging: %+v", a)
	}
	a = must(rs.AnswerReferral(ctx, "platform:x", r.ID, notify.Removed, "taken down", sent.Add(2*time.Hour)))
	if a.Status != notify.Removed {
		t.Fatalf("after removal: %+v", a)
	}
	if _, err := rs.AnswerReferral(ctx, "platform:x", r.ID, notify.Declined, "", sent); !errors.Is(err, notify.ErrTransition) {
		t.Fatalf("declining a removed referral: err %v, want ErrTransition", err)
	}
	if _, err := rs.AnswerReferral(ctx, "platform:x", "ref-missing", notify.Removed, "", sent); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("answering a missing referral: err %v, want ErrNotFound", err)
	}
	// A late delivery outcome does not undo the platform's answer.
	stale := *got
	stale.Status = notify.Pending
	if err := rs.UpdateReferral(ctx, &stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("moving an answered referral back: err %v, want ErrConflict", err)
	}
	if got := must(rs.Referral(ctx, r.ID)); got.Status != notify.Removed || got.Answer != "taken down" {
		t.Fatalf("stored answer %+v", got)
	}
	if _, err := rs.Referral(ctx, "ref-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing referral: err %v, want ErrNotFound", err)
	}
	// create, pending→sent, sent→acknowledged, acknowledged→removed: four
	// audited changes (a retry that stays pending is not a change).
	if n := referralAudits(t, s); n != 4 {
		t.Fatalf("%d referral audit entries, want 4", n)
	}

	// Listing filters by case, status and platform, newest first.
	r2 := &notify.Referral{ID: notify.ReferralID(ids[1], "y"), CaseID: ids[1], Platform: "y", Payload: []byte(`{}`), CreatedAt: at.Add(time.Hour)}
	must(rs.CreateReferral(ctx, r2))
	r3 := &notify.Referral{ID: notify.ReferralID(ids[1], "z"), CaseID: ids[1], Platform: "z", Payload: []byte(`{}`), CreatedAt: at.Add(-time.Hour)}
	must(rs.CreateReferral(ctx, r3))
	r3.Status, r3.Attempts, r3.SentAt, r3.Deadline = notify.Sent, 1, sent, sent.Add(time.Hour)
	must(0, rs.UpdateReferral(ctx, r3))
	for _, tc := range []struct {
		q    notify.ReferralQuery
		want []string
	}{
		{notify.ReferralQuery{OverdueAt: sent.Add(59 * time.Minute)}, nil},
		{notify.ReferralQuery{OverdueAt: sent.Add(2 * time.Hour)}, []string{r3.ID}},
		{notify.ReferralQuery{OverdueAt: sent.Add(2 * time.Hour), Platform: "x"}, nil},
		{notify.ReferralQuery{}, []string{r2.ID, r.ID, r3.ID}},
		{notify.ReferralQuery{CaseID: ids[0]}, []string{r.ID}},
		{notify.ReferralQuery{Status: notify.Pending}, []string{r2.ID}},
		{notify.ReferralQuery{Platform: "x"}, []string{r.ID}},
		{notify.ReferralQuery{Status: notify.Failed}, nil},
		{notify.ReferralQuery{Limit: 1}, []string{r2.ID}},
		// r's 24 h deadline passed too, but it was answered: not overdue.
		{notify.ReferralQuery{OverdueAt: sent.Add(48 * time.Hour)}, []string{r3.ID}},
	} {
		rs := must(rs.ListReferrals(ctx, tc.q))
		var gotIDs []string
		for _, r := range rs {
			gotIDs = append(gotIDs, r.ID)
		}
		if len(gotIDs) != len(tc.want) || (len(gotIDs) > 0 && gotIDs[0] != tc.want[0]) {
			t.Errorf("ListReferrals(%+v) = %v, want %v", tc.q, gotIDs, tc.want)
		}
	}
}

// testConcurrentReferralCreate: many passes creating the same referral at
// once (several serve processes) insert it exactly once.
func testConcurrentReferralCreate(t *testing.T, s store.Store) {
	ctx := context.Background()
	rs := referralStore(t, s)
	id := openCases(t, s, 1)[0]
	var wg sync.WaitGroup
	var mu sync.Mutex
	inserted := 0
	var firstErr error
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := rs.CreateReferral(ctx, &notify.Referral{ID: notify.ReferralID(id, "x"), CaseID: id, Platform: "x", Payload: []byte(`{}`)})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if ok {
				inserted++
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if inserted != 1 {
		t.Fatalf("%d concurrent creates inserted, want 1", inserted)
	}
	if n := referralAudits(t, s); n != 1 {
		t.Fatalf("%d referral audit entries, want 1", n)
	}
}

// testReferralLease: a referral DueReferrals returned is not returned
// again, to this or another dispatcher, until its attempt is recorded or
// the lease runs out (a dispatcher that died mid-attempt).
func testReferralLease(t *testing.T, s store.Store) {
	ctx := context.Background()
	rs := referralStore(t, s)
	ids := openCases(t, s, 20)
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, id := range ids {
		must(rs.CreateReferral(ctx, &notify.Referral{ID: notify.ReferralID(id, "x"), CaseID: id, Platform: "x", Payload: []byte(`{}`), CreatedAt: at}))
	}
	// Four dispatchers at once share the 20 due referrals without overlap.
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]int{}
	var firstErr error
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Bounded: a store that does not lease would hand out the same
			// referrals for ever.
			for range 20 {
				due, err := rs.DueReferrals(ctx, at, 3)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				for _, r := range due {
					seen[r.ID]++
				}
				mu.Unlock()
				if err != nil || len(due) == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if len(seen) != 20 {
		t.Fatalf("%d referrals handed out, want 20", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("referral %s handed out %d times", id, n)
		}
	}
	// Recording an outcome ends the lease: a retry is due at its time.
	r := must(rs.Referral(ctx, notify.ReferralID(ids[0], "x")))
	r.Attempts, r.LastError, r.NextAttempt = 1, "HTTP 503", at.Add(time.Minute)
	must(0, rs.UpdateReferral(ctx, r))
	if due := must(rs.DueReferrals(ctx, at.Add(time.Minute), 100)); len(due) != 1 || due[0].ID != r.ID {
		t.Fatalf("due after the back-off: %v, want only %s", due, r.ID)
	}
	// The others come back once the lease runs out.
	if due := must(rs.DueReferrals(ctx, at.Add(time.Hour), 100)); len(due) != 20 {
		t.Fatalf("%d due after the lease, want 20", len(due))
	}
}
