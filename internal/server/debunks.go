package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/review"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/truth"
)

// Debunks are the debunks the analysts write and publish (debunk.Store;
// sqlstore.DB has it). Published ones join the fact-check store
// (Deps.FactChecks) at once, so posts repeating the claim are matched.
type Debunks = debunk.Store

// DebunkBody is the body of POST /v1/debunks, PUT /v1/debunks/{id} and
// POST /v1/debunks/{id}/corrections.
type DebunkBody struct {
	// CaseID is the rumour case the debunk answers (creation only).
	CaseID  int64          `json:"case_id,omitempty"`
	Content debunk.Content `json:"content"`
	// Note says what a correction changes (corrections, and edits of one).
	Note string `json:"note,omitempty"`
	// Rev, when set, must be the debunk's current rev (edits), so that an
	// analyst never overwrites words they did not see.
	Rev int64 `json:"rev,omitempty"`
}

// DebunkDetail is a debunk with the posts matched to it and its public
// addresses.
type DebunkDetail struct {
	*debunk.Debunk
	Status  string            `json:"status"`
	Matches debunk.Matches    `json:"matches"`
	Pages   map[string]string `json:"pages,omitempty"`
	Card    string            `json:"card,omitempty"`
}

func (s *Server) debunks() (debunk.Store, error) {
	if s.deps.Debunks == nil {
		return nil, notConfigured("debunks")
	}
	return s.deps.Debunks, nil
}

func debunkErr(id int64, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Errorf(CodeNotFound, "no debunk %d", id)
	case errors.Is(err, debunk.ErrInvalid):
		return Errorf(CodeInvalidParameter, "%v", err)
	case errors.Is(err, debunk.ErrFourEyes):
		return Errorf(CodeForbidden, "%v", err)
	case errors.Is(err, debunk.ErrState):
		return Errorf(CodeInvalidTransition, "debunk %d: %v", id, err)
	case errors.Is(err, store.ErrConflict):
		return Errorf(CodeConflict, "debunk %d changed meanwhile: re-read it", id)
	}
	return err
}

func (s *Server) listDebunks(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.debunks()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	st := q.Get("status")
	if st != "" && !slices.Contains([]string{debunk.Draft, debunk.Approved, debunk.Published}, st) {
		return Errorf(CodeInvalidParameter, "status %q: use draft, approved or published", st)
	}
	caseID, err := queryInt(r, "case_id", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	l, err := ds.ListDebunks(r.Context(), debunk.Query{Status: st, CaseID: caseID, Limit: int(min(max(limit, 1), 1000))})
	if err != nil {
		return err
	}
	out := make([]DebunkDetail, len(l))
	for i, d := range l {
		out[i] = s.debunkDetail(r, d, debunk.Matches{})
	}
	writeJSON(w, http.StatusOK, map[string]any{"debunks": out})
	return nil
}

func (s *Server) debunkDetail(r *http.Request, d *debunk.Debunk, m debunk.Matches) DebunkDetail {
	out := DebunkDetail{Debunk: d, Status: d.Status(), Matches: m}
	if v := d.LiveVersion(); v != nil {
		base := truth.BaseURL(r, s.cfg.PublicURL)
		out.Pages = map[string]string{}
		for _, l := range v.Content.Langs() {
			out.Pages[l] = base + debunk.PagePath(d.ID, l)
		}
		out.Card = base + debunk.PagePath(d.ID, "ar") + "/card.png"
	}
	return out
}

func (s *Server) getDebunk(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.debunks()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := ds.Debunk(r.Context(), id)
	if err != nil {
		return debunkErr(id, err)
	}
	m, err := ds.DebunkMatches(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.debunkDetail(r, d, m))
	return nil
}

func (s *Server) createDebunk(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.debunks()
	if err != nil {
		return err
	}
	var req DebunkBody
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.CaseID < 0 {
		return Errorf(CodeInvalidParameter, "case_id %d: use a case id, or leave it out for a free-standing debunk", req.CaseID)
	}
	if req.CaseID > 0 && s.deps.Cases != nil {
		if _, err := s.deps.Cases.Case(r.Context(), req.CaseID); errors.Is(err, store.ErrNotFound) {
			return Errorf(CodeNotFound, "no case %d", req.CaseID)
		} else if err != nil {
			return err
		}
	}
	d, err := debunk.Create(PrincipalFrom(r.Context()).Actor(), req.CaseID, req.Content, s.cfg.Now())
	if err != nil {
		return debunkErr(0, err)
	}
	if err := ds.CreateDebunk(r.Context(), d); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.debunkDetail(r, d, debunk.Matches{}))
	return nil
}

