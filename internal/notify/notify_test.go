package notify

import (
	"errors"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"referral_id":"ref-1-x"}`)
	now := time.Unix(1793527200, 0)
	h := Sign(secret, now, body)
	if h[:13] != "t=1793527200," {
		t.Fatalf("header = %s", h)
	}
	if err := Verify(secret, h, body, now.Add(time.Minute), DefaultTolerance); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"other secret", []byte("other"), h, body, now, ErrBadSignature},
		{"body changed", secret, h, []byte(`{"referral_id":"ref-2-x"}`), now, ErrBadSignature},
		{"replayed later", secret, h, body, now.Add(time.Hour), ErrStale},
		{"from the future", secret, h, body, now.Add(-time.Hour), ErrStale},
		{"no v1", secret, "t=1793527200", body, now, ErrMalformed},
		{"garbage", secret, "hello", body, now, ErrMalformed},
		{"rotation: second v1 matches", secret, "t=1793527200,v1=00," + h[13:], body, now, nil},
	}
	for _, c := range cases {
		err := Verify(c.secret, c.header, c.body, c.now, DefaultTolerance)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if Backoff(40) != 6*time.Hour {
		t.Errorf("Backoff is not capped: %s", Backoff(40))
	}
}

func TestApplyAnswer(t *testing.T) {
	r := &Referral{Status: Sent}
	now := time.Now()
	if err := ApplyAnswer(r, Acknowledged, "", now); err != nil || r.Status != Acknowledged {
		t.Fatal(err)
	}
	if err := ApplyAnswer(r, Removed, "taken down", now); err != nil || r.Answer != "taken down" {
		t.Fatal(err)
	}
	if err := ApplyAnswer(r, Declined, "", now); !errors.Is(err, ErrTransition) {
		t.Errorf("a final answer was changed: %v", err)
	}
	if err := ApplyAnswer(&Referral{Status: Pending}, Removed, "", now); !errors.Is(err, ErrTransition) {
		t.Errorf("answer to an unsent referral accepted: %v", err)
	}
	sent := &Referral{Status: Sent, Deadline: now.Add(-time.Minute)}
	if !sent.Overdue(now) || (&Referral{Status: Acknowledged, Deadline: now.Add(-time.Minute)}).Overdue(now) {
		t.Error("Overdue wrong")
	}
}
