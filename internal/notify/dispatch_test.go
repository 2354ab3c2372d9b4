package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"
)

// memStore keeps referrals in a map: the minimal faithful implementation
// of the Store contract (idempotent create, due selection) for the
// dispatcher's tests. The service's store is sqlstore.DB, checked by the
// conformance suite (internal/store/storetest).
type memStore struct {
	mu sync.Mutex
	m  map[string]Referral
}

func (s *memStore) CreateReferral(_ context.Context, r *Referral) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[r.ID]; ok {
		return false, nil
	}
	s.m[r.ID] = *r
	return true, nil
}

func (s *memStore) DueReferrals(_ context.Context, now time.Time, limit int) ([]*Referral, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Referral
	for _, r := range s.m {
		if r.Status == Pending && !r.NextAttempt.After(now) {
			c := r
			out = append(out, &c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out[:min(len(out), limit)], nil
}

func (s *memStore) UpdateReferral(_ context.Context, r *Referral) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[r.ID] = *r
	return nil
}

func (s *memStore) Referral(_ context.Context, id string) (*Referral, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.m[id]
	return &r, nil
}

// platform is a local intake endpoint that verifies signatures like a
// platform would, fails the first `failures` requests with 503, and
// remembers the idempotency keys it saw.
type platform struct {
	mu       sync.Mutex
	secret   []byte
	failures int
	status   int
	keys     []string
	bodies   []Payload
	bad      int
}

func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := Verify(p.secret, r.Header.Get(SignatureHeader), body, time.Now(), DefaultTolerance); err != nil {
		p.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
	if p.failures > 0 {
		p.failures--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var pl Payload
	json.Unmarshal(body, &pl)
	p.bodies = append(p.bodies, pl)
	if p.status != 0 {
		http.Error(w, "no", p.status)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func newReferral(t *testing.T, caseID int64, plat string) *Referral {
	t.Helper()
	id := ReferralID(caseID, plat)
	body, err := json.Marshal(Payload{ReferralID: id, CaseID: caseID, Category: "incitement",
		Content:  []Content{{PlatformPostID: "123", URL: "https://x.example/123"}},
		Evidence: []Evidence{{Detector: "rules", Label: "incitement", Score: 1, Excerpt: "…"}},
		Decision: PayloadDecided{Action: "refer", Rationale: "explicit call to violence", DecidedAt: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	return &Referral{ID: id, CaseID: caseID, Platform: plat, Status: Pending, Payload: body, CreatedAt: time.Now()}
}

func TestDispatchRetriesThenSends(t *testing.T) {
	ctx := context.Background()
	recv := &platform{secret: []byte("k1"), failures: 2}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	st := &memStore{m: map[string]Referral{}}
	clock := time.Now()
	var sent []string
	d := &Dispatcher{Store: st, Now: func() time.Time { return clock },
		Platforms: map[string]Platform{"x": {Name: "x", Webhook: srv.URL, Secret: []byte("k1"), SLA: 24 * time.Hour}},
		OnSent:    func(_ context.Context, r *Referral) error { sent = append(sent, r.ID); return nil }}

	r := newReferral(t, 7, "x")
	if ok, _ := st.CreateReferral(ctx, r); !ok {
		t.Fatal("not created")
	}
	if ok, _ := st.CreateReferral(ctx, newReferral(t, 7, "x")); ok {
		t.Fatal("a second referral of the same case to the same platform was created")
	}
	n, err := d.RunOnce(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	got, _ := st.Referral(ctx, r.ID)
	if got.Status != Pending || got.Attempts != 1 || !got.NextAttempt.Equal(clock.Add(30*time.Second)) || got.LastError == "" {
		t.Fatalf("after a 503: %+v", got)
	}
	if n, _ := d.RunOnce(ctx); n != 0 {
		t.Fatal("retried before its back-off")
	}
	clock = clock.Add(31 * time.Second)
	d.RunOnce(ctx)
	clock = clock.Add(61 * time.Second)
	d.RunOnce(ctx)
	got, _ = st.Referral(ctx, r.ID)
	if got.Status != Sent || got.Attempts != 3 || !got.Deadline.Equal(clock.Add(24*time.Hour)) || len(sent) != 1 {
		t.Fatalf("after recovery: %+v, sent %v", got, sent)
	}
	if recv.bad != 0 || len(recv.keys) != 3 || recv.keys[0] != "ref-7-x" || recv.keys[2] != "ref-7-x" {
		t.Errorf("receiver: bad signatures %d, keys %v", recv.bad, recv.keys)
	}
	if len(recv.bodies) != 1 || recv.bodies[0].Decision.Rationale != "explicit call to violence" || recv.bodies[0].Content[0].PlatformPostID != "123" {
		t.Errorf("payload = %+v", recv.bodies)
	}
	if !got.Overdue(clock.Add(25 * time.Hour)) {
		t.Error("a sent referral past its SLA should be overdue")
	}
}

func TestDispatchPermanentFailures(t *testing.T) {
	ctx := context.Background()
	recv := &platform{secret: []byte("right"), status: http.StatusUnprocessableEntity}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	st := &memStore{m: map[string]Referral{}}
	d := &Dispatcher{Store: st, Platforms: map[string]Platform{
		"x":     {Name: "x", Webhook: srv.URL, Secret: []byte("right")},
		"wrong": {Name: "wrong", Webhook: srv.URL, Secret: []byte("wrong"), MaxAttempts: 1},
	}}
	for _, plat := range []string{"x", "wrong", "unknown"} {
		st.CreateReferral(ctx, newReferral(t, 1, plat))
	}
	d.RunOnce(ctx)
	for _, plat := range []string{"x", "wrong", "unknown"} {
		got, _ := st.Referral(ctx, ReferralID(1, plat))
		if got.Status != Failed || got.LastError == "" {
			t.Errorf("%s: %+v, want failed with a reason", plat, got)
		}
	}
	if recv.bad != 1 {
		t.Errorf("the receiver should have refused one bad signature, refused %d", recv.bad)
	}
}