// stepDebunk applies one workflow step as the calling analyst.
func (s *Server) stepDebunk(w http.ResponseWriter, r *http.Request, op string, step func(d *debunk.Debunk, actor string) error) (*debunk.Debunk, error) {
	ds, err := s.debunks()
	if err != nil {
		return nil, err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	actor := PrincipalFrom(r.Context()).Actor()
	d, err := ds.UpdateDebunk(r.Context(), id, actor, op, func(d *debunk.Debunk) error { return step(d, actor) })
	if err != nil {
		return nil, debunkErr(id, err)
	}
	return d, nil
}

func (s *Server) editDebunk(w http.ResponseWriter, r *http.Request) error {
	var req DebunkBody
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	d, err := s.stepDebunk(w, r, "edit", func(d *debunk.Debunk, actor string) error {
		if req.Rev != 0 && req.Rev != d.Rev {
			return store.ErrConflict
		}
		return d.Edit(actor, req.Content, req.Note, s.cfg.Now())
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.debunkDetail(r, d, debunk.Matches{}))
	return nil
}

func (s *Server) approveDebunk(w http.ResponseWriter, r *http.Request) error {
	d, err := s.stepDebunk(w, r, "approve", func(d *debunk.Debunk, actor string) error { return d.Approve(actor, s.cfg.Now()) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.debunkDetail(r, d, debunk.Matches{}))
	return nil
}

func (s *Server) correctDebunk(w http.ResponseWriter, r *http.Request) error {
	var req DebunkBody
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	d, err := s.stepDebunk(w, r, "correct", func(d *debunk.Debunk, actor string) error {
		return d.Correct(actor, req.Content, req.Note, s.cfg.Now())
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.debunkDetail(r, d, debunk.Matches{}))
	return nil
}

// publishDebunk publishes the approved latest version, then puts it in
// the fact-check store and has the claim matcher reload, so that the next
// post repeating the claim is matched.
func (s *Server) publishDebunk(w http.ResponseWriter, r *http.Request) error {
	if s.deps.FactChecks == nil || s.deps.FactChecks.Store == nil {
		// Publishing what the matcher cannot use would break the loop.
		return notConfigured("fact-checks (a published debunk joins them)")
	}
	ds, err := s.debunks()
	if err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := ds.Debunk(r.Context(), id)
	if err != nil {
		return debunkErr(id, err)
	}
	// Publishing the live version again (a retry after the fact-check
	// store failed) only puts it there again, which is idempotent.
	if d.Status() != debunk.Published {
		if d, err = s.stepDebunk(w, r, "publish", func(d *debunk.Debunk, _ string) error { return d.Publish(s.cfg.Now()) }); err != nil {
			return err
		}
	}
	if err := s.indexDebunk(r.Context(), truth.BaseURL(r, s.cfg.PublicURL), d); err != nil {
		// Published but not yet matchable: say so; publishing again
		// retries.
		s.cfg.Logger.Error("a published debunk did not join the fact-check store", "debunk", d.ID, "err", err)
		return err
	}
	if err := s.caseActioned(r, d); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.debunkDetail(r, d, debunk.Matches{}))
	return nil
}

// caseActioned closes the rumour case a published debunk answers: a case
// decided "debunk" becomes actioned, the debunk being the action. A case
// in another state (not decided, decided otherwise, already actioned) is
// left as it is.
func (s *Server) caseActioned(r *http.Request, d *debunk.Debunk) error {
	if d.CaseID == 0 || s.deps.Cases == nil {
		return nil
	}
	wf, err := s.workflow(r)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("debunk:%d:v%d", d.ID, d.Live)
	_, err = wf.Actioned(r.Context(), PrincipalFrom(r.Context()).Actor(), d.CaseID, store.ActionDebunk, what)
	if errors.Is(err, review.ErrNoDecision) || errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

func (s *Server) indexDebunk(ctx context.Context, base string, d *debunk.Debunk) error {
	if _, _, err := s.deps.FactChecks.Store.Put(ctx, d.Claims(base, s.cfg.publisher())); err != nil {
		return err
	}
	if s.deps.FactChecks.Changed != nil {
		return s.deps.FactChecks.Changed(ctx)
	}
	return nil
}

// ReplyOption is a reply a platform can show under a post of the case: the
// text and the link of a fact-check the post was matched to.
type ReplyOption struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

// ReplySuggestion is one fact-check matched to posts of a case, with the
// replies it offers (a Basira debunk offers one per language it is
// written in, the language of the matched claim first).
type ReplySuggestion struct {
	ClaimID  string        `json:"claim_id"`
	DebunkID int64         `json:"debunk_id,omitempty"`
	Rating   string        `json:"rating,omitempty"`
	Score    float64       `json:"score"`
	Posts    int           `json:"posts"`
	Replies  []ReplyOption `json:"replies"`
}

// caseReply suggests the reply text and link for a case from the claim
// signals of its posts (up to 100, newest first).
func (s *Server) caseReply(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	if s.deps.Posts == nil {
		return notConfigured("posts")
	}
	ctx := r.Context()
	posts, err := s.deps.Posts.ListPosts(ctx, store.PostQuery{CaseID: c.ID, Limit: 100})
	if err != nil {
		return err
	}
	byClaim := map[string]*ReplySuggestion{}
	for _, p := range posts {
		sigs, err := s.deps.Posts.Signals(ctx, p.Key)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, sg := range sigs {
			id, _ := sg.Details["claim_id"].(string)
			if sg.Detector != "claims" || id == "" {
				continue
			}
			rs := byClaim[id]
			if rs == nil {
				rs = &ReplySuggestion{ClaimID: id, Replies: []ReplyOption{}}
				byClaim[id] = rs
			}
			rs.Score = max(rs.Score, sg.Score)
			if !seen[id] {
				seen[id] = true
				rs.Posts++
			}
		}
	}
	out := []*ReplySuggestion{}
	base := truth.BaseURL(r, s.cfg.PublicURL)
	for _, rs := range byClaim {
		if err := s.fillReplies(ctx, base, rs); err != nil {
			return err
		}
		if len(rs.Replies) > 0 {
			out = append(out, rs)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ClaimID < out[j].ClaimID
	})
	writeJSON(w, http.StatusOK, map[string]any{"case_id": c.ID, "suggestions": out})
	return nil
}

func (s *Server) fillReplies(ctx context.Context, base string, rs *ReplySuggestion) error {
	if id, lang, ok := debunk.ParseClaimID(rs.ClaimID); ok && s.deps.Debunks != nil {
		d, err := s.deps.Debunks.Debunk(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v := d.LiveVersion()
		if v == nil {
			return nil
		}
		rs.DebunkID, rs.Rating = d.ID, v.Content.Rating
		langs := v.Content.Langs()
		if i := slices.Index(langs, lang); i > 0 {
			langs = append([]string{lang}, slices.Delete(langs, i, i+1)...)
		}
		for _, l := range langs {
			rs.Replies = append(rs.Replies, ReplyOption{Lang: l, Text: v.Content.Texts[l].ReplyText(), URL: base + debunk.PagePath(d.ID, l)})
		}
		return nil
	}
	if s.deps.FactChecks == nil || s.deps.FactChecks.Store == nil {
		return nil
	}
	c, ok, err := s.deps.FactChecks.Store.Get(ctx, rs.ClaimID)
	if err != nil || !ok {
		return err
	}
	rs.Rating = c.Rating
	if text := strings.TrimSpace(c.Correction); text != "" || c.URL != "" {
		rs.Replies = append(rs.Replies, ReplyOption{Lang: c.Lang, Text: text, URL: c.URL})
	}
	return nil
}

func (c *Config) publisher() string {
	if c.Publisher != "" {
		return c.Publisher
	}
	return debunk.Publisher
}
