package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Platform is a destination for referrals: a hosting platform's trust and
// safety intake that accepts Basira's signed webhooks.
type Platform struct {
	Name    string
	Webhook string // https URL receiving POSTed referrals
	Secret  []byte // shared HMAC key
	// SLA is how long the platform has to answer once a referral is sent;
	// a referral still unanswered after it is overdue.
	SLA         time.Duration
	MaxAttempts int // default 10
}

func (p Platform) maxAttempts() int {
	if p.MaxAttempts > 0 {
		return p.MaxAttempts
	}
	return 10
}

// Referral is one notification to one platform about one case.
type Referral struct {
	// ID is also the Idempotency-Key: "ref-<case>-<platform>".
	ID          string          `json:"id"`
	CaseID      int64           `json:"case_id"`
	Platform    string          `json:"platform"`
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	NextAttempt time.Time       `json:"next_attempt,omitzero"`
	SentAt      time.Time       `json:"sent_at,omitzero"`
	Deadline    time.Time       `json:"deadline,omitzero"`
	LastError   string          `json:"last_error,omitempty"`
	Answer      string          `json:"answer,omitempty"` // the platform's note
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// ReferralID is the idempotency key of the referral of a case to a platform:
// deciding twice, or a crash between decide and send, never refers twice.
func ReferralID(caseID int64, platform string) string {
	return fmt.Sprintf("ref-%d-%s", caseID, platform)
}

// Overdue reports whether a sent referral passed its deadline unanswered.
func (r *Referral) Overdue(now time.Time) bool {
	return r.Status == Sent && !r.Deadline.IsZero() && now.After(r.Deadline)
}

// Payload is the JSON body a platform receives. It describes content and
// the analyst's decision; it names no author.
type Payload struct {
	ReferralID string         `json:"referral_id"`
	CaseID     int64          `json:"case_id"`
	Category   string         `json:"category"`
	Severity   string         `json:"severity,omitempty"`
	Content    []Content      `json:"content"`
	Evidence   []Evidence     `json:"evidence"`
	Decision   PayloadDecided `json:"decision"`
	// CallbackURL is where the platform POSTs its answer
	// ({"status": "acknowledged"|"removed"|"declined", "note": …}).
	CallbackURL string    `json:"callback_url,omitempty"`
	RespondBy   time.Time `json:"respond_by,omitzero"`
}

// Content identifies one referred post on the platform.
type Content struct {
	PlatformPostID string `json:"platform_post_id"`
	URL            string `json:"url,omitempty"`
}

// Evidence is one detector finding, as shown to the platform's reviewer.
type Evidence struct {
	Detector string  `json:"detector"`
	Label    string  `json:"label"`
	Score    float64 `json:"score"`
	Excerpt  string  `json:"excerpt,omitempty"`
}

// PayloadDecided is the decision that authorised the referral.
type PayloadDecided struct {
	Action    string    `json:"action"`
	Rationale string    `json:"rationale"`
	DecidedAt time.Time `json:"decided_at"`
}

// Store keeps referrals. Implementations must make Create idempotent on ID.
type Store interface {
	// CreateReferral inserts r unless a referral with r.ID exists; it
	// reports whether it inserted.
	CreateReferral(ctx context.Context, r *Referral) (bool, error)
	// DueReferrals returns pending referrals whose NextAttempt <= now.
	DueReferrals(ctx context.Context, now time.Time, limit int) ([]*Referral, error)
	UpdateReferral(ctx context.Context, r *Referral) error
	Referral(ctx context.Context, id string) (*Referral, error)
}

// Dispatcher delivers due referrals.
type Dispatcher struct {
	Store     Store
	Platforms map[string]Platform
	Client    *http.Client // default: 15 s timeout
	// Now is the clock (tests move it); default time.Now.
	Now func() time.Time
	// OnSent is called after a referral is accepted by the platform, e.g.
	// to mark the case actioned and write the audit entry.
	OnSent func(ctx context.Context, r *Referral) error
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Backoff is the wait before attempt n+1 after n failed attempts:
// 30 s doubling, at most 6 h.
func Backoff(n int) time.Duration {
	d := 30 * time.Second
	for range n - 1 {
		d *= 2
		if d >= 6*time.Hour {
			return 6 * time.Hour
		}
	}
	return d
}

// RunOnce attempts every due referral and returns how many it attempted.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	due, err := d.Store.DueReferrals(ctx, d.now(), 100)
	if err != nil {
		return 0, err
	}
	for _, r := range due {
		if err := d.Attempt(ctx, r); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// Run attempts due referrals every interval until ctx is done.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// A store error is retried on the next tick.
		_, _ = d.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// errPermanent marks answers that retrying cannot fix.
var errPermanent = errors.New("permanent")

// Attempt sends one referral and records the outcome. It returns only
// store errors; delivery errors are recorded on the referral.
func (d *Dispatcher) Attempt(ctx context.Context, r *Referral) error {
	p, ok := d.Platforms[r.Platform]
	now := d.now()
	r.Attempts++
	r.UpdatedAt = now
	var err error
	if !ok {
		err = fmt.Errorf("%w: no platform %q is configured", errPermanent, r.Platform)
	} else {
		err = d.post(ctx, p, r, now)
	}
	switch {
	case err == nil:
		r.Status = Sent
		r.SentAt = now
		r.LastError = ""
		r.NextAttempt = time.Time{}
		if p.SLA > 0 {
			r.Deadline = now.Add(p.SLA)
		}
	case errors.Is(err, errPermanent) || r.Attempts >= p.maxAttempts():
		r.Status = Failed
		r.LastError = err.Error()
		r.NextAttempt = time.Time{}
	default:
		r.LastError = err.Error()
		r.NextAttempt = now.Add(Backoff(r.Attempts))
	}
	if err := d.Store.UpdateReferral(ctx, r); err != nil {
		return err
	}
	if r.Status == Sent && d.OnSent != nil {
		return d.OnSent(ctx, r)
	}
	return nil
}

func (d *Dispatcher) post(ctx context.Context, p Platform, r *Referral, now time.Time) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Webhook, bytes.NewReader(r.Payload))
	if err != nil {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "basira/1 (referrals)")
	req.Header.Set("Idempotency-Key", r.ID)
	req.Header.Set(SignatureHeader, Sign(p.Secret, now, r.Payload))
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("HTTP %s: %s", resp.Status, strings.TrimSpace(string(body)))
	default:
		return fmt.Errorf("%w: HTTP %s: %s", errPermanent, resp.Status, strings.TrimSpace(string(body)))
	}
}

// ErrTransition is returned for an answer that does not fit the
// referral's state.
var ErrTransition = errors.New("answer not allowed in the referral's status")

// ApplyAnswer records a platform's answer to a referral: acknowledged,
// removed or declined, with an optional note. Final answers are final.
func ApplyAnswer(r *Referral, status, note string, now time.Time) error {
	allowed := map[string][]string{
		Sent:         {Acknowledged, Removed, Declined},
		Acknowledged: {Removed, Declined},
	}
	for _, s := range allowed[r.Status] {
		if s == status {
			r.Status = status
			r.Answer = note
			r.UpdatedAt = now
			return nil
		}
	}
	return fmt.Errorf("%w: %s → %s", ErrTransition, r.Status, status)
}
