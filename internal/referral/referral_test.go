package referral

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/review"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// intake is a platform's receiving endpoint: it checks the signature as a
// platform would, can fail a number of requests with 503 first, and keeps
// what it received.
type intake struct {
	clock    *clock
	mu       sync.Mutex
	failures int
	got      []notify.Payload
	keys     []string
	bad      int
}

func (p *intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := notify.Verify(secret, r.Header.Get(notify.SignatureHeader), body, p.clock.Now(), notify.DefaultTolerance); err != nil {
		p.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if p.failures > 0 {
		p.failures--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var pl notify.Payload
	if err := json.Unmarshal(body, &pl); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.got = append(p.got, pl)
	p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
	w.WriteHeader(http.StatusAccepted)
}

// clock is the test's time, shared by Basira and the platform.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	db     *sqlstore.DB
	wf     *review.Workflow
	svc    *Service
	intake *intake
	clock  *clock
	posts  int // posts made so far, for unique ids
}

func newFixture(t *testing.T, platforms ...string) *fixture {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "basira.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Now()}
	f := &fixture{db: db, intake: &intake{clock: c}, clock: c}
	srv := httptest.NewServer(f.intake)
	t.Cleanup(srv.Close)
	cfg := &Config{CallbackURL: "https://basira.example.org/v1/referrals", Platforms: map[string]notify.Platform{}}
	for _, p := range platforms {
		cfg.Platforms[p] = notify.Platform{Name: p, Webhook: srv.URL + "/" + p, Secret: secret, SLA: 24 * time.Hour, MaxAttempts: 3}
	}
	f.wf = &review.Workflow{Store: db, Now: c.Now}
	f.svc = New(db, cfg, Options{Now: c.Now, Logger: slog.New(slog.DiscardHandler)})
	return f
}

// decided opens one case whose posts are on the given platforms (one
// post each, with a rule signal), and decides it action as an analyst.
func (f *fixture) decided(t *testing.T, action string, platforms ...string) int64 {
	t.Helper()
	ctx := context.Background()
	var ps []*post.Post
	for _, p := range platforms {
		i := f.posts
		f.posts++
		ps = append(ps, &post.Post{ID: fmt.Sprintf("%s-%d", p, i), Platform: p, URL: "https://" + p + ".example/p/" + fmt.Sprint(i),
			Author: "a:00112233", Text: "انفروا خفافا وثقالا"})
	}
	res, err := f.db.PutPosts(ctx, "test", "test", ps)
	if err != nil {
		t.Fatal(err)
	}
	var batch []store.Processing
	for i, key := range res.New {
		batch = append(batch, store.Processing{
			PostKey: key, ClusterKey: fmt.Sprint("cluster-", f.posts), Category: "incitement", Severity: detect.High, Score: 0.9, Priority: 3,
			Signals:  []detect.Signal{{Detector: "rules", Kind: detect.KindRule, Rule: "incite-1", Label: "incitement", Severity: detect.High, Score: 0.9, Evidence: strings.Repeat("انفروا ", 100)}},
			Platform: platforms[i], Seen: f.clock.Now(),
		})
	}
	out, err := f.db.RecordProcessing(ctx, "worker", batch)
	if err != nil {
		t.Fatal(err)
	}
	id := out[0].CaseID
	if _, err := f.wf.Claim(ctx, "analyst:alice", id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wf.Decide(ctx, "analyst:alice", id, review.DecisionInput{Action: action, Rationale: "explicit call to violence"}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) status(t *testing.T, id int64) store.Status {
	t.Helper()
	c, err := f.db.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

func (f *fixture) referral(t *testing.T, id string) *notify.Referral {
	t.Helper()
	r, err := f.db.Referral(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReferAndDeliver(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "telegram")
	// "x" has no webhook: only the telegram post is referred.
	id := f.decided(t, store.ActionRefer, "telegram", "x")
	debunk := f.decided(t, store.ActionDebunk, "telegram")

	created, attempted, err := f.svc.RunOnce(ctx)
	if err != nil || created != 1 || attempted != 1 {
		t.Fatalf("RunOnce = %d created, %d attempted, %v; want 1, 1", created, attempted, err)
	}
	// A second pass (or a restart) creates and sends nothing more.
	if created, attempted, err := f.svc.RunOnce(ctx); err != nil || created != 0 || attempted != 0 {
		t.Fatalf("second RunOnce = %d, %d, %v; want nothing", created, attempted, err)
	}
	rid := notify.ReferralID(id, "telegram")
	if len(f.intake.got) != 1 || f.intake.keys[0] != rid || f.intake.bad != 0 {
		t.Fatalf("platform received %d (keys %v, %d bad signatures), want one %s", len(f.intake.got), f.intake.keys, f.intake.bad, rid)
	}
	pl := f.intake.got[0]
	if pl.CaseID != id || pl.Category != "incitement" || len(pl.Content) != 1 || pl.Content[0].PlatformPostID != "telegram-0" ||
		pl.Content[0].URL != "https://telegram.example/p/0" || pl.Decision.Action != "refer" || pl.Decision.Rationale != "explicit call to violence" ||
		pl.CallbackURL != "https://basira.example.org/v1/referrals/"+rid+"/status" {
		t.Fatalf("payload %+v", pl)
	}
	if len(pl.Evidence) != 1 || pl.Evidence[0].Detector != "rules" || len([]rune(pl.Evidence[0].Excerpt)) != MaxExcerpt {
		t.Fatalf("evidence %+v, want one rules signal cut to %d runes", pl.Evidence, MaxExcerpt)
	}
	r := f.referral(t, rid)
	if strings.Contains(string(r.Payload), "a:00112233") || strings.Contains(string(r.Payload), "author") {
		t.Fatalf("the payload names the author: %s", r.Payload)
	}
	if r.Status != notify.Sent || r.Attempts != 1 || !r.Deadline.Equal(f.clock.Now().Add(24*time.Hour).UTC().Truncate(time.Microsecond)) {
		t.Fatalf("referral %+v", r)
	}
	if s := f.status(t, id); s != store.StatusActioned {
		t.Fatalf("case %d is %s, want actioned", id, s)
	}
	if s := f.status(t, debunk); s != store.StatusDecided {
		t.Fatalf("a debunk case was touched: %s", s)
	}
	if rs, _ := f.db.ListReferrals(ctx, notify.ReferralQuery{CaseID: debunk}); len(rs) != 0 {
		t.Fatalf("a debunk case was referred: %v", rs)
	}
	// The chain holds, with create, sent and the case's actioned entry.
	es, err := f.db.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var v audit.Verifier
	var referralEntries []string
	for _, e := range es {
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
		if e.Action == audit.ActionReferral {
			referralEntries = append(referralEntries, e.Object)
		}
	}
	want := []string{"referral:" + rid, "referral:" + rid, fmt.Sprintf("case:%d", id)}
	if strings.Join(referralEntries, " ") != strings.Join(want, " ") {
		t.Fatalf("referral audit entries %v, want %v", referralEntries, want)
	}
}

func TestRetryAndDeadLetter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "telegram")
	f.intake.failures = 1
	id := f.decided(t, store.ActionRefer, "telegram")
	rid := notify.ReferralID(id, "telegram")
	if _, _, err := f.svc.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	r := f.referral(t, rid)
	if r.Status != notify.Pending || r.Attempts != 1 || !strings.Contains(r.LastError, "503") || f.status(t, id) != store.StatusDecided {
		t.Fatalf("after a 503: %+v, case %s", r, f.status(t, id))
	}
	// Not before its back-off…
	if _, n, _ := f.svc.RunOnce(ctx); n != 0 {
		t.Fatalf("retried before the back-off: %d", n)
	}
	// …then sent.
	f.clock.Add(notify.Backoff(1))
	if _, n, err := f.svc.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("retry: %d, %v", n, err)
	}
	if r := f.referral(t, rid); r.Status != notify.Sent || r.Attempts != 2 || f.status(t, id) != store.StatusActioned {
		t.Fatalf("after the retry: %+v", r)
	}

	// A platform that keeps failing: failed after MaxAttempts (3), case
	// left decided for an analyst to see.
	f.intake.failures = 100
	id2 := f.decided(t, store.ActionRefer, "telegram", "telegram")
	for range 3 {
		if _, _, err := f.svc.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
	}
	if r := f.referral(t, notify.ReferralID(id2, "telegram")); r.Status != notify.Failed || r.Attempts != 3 || f.status(t, id2) != store.StatusDecided {
		t.Fatalf("dead letter: %s %d %q, case %s", r.Status, r.Attempts, r.LastError, f.status(t, id2))
	}
}

// TestDecisionChecked: a referral whose case was appealed before it left
// is not sent.
func TestDecisionChecked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "telegram", "x")
	id := f.decided(t, store.ActionRefer, "telegram", "x")
	if n, err := f.svc.Create(ctx); n != 2 || err != nil {
		t.Fatalf("Create = %d, %v; want 2", n, err)
	}
	// Deliver only telegram's: the case becomes actioned, then is appealed.
	r := f.referral(t, notify.ReferralID(id, "telegram"))
	if err := f.svc.dispatcher.Attempt(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wf.Appeal(ctx, "platform:x", id, "the user says it is a quote"); err != nil {
		t.Fatal(err)
	}
	if _, n, err := f.svc.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("RunOnce: %d, %v", n, err)
	}
	x := f.referral(t, notify.ReferralID(id, "x"))
	if x.Status != notify.Failed || !strings.Contains(x.LastError, "no analyst decision") || len(f.intake.got) != 1 {
		t.Fatalf("x's referral after the appeal: %+v (platform got %d)", x, len(f.intake.got))
	}
}

// TestCrashBetweenSendAndActioned: a referral stored as sent whose case is
// still decided (the process died in between) moves the case on the next
// pass, without sending again.
func TestCrashBetweenSendAndActioned(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "telegram")
	id := f.decided(t, store.ActionRefer, "telegram")
	if _, err := f.svc.Create(ctx); err != nil {
		t.Fatal(err)
	}
	r := f.referral(t, notify.ReferralID(id, "telegram"))
	r.Status, r.Attempts, r.SentAt = notify.Sent, 1, f.clock.Now()
	if err := f.db.UpdateReferral(ctx, r); err != nil {
		t.Fatal(err)
	}
	if created, attempted, err := f.svc.RunOnce(ctx); created != 0 || attempted != 0 || err != nil {
		t.Fatalf("RunOnce = %d, %d, %v", created, attempted, err)
	}
	if s := f.status(t, id); s != store.StatusActioned || len(f.intake.got) != 0 {
		t.Fatalf("case %s, platform got %d; want actioned and nothing sent", s, len(f.intake.got))
	}
}
