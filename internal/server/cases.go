package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store"
)

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Cases == nil {
		return notConfigured("cases")
	}
	q := r.URL.Query()
	status := store.Status(q.Get("status"))
	if status != "" && !slices.Contains(store.Statuses, status) {
		return Errorf(CodeInvalidParameter, "status %q is not a case status (use one of %s)", status, statusList())
	}
	after, err := queryInt(r, "after_id", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	limit = min(max(limit, 1), 1000)
	cs, err := s.deps.Cases.ListCases(r.Context(), store.CaseQuery{
		Status: status, Category: q.Get("category"), Assignee: q.Get("assignee"), AfterID: after, Limit: int(limit),
	})
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []*store.Case{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": cs})
	return nil
}

func statusList() string {
	ss := make([]string, len(store.Statuses))
	for i, st := range store.Statuses {
		ss[i] = string(st)
	}
	return strings.Join(ss, ", ")
}

// CaseDetail is a case with its evidence: the posts (up to 100, newest
// first) with their signals, and the decisions taken.
type CaseDetail struct {
	Case      *store.Case       `json:"case"`
	Posts     []PostWithSignals `json:"posts"`
	Decisions []store.Decision  `json:"decisions"`
}

func (s *Server) loadCase(r *http.Request) (*store.Case, error) {
	if s.deps.Cases == nil {
		return nil, notConfigured("cases")
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	c, err := s.deps.Cases.Case(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "no case %d", id)
	}
	return c, err
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	d := CaseDetail{Case: c, Posts: []PostWithSignals{}}
	if s.deps.Posts != nil {
		posts, err := s.deps.Posts.ListPosts(r.Context(), store.PostQuery{CaseID: c.ID, Limit: 100})
		if err != nil {
			return err
		}
		for _, p := range posts {
			pw, err := s.postWithSignals(r.Context(), p)
			if err != nil {
				return err
			}
			d.Posts = append(d.Posts, pw)
		}
	}
	d.Decisions, err = s.deps.Cases.Decisions(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if d.Decisions == nil {
		d.Decisions = []store.Decision{}
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// leaseFor reads ?lease_seconds= (default Config.LeaseDuration, at most 8 h).
func (s *Server) leaseFor(r *http.Request) (time.Duration, error) {
	secs, err := queryInt(r, "lease_seconds", 0)
	if err != nil {
		return 0, err
	}
	if secs == 0 {
		return s.cfg.LeaseDuration, nil
	}
	if secs > 8*3600 {
		return 0, Errorf(CodeInvalidParameter, "lease_seconds %d is over the 8-hour maximum", secs)
	}
	return time.Duration(secs) * time.Second, nil
}

func (s *Server) claimNext(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Cases == nil {
		return notConfigured("cases")
	}
	lease, err := s.leaseFor(r)
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	c, err := s.deps.Cases.ClaimNext(r.Context(), p.Actor(), lease, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) claimCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	lease, err := s.leaseFor(r)
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	now := s.cfg.Now()
	from := []store.Status{store.StatusNew, store.StatusAppealed}
	if c.Status == store.StatusInReview {
		if c.Assignee != p.Actor() && c.LeaseUntil != nil && c.LeaseUntil.After(now) {
			return Errorf(CodeLeaseHeld, "case %d is leased to %s until %s", c.ID, c.Assignee, c.LeaseUntil.UTC().Format(time.RFC3339))
		}
		from = []store.Status{store.StatusInReview}
	} else if !slices.Contains(from, c.Status) {
		return Errorf(CodeInvalidTransition, "case %d is %s: only new, appealed or in_review cases can be claimed", c.ID, c.Status)
	}
	until := now.Add(lease)
	nc, err := s.deps.Cases.Transition(r.Context(), store.Transition{
		CaseID: c.ID, From: from, To: store.StatusInReview, Actor: p.Actor(),
		Assignee: p.Actor(), LeaseUntil: &until, Now: now,
		Audit: audit.New(p.Actor(), audit.ActionCaseState, caseObject(c.ID), map[string]any{
			"op": "claim", "from": c.Status, "to": store.StatusInReview, "lease_until": until.UTC(),
		}),
	})
	if errors.Is(err, store.ErrConflict) {
		return Errorf(CodeConflict, "case %d changed meanwhile; read it again", c.ID)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nc)
	return nil
}

func (s *Server) releaseCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	if c.Status != store.StatusInReview {
		return Errorf(CodeInvalidTransition, "case %d is %s, not in_review: nothing to release", c.ID, c.Status)
	}
	nc, err := s.deps.Cases.Transition(r.Context(), store.Transition{
		CaseID: c.ID, From: []store.Status{store.StatusInReview}, To: store.StatusNew, Actor: p.Actor(),
		RequireAssignee: true, Now: s.cfg.Now(),
		Audit: audit.New(p.Actor(), audit.ActionCaseState, caseObject(c.ID), map[string]any{
			"op": "release", "from": c.Status, "to": store.StatusNew,
		}),
	})
	if errors.Is(err, store.ErrConflict) {
		return Errorf(CodeLeaseHeld, "case %d is not leased to you (or your lease expired): claim it first", c.ID)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nc)
	return nil
}

// DecisionRequest is the body of POST /v1/cases/{id}/decision.
type DecisionRequest struct {
	Action    string `json:"action"`
	Category  string `json:"category,omitempty"`
	Rationale string `json:"rationale"`
}

// escalationBoost is added to a case's priority when it is escalated, so a
// senior analyst sees it first.
const escalationBoost = 100

func (s *Server) decideCase(w http.ResponseWriter, r *http.Request) error {
	var req DecisionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	t := store.Transition{CaseID: c.ID, From: []store.Status{store.StatusInReview}, RequireAssignee: true}
	switch req.Action {
	case store.ActionRefer, store.ActionDebunk:
		t.To = store.StatusDecided
	case store.ActionDismiss:
		t.To = store.StatusDismissed
	case store.ActionEscalate:
		// Back to the queue, first in line, lease cleared for a senior.
		t.To, t.PriorityDelta = store.StatusNew, escalationBoost
	default:
		return Errorf(CodeInvalidParameter, `"action" must be refer, debunk, dismiss or escalate, not %q`, req.Action)
	}
	if strings.TrimSpace(req.Rationale) == "" {
		return Errorf(CodeInvalidParameter, `"rationale" is required: say why, for the audit log and any appeal`)
	}
	if c.Status != store.StatusInReview {
		return Errorf(CodeInvalidTransition, "case %d is %s: claim it (POST /v1/cases/%d/claim) before deciding", c.ID, c.Status, c.ID)
	}
	p := PrincipalFrom(r.Context())
	now := s.cfg.Now()
	t.Actor, t.Now = p.Actor(), now
	t.Decision = &store.Decision{CaseID: c.ID, Actor: p.Actor(), Action: req.Action, Category: req.Category, Rationale: req.Rationale, At: now.UTC()}
	t.Audit = audit.New(p.Actor(), audit.ActionDecision, caseObject(c.ID), map[string]any{
		"action": req.Action, "category": req.Category, "rationale": req.Rationale, "from": c.Status, "to": t.To,
	})
	nc, err := s.deps.Cases.Transition(r.Context(), t)
	if errors.Is(err, store.ErrConflict) {
		return Errorf(CodeLeaseHeld, "case %d is not leased to you (or your lease expired, or it changed): claim it again", c.ID)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nc)
	return nil
}

func caseObject(id int64) string { return "case:" + itoa(id) }
