// Package review holds the case workflow: which status may follow which,
// leasing a case to one analyst, decisions with a rationale, appeals, and
// the rule that nothing leaves Basira (a referral, a debunk) without an
// analyst's decision. The store applies each step atomically with its
// audit entry; this package decides which steps are allowed.
//
//	new ──claim──▶ in_review ──refer/debunk──▶ decided ──action sent──▶ actioned
//	 ▲                 │  └──dismiss──▶ dismissed
//	 └──release/escalate┘
//	actioned | dismissed ──appeal──▶ appealed ──claim──▶ in_review
package review

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store"
)

// Store is what the workflow needs of a store (store.Store has it).
type Store interface {
	Case(ctx context.Context, id int64) (*store.Case, error)
	ClaimNext(ctx context.Context, analyst string, lease time.Duration, now time.Time) (*store.Case, error)
	Transition(ctx context.Context, t store.Transition) (*store.Case, error)
	Decisions(ctx context.Context, caseID int64) ([]store.Decision, error)
}

// EscalationBoost is added to a case's priority when an analyst escalates
// it, so it goes to the head of the queue for a senior analyst.
const EscalationBoost = 100

// MaxRationale bounds a decision's rationale, in bytes.
const MaxRationale = 8 << 10

// Errors of the workflow; match with errors.Is.
var (
	ErrNotAllowed = errors.New("not allowed in this case's status")
	ErrNoDecision = errors.New("no analyst decision authorises this")
	ErrInvalid    = errors.New("invalid decision")
)

// allowed lists the statuses each status may move to.
var allowed = map[store.Status][]store.Status{
	store.StatusNew:       {store.StatusInReview},
	store.StatusInReview:  {store.StatusDecided, store.StatusDismissed, store.StatusNew},
	store.StatusDecided:   {store.StatusActioned},
	store.StatusActioned:  {store.StatusAppealed},
	store.StatusDismissed: {store.StatusAppealed},
	store.StatusAppealed:  {store.StatusInReview},
}

// CanMove reports whether a case may go from one status to another.
func CanMove(from, to store.Status) bool {
	for _, s := range allowed[from] {
		if s == to {
			return true
		}
	}
	return false
}

// From returns the statuses a case may reach to from.
func From(to store.Status) []store.Status {
	var out []store.Status
	for _, from := range store.Statuses {
		if CanMove(from, to) {
			out = append(out, from)
		}
	}
	return out
}

// Workflow applies review steps to cases.
type Workflow struct {
	Store Store
	// Lease is how long a claimed case stays with its analyst (default 15 min).
	Lease time.Duration
	// Now returns the time (tests); default time.Now.
	Now func() time.Time
}

func (w *Workflow) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Workflow) lease() time.Duration {
	if w.Lease > 0 {
		return w.Lease
	}
	return 15 * time.Minute
}

