package server

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
	"sync/atomic"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/referral"
	"github.com/basira-org/basira/internal/server/auth"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// TestReferralEndToEnd: an analyst decides a case "refer" through the
// API; the referral service sends it, signed, to a platform that checks
// the signature; the case becomes actioned; the platform answers through
// the API and the answer is stored and audited.
func TestReferralEndToEnd(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "basira.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var tokens auth.Store
	// The API's clock can move on, to see a referral overdue.
	var skew atomic.Int64
	apiNow := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	e := newEnvOn(t, db, Config{Now: apiNow}, func(d *Deps) { d.Referrals = db; tokens = d.Tokens })
	// The platform's own token is named like the platform.
	telegramToken, _, err := tokens.Create(ctx, "telegram", auth.Platform)
	if err != nil {
		t.Fatal(err)
	}

	secret := []byte("e2e-secret-0123456789abcdef")
	var mu sync.Mutex
	var received []notify.Payload
	badSignatures := 0
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := notify.Verify(secret, r.Header.Get(notify.SignatureHeader), body, time.Now(), notify.DefaultTolerance); err != nil {
			badSignatures++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p notify.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		received = append(received, p)
		w.WriteHeader(http.StatusOK)
	}))
	defer platform.Close()
	svc := referral.New(db, &referral.Config{
		CallbackURL: e.ts.URL + "/v1/referrals",
		Platforms:   map[string]notify.Platform{"telegram": {Name: "telegram", Webhook: platform.URL, Secret: secret, SLA: time.Hour}},
	}, referral.Options{Logger: slog.New(slog.DiscardHandler)})

	// The analyst refers a case.
	id := seedCases(t, db, 2)[0]
	e.json(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/claim", id), nil, 200, nil)
	e.json(auth.Analyst, "POST", fmt.Sprintf("/v1/cases/%d/decision", id), DecisionRequest{Action: "refer", Rationale: "call to join the fighting"}, 200, nil)
	var list struct{ Referrals []notify.Referral }
	e.json(auth.Viewer, "GET", fmt.Sprintf("/v1/referrals?case_id=%d", id), nil, 200, &list)
	if len(list.Referrals) != 0 {
		t.Fatalf("referrals before the service ran: %+v", list.Referrals)
	}

	// The service sends it.
	if created, attempted, err := svc.RunOnce(ctx); created != 1 || attempted != 1 || err != nil {
		t.Fatalf("RunOnce = %d, %d, %v", created, attempted, err)
	}
	rid := notify.ReferralID(id, "telegram")
	mu.Lock()
	if len(received) != 1 || badSignatures != 0 || received[0].ReferralID != rid || len(received[0].Content) != 2 ||
		received[0].Decision.Rationale != "call to join the fighting" || received[0].CallbackURL != e.ts.URL+"/v1/referrals/"+rid+"/status" {
		t.Fatalf("platform received %+v (%d bad signatures)", received, badSignatures)
	}
	mu.Unlock()
	e.json(auth.Viewer, "GET", fmt.Sprintf("/v1/referrals?case_id=%d", id), nil, 200, &list)
	if len(list.Referrals) != 1 || list.Referrals[0].ID != rid || list.Referrals[0].Status != notify.Sent {
		t.Fatalf("listed %+v", list.Referrals)
	}
	var c store.Case
	e.json(auth.Viewer, "GET", fmt.Sprintf("/v1/cases/%d", id), nil, 200, &struct{ Case *store.Case }{&c})
	if c.Status != store.StatusActioned {
		t.Fatalf("case is %s, want actioned", c.Status)
	}

	// Overdue once its one-hour SLA has passed unanswered.
	e.json(auth.Viewer, "GET", "/v1/referrals?overdue=true", nil, 200, &list)
	if len(list.Referrals) != 0 {
		t.Fatalf("overdue within the SLA: %+v", list.Referrals)
	}
	skew.Store(int64(2 * time.Hour))
	e.json(auth.Viewer, "GET", "/v1/referrals?overdue=true", nil, 200, &list)
	if len(list.Referrals) != 1 || list.Referrals[0].ID != rid {
		t.Fatalf("overdue after the SLA: %+v", list.Referrals)
	}

	// The platform answers. Errors first.
	answer := func(token string, body string) (int, []byte) {
		req, _ := http.NewRequest("POST", e.ts.URL+"/v1/referrals/"+rid+"/status", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, tc := range []struct {
		name, token, body string
		want              Code
	}{
		{"another platform's token", e.tokens[auth.Platform], `{"status":"removed"}`, CodeNotFound},
		{"a viewer", e.tokens[auth.Viewer], `{"status":"removed"}`, CodeForbidden},
		{"bad status", telegramToken, `{"status":"deleted"}`, CodeInvalidParameter},
		{"unknown field", telegramToken, `{"status":"removed","reason":"x"}`, CodeInvalidJSON},
	} {
		code, b := answer(tc.token, tc.body)
		if got := apiError(t, code, b).Code; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	code, b, _ := e.do(auth.Admin, "GET", "/v1/referrals/ref-999-telegram", "", nil)
	if apiError(t, code, b).Code != CodeNotFound {
		t.Fatalf("missing referral: %d %s", code, b)
	}
	code, b = answer(telegramToken, `{"status":"acknowledged","note":"queued for review"}`)
	if code != 200 {
		t.Fatalf("acknowledging: %d %s", code, b)
	}
	code, b = answer(telegramToken, `{"status":"removed","note":"taken down under our violent extremism policy"}`)
	if code != 200 {
		t.Fatalf("removing: %d %s", code, b)
	}
	code, b = answer(telegramToken, `{"status":"declined"}`)
	if apiError(t, code, b).Code != CodeInvalidTransition {
		t.Fatalf("a final answer changed: %d %s", code, b)
	}
	var got notify.Referral
	e.json(auth.Analyst, "GET", "/v1/referrals/"+rid, nil, 200, &got)
	if got.Status != notify.Removed || got.Answer != "taken down under our violent extremism policy" {
		t.Fatalf("stored referral %+v", got)
	}
	e.json(auth.Viewer, "GET", "/v1/referrals?status=removed&platform=telegram", nil, 200, &list)
	if len(list.Referrals) != 1 {
		t.Fatalf("filtered list %+v", list.Referrals)
	}
	// Sent with a one-hour SLA and answered: never overdue.
	e.json(auth.Viewer, "GET", "/v1/referrals?overdue=true", nil, 200, &list)
	if len(list.Referrals) != 0 {
		t.Fatalf("an answered referral is listed overdue: %+v", list.Referrals)
	}
	code, b, _ = e.do(auth.Viewer, "GET", "/v1/referrals?overdue=maybe", "", nil)
	if apiError(t, code, b).Code != CodeInvalidParameter {
		t.Fatalf("bad overdue filter: %d %s", code, b)
	}
	code, b, _ = e.do(auth.Viewer, "GET", "/v1/referrals?status=gone", "", nil)
	if apiError(t, code, b).Code != CodeInvalidParameter {
		t.Fatalf("bad status filter: %d %s", code, b)
	}

	// The answers are in the audit log, by the platform, in an intact chain.
	es, err := db.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var v audit.Verifier
	answers := 0
	for _, en := range es {
		if err := v.Next(en); err != nil {
			t.Fatal(err)
		}
		if en.Action == audit.ActionReferral && en.Actor == "platform:telegram" {
			answers++
		}
	}
	if answers != 2 {
		t.Fatalf("%d audited answers by platform:telegram, want 2", answers)
	}
}

func TestReferralsNotConfigured(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	code, b, _ := e.do(auth.Viewer, "GET", "/v1/referrals", "", nil)
	if apiError(t, code, b).Code != CodeNotConfigured {
		t.Fatalf("%d %s", code, b)
	}
}
