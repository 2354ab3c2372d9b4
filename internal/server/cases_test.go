package server

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/review"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// seedCases stores n posts with a rule signal each, folded into cases by
// cluster (two posts per case), as a worker would.
func seedCases(t *testing.T, db store.Store, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var ps []*post.Post
	for i := range n {
		ps = append(ps, &post.Post{ID: fmt.Sprintf("c%d", i), Platform: "telegram", Text: fmt.Sprintf("انفروا خفافا %d", i)})
	}
	res, err := db.PutPosts(ctx, "test", "test", ps)
	if err != nil {
		t.Fatal(err)
	}
	var batch []store.Processing
	for i, key := range res.New {
		batch = append(batch, store.Processing{
			PostKey:    key,
			Signals:    []detect.Signal{{Detector: "rules", Kind: detect.KindRule, Rule: "incite-1", Label: "incitement", Severity: detect.High, Score: 1, Evidence: "انفروا"}},
			ClusterKey: fmt.Sprintf("cluster-%d", i/2), Category: "incitement", Severity: detect.High, Score: 1, Priority: 3,
			Platform: "telegram", Seen: time.Now(),
		})
	}
	out, err := db.RecordProcessing(ctx, "worker", batch)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range out {
		if p.NewCase {
			ids = append(ids, p.CaseID)
		}
	}
	return ids
}

func TestCaseWorkflow(t *testing.T) {
	testCaseWorkflow(t, newEnv(t, Config{}, nil))
}