func object(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

// Next leases the next case of the queue to analyst.
func (w *Workflow) Next(ctx context.Context, analyst string) (*store.Case, error) {
	return w.Store.ClaimNext(ctx, analyst, w.lease(), w.now())
}

// Claim leases one case to analyst: a new or appealed case, or one whose
// lease has run out.
func (w *Workflow) Claim(ctx context.Context, analyst string, id int64) (*store.Case, error) {
	c, err := w.Store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	now := w.now()
	from := []store.Status{store.StatusNew, store.StatusAppealed}
	if c.Status == store.StatusInReview {
		if c.Assignee != analyst && c.LeaseUntil != nil && c.LeaseUntil.After(now) {
			return nil, fmt.Errorf("case %d is leased to %s until %s: %w", id, c.Assignee, c.LeaseUntil.Format(time.RFC3339), store.ErrConflict)
		}
		from = []store.Status{store.StatusInReview}
	} else if !CanMove(c.Status, store.StatusInReview) {
		return nil, fmt.Errorf("case %d is %s: %w", id, c.Status, ErrNotAllowed)
	}
	until := now.Add(w.lease())
	return w.Store.Transition(ctx, store.Transition{
		CaseID: id, From: from, To: store.StatusInReview, Actor: analyst, Assignee: analyst, LeaseUntil: &until, Now: now,
		Audit: audit.New(analyst, audit.ActionCaseState, object(id), map[string]any{"op": "claim", "from": c.Status, "to": store.StatusInReview, "lease_until": until.UTC()}),
	})
}

// Release gives a case leased to analyst back to the queue.
func (w *Workflow) Release(ctx context.Context, analyst string, id int64) (*store.Case, error) {
	return w.Store.Transition(ctx, store.Transition{
		CaseID: id, From: []store.Status{store.StatusInReview}, To: store.StatusNew, Actor: analyst, RequireAssignee: true, Now: w.now(),
		Audit: audit.New(analyst, audit.ActionCaseState, object(id), map[string]any{"op": "release", "from": store.StatusInReview, "to": store.StatusNew}),
	})
}

// DecisionInput is what an analyst submits.
type DecisionInput struct {
	Action    string // store.ActionRefer, ActionDebunk, ActionDismiss, ActionEscalate
	Category  string // the taxonomy label the analyst settles on (default: the case's)
	Rationale string // required: why
}

// Decide records analyst's decision on a case they hold. refer and debunk
// move it to decided (an action may now be taken), dismiss closes it,
// escalate puts it back at the head of the queue for a senior analyst.
func (w *Workflow) Decide(ctx context.Context, analyst string, id int64, in DecisionInput) (*store.Case, error) {
	in.Rationale = strings.TrimSpace(in.Rationale)
	switch {
	case in.Rationale == "":
		return nil, fmt.Errorf("%w: a rationale is required (say why, for the audit and for appeals)", ErrInvalid)
	case len(in.Rationale) > MaxRationale:
		return nil, fmt.Errorf("%w: rationale is %d bytes, over the %d-byte limit", ErrInvalid, len(in.Rationale), MaxRationale)
	}
	t := store.Transition{CaseID: id, From: []store.Status{store.StatusInReview}, Actor: analyst, RequireAssignee: true, Now: w.now()}
	switch in.Action {
	case store.ActionRefer, store.ActionDebunk:
		t.To = store.StatusDecided
	case store.ActionDismiss:
		t.To = store.StatusDismissed
	case store.ActionEscalate:
		t.To, t.PriorityDelta = store.StatusNew, EscalationBoost
	default:
		return nil, fmt.Errorf("%w: action %q (use refer, debunk, dismiss or escalate)", ErrInvalid, in.Action)
	}
	t.Decision = &store.Decision{CaseID: id, Actor: analyst, Action: in.Action, Category: in.Category, Rationale: in.Rationale, At: t.Now.UTC()}
	t.Audit = audit.New(analyst, audit.ActionDecision, object(id), map[string]any{
		"action": in.Action, "category": in.Category, "rationale": in.Rationale, "from": store.StatusInReview, "to": t.To})
	return w.Store.Transition(ctx, t)
}

// Authorising returns the decision that allows an action to leave Basira
// for a case (a referral to a platform for refer, a published correction
// for debunk): the latest decision, which must be action and must not have
// been overturned by a later one. Callers check this before anything is
// sent; it returns ErrNoDecision otherwise.
func (w *Workflow) Authorising(ctx context.Context, id int64, action string) (*store.Decision, error) {
	c, err := w.Store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != store.StatusDecided {
		return nil, fmt.Errorf("case %d is %s, not decided: %w", id, c.Status, ErrNoDecision)
	}
	ds, err := w.Store.Decisions(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("case %d has no decision: %w", id, ErrNoDecision)
	}
	last := ds[len(ds)-1]
	if last.Action != action {
		return nil, fmt.Errorf("case %d was decided %q, not %q: %w", id, last.Action, action, ErrNoDecision)
	}
	return &last, nil
}

// Actioned records that the decided action was carried out (the referral
// was sent, the debunk published); what says what was done, e.g.
// "referral:x:9f2c".
func (w *Workflow) Actioned(ctx context.Context, actor string, id int64, action, what string) (*store.Case, error) {
	d, err := w.Authorising(ctx, id, action)
	if err != nil {
		return nil, err
	}
	return w.Store.Transition(ctx, store.Transition{
		CaseID: id, From: []store.Status{store.StatusDecided}, To: store.StatusActioned, Actor: actor, Now: w.now(),
		Audit: audit.New(actor, audit.ActionReferral, object(id), map[string]any{"action": action, "what": what, "decision": d.ID, "decided_by": d.Actor}),
	})
}

// Appeal reopens a closed case (actioned or dismissed) for another review,
// at the request of actor (the author's platform, a partner, an analyst).
func (w *Workflow) Appeal(ctx context.Context, actor string, id int64, reason string) (*store.Case, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fmt.Errorf("%w: an appeal needs a reason", ErrInvalid)
	}
	if len(reason) > MaxRationale {
		return nil, fmt.Errorf("%w: reason is %d bytes, over the %d-byte limit", ErrInvalid, len(reason), MaxRationale)
	}
	now := w.now()
	return w.Store.Transition(ctx, store.Transition{
		CaseID: id, From: From(store.StatusAppealed), To: store.StatusAppealed, Actor: actor, Now: now,
		// The reason is kept with the case's decisions, so the reviewer of
		// the appeal (and the case page) sees it, not only the audit log.
		Decision: &store.Decision{CaseID: id, Actor: actor, Action: store.ActionAppeal, Rationale: reason, At: now.UTC()},
		Audit:    audit.New(actor, audit.ActionCaseState, object(id), map[string]any{"op": "appeal", "to": store.StatusAppealed, "reason": reason}),
	})
}
