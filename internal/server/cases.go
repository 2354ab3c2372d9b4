package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/review"
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
	offset, err := queryInt(r, "offset", 0)
	if err != nil {
		return err
	}
	limit = min(max(limit, 1), 1000)
	search := strings.TrimSpace(q.Get("q"))
	if len(search) > 200 {
		return Errorf(CodeInvalidParameter, "the search q is over 200 bytes")
	}
	cq := store.CaseQuery{
		Status: status, Category: q.Get("category"), Assignee: q.Get("assignee"), Severity: q.Get("severity"),
		Platform: q.Get("platform"), Search: search, AfterID: after, Offset: int(min(offset, 1_000_000)), Limit: int(limit) + 1,
	}
	var cs []*store.Case
	lang := q.Get("lang")
	if lang != "" && s.deps.Posts != nil {
		cs, err = s.casesInLang(r, cq, lang)
	} else {
		cs, err = s.deps.Cases.ListCases(r.Context(), cq)
	}
	if err != nil {
		return err
	}
	more := len(cs) > int(limit)
	if more {
		cs = cs[:limit]
	}
	if cs == nil {
		cs = []*store.Case{}
	}
	out := map[string]any{"cases": cs, "more": more}
	if s.deps.Posts != nil && len(cs) <= 200 {
		langs := map[int64]string{}
		for _, c := range cs {
			if l, err := s.caseLang(r, c.ID); err == nil {
				langs[c.ID] = l
			}
		}
		out["langs"] = langs
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// caseLang is the language of a case's latest post: the source's, or the
// one the text engine detects (stored posts mostly have none).
func (s *Server) caseLang(r *http.Request, id int64) (string, error) {
	ps, err := s.deps.Posts.ListPosts(r.Context(), store.PostQuery{CaseID: id, Limit: 1})
	if err != nil || len(ps) == 0 {
		return "", err
	}
	if ps[0].Lang != "" {
		return ps[0].Lang, nil
	}
	return arabic.DetectLang(ps[0].Text), nil
}

// maxLangScan bounds the cases a language filter reads: the language is
// found per case, not by the store's query.
const maxLangScan = 2000

// casesInLang is ListCases keeping the cases whose language is lang, in
// queue order, with q's offset and limit applied to the kept ones.
func (s *Server) casesInLang(r *http.Request, q store.CaseQuery, lang string) ([]*store.Case, error) {
	skip, want, lastID := q.Offset, q.Limit, q.AfterID
	var out []*store.Case
	for from := 0; from < maxLangScan && len(out) < want; from += 200 {
		page := q
		page.Offset, page.Limit = from, 200
		if q.AfterID != 0 {
			// Id order: continue after the last case read.
			page.Offset, page.AfterID = 0, lastID
		}
		cs, err := s.deps.Cases.ListCases(r.Context(), page)
		if err != nil {
			return nil, err
		}
		if len(cs) > 0 {
			lastID = cs[len(cs)-1].ID
		}
		for _, c := range cs {
			l, err := s.caseLang(r, c.ID)
			if err != nil {
				return nil, err
			}
			if l != lang {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if len(out) < want {
				out = append(out, c)
			}
		}
		if len(cs) < 200 {
			break
		}
	}
	return out, nil
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

// workflow returns the review workflow over the store, with the lease of
// ?lease_seconds= (default Config.LeaseDuration).
func (s *Server) workflow(r *http.Request) (*review.Workflow, error) {
	if s.deps.Cases == nil {
		return nil, notConfigured("cases")
	}
	lease, err := s.leaseFor(r)
	if err != nil {
		return nil, err
	}
	return &review.Workflow{Store: s.deps.Cases, Lease: lease, Now: s.cfg.Now}, nil
}

// reviewError maps the workflow's errors to the table.
func reviewError(err error, id int64, conflict Code) error {
	switch {
	case errors.Is(err, review.ErrInvalid):
		return Errorf(CodeInvalidParameter, "%v", err)
	case errors.Is(err, review.ErrNotAllowed):
		return Errorf(CodeInvalidTransition, "%v", err)
	case errors.Is(err, store.ErrNotFound):
		return Errorf(CodeNotFound, "no case %d", id)
	case errors.Is(err, store.ErrConflict):
		return Errorf(conflict, "%v", err)
	}
	return err
}

func (s *Server) claimNext(w http.ResponseWriter, r *http.Request) error {
	wf, err := s.workflow(r)
	if err != nil {
		return err
	}
	c, err := wf.Next(r.Context(), PrincipalFrom(r.Context()).Actor())
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
	wf, err := s.workflow(r)
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	c, err := wf.Claim(r.Context(), PrincipalFrom(r.Context()).Actor(), id)
	if err != nil {
		return reviewError(err, id, CodeLeaseHeld)
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) releaseCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	if c.Status != store.StatusInReview {
		return Errorf(CodeInvalidTransition, "case %d is %s, not in_review: nothing to release", c.ID, c.Status)
	}
	wf, err := s.workflow(r)
	if err != nil {
		return err
	}
	nc, err := wf.Release(r.Context(), PrincipalFrom(r.Context()).Actor(), c.ID)
	if err != nil {
		return reviewError(err, c.ID, CodeLeaseHeld)
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

func (s *Server) decideCase(w http.ResponseWriter, r *http.Request) error {
	var req DecisionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	switch req.Action {
	case store.ActionRefer, store.ActionDebunk, store.ActionDismiss, store.ActionEscalate:
	default:
		return Errorf(CodeInvalidParameter, `"action" must be refer, debunk, dismiss or escalate, not %q`, req.Action)
	}
	if strings.TrimSpace(req.Rationale) == "" {
		return Errorf(CodeInvalidParameter, `"rationale" is required: say why, for the audit log and any appeal`)
	}
	if c.Status != store.StatusInReview {
		return Errorf(CodeInvalidTransition, "case %d is %s: claim it (POST /v1/cases/%d/claim) before deciding", c.ID, c.Status, c.ID)
	}
	wf, err := s.workflow(r)
	if err != nil {
		return err
	}
	nc, err := wf.Decide(r.Context(), PrincipalFrom(r.Context()).Actor(), c.ID, review.DecisionInput{Action: req.Action, Category: req.Category, Rationale: req.Rationale})
	if err != nil {
		return reviewError(err, c.ID, CodeLeaseHeld)
	}
	writeJSON(w, http.StatusOK, nc)
	return nil
}

// AppealRequest is the body of POST /v1/cases/{id}/appeal.
type AppealRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) appealCase(w http.ResponseWriter, r *http.Request) error {
	var req AppealRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	platform := p.Token.Role == auth.Platform
	if platform {
		// Ownership first: a case not referred to this platform answers
		// exactly as one that does not exist, whatever its status.
		ok, err := s.referredTo(r, id, p.Token.Name)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(CodeNotFound, "no case %d", id)
		}
	}
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	if !review.CanMove(c.Status, store.StatusAppealed) {
		return Errorf(CodeInvalidTransition, "case %d is %s: only actioned or dismissed cases can be appealed", c.ID, c.Status)
	}
	wf, err := s.workflow(r)
	if err != nil {
		return err
	}
	nc, err := wf.Appeal(r.Context(), p.Actor(), c.ID, req.Reason)
	if err != nil {
		return reviewError(err, c.ID, CodeConflict)
	}
	if platform {
		// A platform sees what it needs to follow its appeal, not the
		// case's internals (cluster, scores, assignee).
		writeJSON(w, http.StatusOK, map[string]any{"id": nc.ID, "status": nc.Status})
		return nil
	}
	writeJSON(w, http.StatusOK, nc)
	return nil
}

// referredTo reports whether case id was referred to platform: the only
// cases a platform's token may act on.
func (s *Server) referredTo(r *http.Request, id int64, platform string) (bool, error) {
	if s.deps.Referrals == nil {
		return false, nil
	}
	rs, err := s.deps.Referrals.ListReferrals(r.Context(), notify.ReferralQuery{CaseID: id, Platform: platform, Limit: 1})
	if err != nil {
		return false, err
	}
	return len(rs) > 0, nil
}