func testCaseWorkflow(t *testing.T, e *env) {
	ids := seedCases(t, e.db, 6)
	if len(ids) != 3 {
		t.Fatalf("%d cases, want 3", len(ids))
	}
	var list struct{ Cases []store.Case }
	e.json(auth.Viewer, "GET", "/v1/cases?status=new", nil, 200, &list)
	if len(list.Cases) != 3 || list.Cases[0].Count != 2 {
		t.Fatalf("list: %+v", list.Cases)
	}
	e.json(auth.Viewer, "GET", "/v1/cases?status=decided", nil, 200, &list)
	if len(list.Cases) != 0 {
		t.Fatalf("decided: %+v", list.Cases)
	}

	// The detail carries the evidence: posts with their signals.
	var d CaseDetail
	e.json(auth.Viewer, "GET", fmt.Sprintf("/v1/cases/%d", ids[0]), nil, 200, &d)
	if d.Case.ID != ids[0] || len(d.Posts) != 2 || len(d.Posts[0].Signals) != 1 || d.Posts[0].Signals[0].Evidence != "انفروا" {
		t.Fatalf("detail: %+v", d)
	}

	// Deciding needs a lease.
	dec := DecisionRequest{Action: "refer", Category: "incitement", Rationale: "explicit call to violence"}
	path := fmt.Sprintf("/v1/cases/%d", ids[0])
	code, b, _ := e.do(auth.Analyst, "POST", path+"/decision", "application/json", mustJSON(dec))
	if apiError(t, code, b).Code != CodeInvalidTransition {
		t.Fatalf("decide unclaimed: %d %s", code, b)
	}
	// Analyst claims; admin (another person) cannot take the live lease.
	var c store.Case
	e.json(auth.Analyst, "POST", path+"/claim", nil, 200, &c)
	if c.Status != store.StatusInReview || c.Assignee != "analyst:test-analyst" || c.LeaseUntil == nil {
		t.Fatalf("claim: %+v", c)
	}
	code, b, _ = e.do(auth.Admin, "POST", path+"/claim", "", nil)
	if apiError(t, code, b).Code != CodeLeaseHeld {
		t.Fatalf("claim of a leased case: %d %s", code, b)
	}
	code, b, _ = e.do(auth.Admin, "POST", path+"/decision", "application/json", mustJSON(dec))
	if apiError(t, code, b).Code != CodeLeaseHeld {
		t.Fatalf("decide another's case: %d %s", code, b)
	}
	// Validation of the decision body.
	for _, bad := range []DecisionRequest{{Action: "delete", Rationale: "x"}, {Action: "refer"}} {
		code, b, _ := e.do(auth.Analyst, "POST", path+"/decision", "application/json", mustJSON(bad))
		if apiError(t, code, b).Code != CodeInvalidParameter {
			t.Fatalf("bad decision %+v: %d %s", bad, code, b)
		}
	}
	e.json(auth.Analyst, "POST", path+"/decision", dec, 200, &c)
	if c.Status != store.StatusDecided {
		t.Fatalf("decided: %+v", c)
	}
	e.json(auth.Viewer, "GET", path, nil, 200, &d)
	if len(d.Decisions) != 1 || d.Decisions[0].Rationale != dec.Rationale || d.Decisions[0].Actor != "analyst:test-analyst" {
		t.Fatalf("decisions: %+v", d.Decisions)
	}
	// A decided case cannot be decided again.
	code, b, _ = e.do(auth.Analyst, "POST", path+"/decision", "application/json", mustJSON(dec))
	if apiError(t, code, b).Code != CodeInvalidTransition {
		t.Fatalf("decide twice: %d %s", code, b)
	}

	// The queue: next gives the remaining cases, then 204.
	e.json(auth.Analyst, "POST", "/v1/cases/next?lease_seconds=60", nil, 200, &c)
	first := c.ID
	var rel store.Case
	e.json(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/release", first), nil, 200, &rel)
	if rel.Status != store.StatusNew || rel.Assignee != "" || rel.LeaseUntil != nil {
		t.Fatalf("release: %+v", rel)
	}
	e.json(auth.Analyst, "POST", "/v1/cases/next", nil, 200, &c)
	e.json(auth.Analyst, "POST", "/v1/cases/"+fmt.Sprint(c.ID)+"/decision", DecisionRequest{Action: "escalate", Rationale: "needs a senior"}, 200, &c)
	if c.Status != store.StatusNew || c.Priority < review.EscalationBoost {
		t.Fatalf("escalated: %+v", c)
	}
	e.json(auth.Analyst, "POST", "/v1/cases/next", nil, 200, &c)
	e.json(auth.Analyst, "POST", "/v1/cases/"+fmt.Sprint(c.ID)+"/decision", DecisionRequest{Action: "dismiss", Rationale: "news report"}, 200, &c)
	if c.Status != store.StatusDismissed {
		t.Fatalf("dismissed: %+v", c)
	}
	// An analyst appeals the dismissal for the user (a platform may only
	// appeal cases referred to it: TestPlatformActsOnlyOnItsReferrals);
	// the case comes back to review.
	dismissed := c.ID
	code, b, _ = e.do(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/appeal", dismissed), "application/json", mustJSON(AppealRequest{}))
	if apiError(t, code, b).Code != CodeInvalidParameter {
		t.Fatalf("appeal without a reason: %d %s", code, b)
	}
	var ap store.Case
	e.json(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/appeal", dismissed), AppealRequest{Reason: "the post quotes the attacker to condemn him"}, 200, &ap)
	if ap.Status != store.StatusAppealed {
		t.Fatalf("appealed: %+v", ap)
	}
	code, b, _ = e.do(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/appeal", dismissed), "application/json", mustJSON(AppealRequest{Reason: "again"}))
	if apiError(t, code, b).Code != CodeInvalidTransition {
		t.Fatalf("appeal of an appealed case: %d %s", code, b)
	}
	e.json(auth.Analyst, "POST", "/v1/cases/next", nil, 200, &c)
	if c.ID != dismissed {
		t.Fatalf("the appealed case %d should be next, got %d", dismissed, c.ID)
	}
	e.json(auth.Analyst, "POST", "/v1/cases/"+fmt.Sprint(c.ID)+"/decision", DecisionRequest{Action: "dismiss", Rationale: "counter-speech, confirmed"}, 200, &c)
	e.json(auth.Analyst, "POST", "/v1/cases/next", nil, 200, &c)
	code, _, _ = e.do(auth.Analyst, "POST", "/v1/cases/next", "", nil)
	if code != http.StatusNoContent {
		t.Fatalf("empty queue: %d", code)
	}

	// Every transition and decision is in the audit log, which an admin reads.
	var au struct {
		Entries []struct{ Action, Object, Actor string }
	}
	e.json(auth.Admin, "GET", "/v1/audit?limit=1000", nil, 200, &au)
	var got []string
	for _, en := range au.Entries {
		if strings.HasPrefix(en.Object, "case:") && en.Action != "case.open" {
			got = append(got, en.Action)
		}
	}
	joined := strings.Join(got, " ")
	if strings.Count(joined, "case.decision") != 4 || strings.Count(joined, "case.transition") < 4 {
		t.Fatalf("audit of case work: %s", joined)
	}
}

func TestCaseFiltersAndLease(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	seedCases(t, e.db, 4)
	code, b, _ := e.do(auth.Analyst, "POST", "/v1/cases/next?lease_seconds=99999", "", nil)
	if apiError(t, code, b).Code != CodeInvalidParameter {
		t.Fatalf("long lease: %d %s", code, b)
	}
	var c store.Case
	e.json(auth.Analyst, "POST", "/v1/cases/next", nil, 200, &c)
	var list struct{ Cases []store.Case }
	e.json(auth.Viewer, "GET", "/v1/cases?assignee=analyst:test-analyst", nil, 200, &list)
	if len(list.Cases) != 1 || list.Cases[0].ID != c.ID {
		t.Fatalf("by assignee: %+v", list.Cases)
	}
	e.json(auth.Viewer, "GET", "/v1/cases?category=incitement&limit=1", nil, 200, &list)
	if len(list.Cases) != 1 {
		t.Fatalf("limit: %+v", list.Cases)
	}
	// An expired lease can be taken over.
	e2 := e.srv
	e2.cfg.Now = func() time.Time { return time.Now().Add(time.Hour) }
	var c2 store.Case
	e.json(auth.Admin, "POST", fmt.Sprintf("/v1/cases/%d/claim", c.ID), nil, 200, &c2)
	if c2.Assignee != "admin:test-admin" {
		t.Fatalf("takeover: %+v", c2)
	}
}

// TestPlatformActsOnlyOnItsReferrals reproduces issue 15 item 5: a
// platform token appealed any case, another platform's included, got the
// whole case back, and its errors told which case ids exist and their
// status. A platform acts only on cases referred to it, and everything
// else answers exactly as a case that does not exist.
func TestPlatformActsOnlyOnItsReferrals(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "basira.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := newEnvOn(t, db, Config{}, func(d *Deps) { d.Referrals = db })
	ctx := context.Background()
	ids := seedCases(t, db, 8) // four cases
	me := e.names[auth.Platform]
	for i, id := range ids {
		e.json(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/claim", id), nil, 200, nil)
		e.json(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/decision", id), DecisionRequest{Action: "dismiss", Rationale: "news report"}, 200, nil)
		platform := map[int]string{0: me, 1: "another-platform"}[i]
		if platform == "" {
			continue
		}
		if _, err := db.CreateReferral(ctx, &notify.Referral{ID: notify.ReferralID(id, platform), CaseID: id, Platform: platform, Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	mine, theirs, unreferred := ids[0], ids[1], ids[2]
	appeal := func(id int64) (int, string) {
		code, b, _ := e.do(auth.Platform, "POST", fmt.Sprintf("/v1/cases/%d/appeal", id), "application/json", mustJSON(AppealRequest{Reason: "the user says it is news"}))
		return code, strings.ReplaceAll(string(b), fmt.Sprint(id), "ID")
	}
	code, missing := appeal(999999)
	if code != http.StatusNotFound {
		t.Fatalf("missing case: %d %s", code, missing)
	}
	for name, id := range map[string]int64{"another platform's case": theirs, "an unreferred case": unreferred} {
		if c, b := appeal(id); c != code || b != missing {
			t.Errorf("%s: %d %s, want what a missing case answers: %d %s", name, c, b, code, missing)
		}
		if c, _ := db.Case(ctx, id); c.Status != store.StatusDismissed {
			t.Errorf("%s: now %s", name, c.Status)
		}
	}
	// Its own case: appealed, and the answer shows only what the platform
	// needs (id and status), not the case's internals.
	code, b, _ := e.do(auth.Platform, "POST", fmt.Sprintf("/v1/cases/%d/appeal", mine), "application/json", mustJSON(AppealRequest{Reason: "the user says it is news"}))
	var got map[string]any
	mustUnmarshal(t, b, &got)
	if code != 200 || got["status"] != string(store.StatusAppealed) || len(got) != 2 {
		t.Fatalf("own case: %d %s", code, b)
	}
	// Referral answers: another platform's referral looks missing too.
	rid := notify.ReferralID(theirs, "another-platform")
	code, b, _ = e.do(auth.Platform, "POST", "/v1/referrals/"+rid+"/status", "application/json", []byte(`{"status":"removed"}`))
	code2, b2, _ := e.do(auth.Platform, "POST", "/v1/referrals/ref-999999-x/status", "application/json", []byte(`{"status":"removed"}`))
	if code != http.StatusNotFound || code2 != code || strings.ReplaceAll(string(b), rid, "ID") != strings.ReplaceAll(string(b2), "ref-999999-x", "ID") {
		t.Fatalf("another platform's referral: %d %s; a missing one: %d %s", code, b, code2, b2)
	}
	if r, _ := db.Referral(ctx, rid); r.Status != notify.Pending {
		t.Fatalf("another platform's referral answered: %s", r.Status)
	}
}
