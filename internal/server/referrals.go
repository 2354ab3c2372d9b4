package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/server/auth"
	"github.com/basira-org/basira/internal/store"
)

// Referrals reads referrals and records platforms' answers (sqlstore.DB
// has these; internal/referral creates and sends them).
type Referrals interface {
	Referral(ctx context.Context, id string) (*notify.Referral, error)
	ListReferrals(ctx context.Context, q notify.ReferralQuery) ([]*notify.Referral, error)
	// AnswerReferral applies notify.ApplyAnswer and writes the audit entry
	// in one transaction.
	AnswerReferral(ctx context.Context, actor, id, status, note string, now time.Time) (*notify.Referral, error)
}

// MaxAnswerNote bounds the note of a platform's answer, in bytes.
const MaxAnswerNote = 4 << 10

func (s *Server) listReferrals(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Referrals == nil {
		return notConfigured("referrals")
	}
	q := r.URL.Query()
	caseID, err := queryInt(r, "case_id", 0)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && !slices.Contains(notify.Statuses, status) {
		return Errorf(CodeInvalidParameter, "status %q is not a referral status (use one of %s)", status, strings.Join(notify.Statuses, ", "))
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	rq := notify.ReferralQuery{CaseID: caseID, Status: status, Platform: q.Get("platform"), Limit: int(min(max(limit, 1), 1000))}
	switch q.Get("overdue") {
	case "", "false":
	case "true":
		rq.OverdueAt = s.cfg.Now()
	default:
		return Errorf(CodeInvalidParameter, "overdue %q: use true or false", q.Get("overdue"))
	}
	rs, err := s.deps.Referrals.ListReferrals(r.Context(), rq)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []*notify.Referral{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"referrals": rs})
	return nil
}

func (s *Server) loadReferral(r *http.Request) (*notify.Referral, error) {
	if s.deps.Referrals == nil {
		return nil, notConfigured("referrals")
	}
	id := r.PathValue("id")
	ref, err := s.deps.Referrals.Referral(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, referralNotFound(id)
	}
	return ref, err
}

func referralNotFound(id string) *Error {
	return Errorf(CodeNotFound, "no referral %q (ids look like ref-<case>-<platform>)", id)
}

func (s *Server) getReferral(w http.ResponseWriter, r *http.Request) error {
	ref, err := s.loadReferral(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ref)
	return nil
}

// ReferralAnswer is the body of POST /v1/referrals/{id}/status: the
// platform's answer to a referral it received.
type ReferralAnswer struct {
	Status string `json:"status"` // acknowledged, removed or declined
	Note   string `json:"note,omitempty"`
}

func (s *Server) answerReferral(w http.ResponseWriter, r *http.Request) error {
	var req ReferralAnswer
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if !slices.Contains(notify.Answers, req.Status) {
		return Errorf(CodeInvalidParameter, `"status" must be %s, not %q`, strings.Join(notify.Answers, ", "), req.Status)
	}
	if len(req.Note) > MaxAnswerNote {
		return Errorf(CodeInvalidParameter, `"note" is %d bytes, over the %d-byte limit`, len(req.Note), MaxAnswerNote)
	}
	ref, err := s.loadReferral(r)
	if err != nil {
		return err
	}
	// A platform's token answers only for that platform (its name is the
	// platform's name, as in the platforms file); another platform's
	// referral answers exactly as one that does not exist.
	p := PrincipalFrom(r.Context())
	if p.Token.Role == auth.Platform && p.Token.Name != ref.Platform {
		return referralNotFound(r.PathValue("id"))
	}
	out, err := s.deps.Referrals.AnswerReferral(r.Context(), p.Actor(), ref.ID, req.Status, strings.TrimSpace(req.Note), s.cfg.Now())
	switch {
	case errors.Is(err, notify.ErrTransition):
		return Errorf(CodeInvalidTransition, "referral %s: %v", ref.ID, err)
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
