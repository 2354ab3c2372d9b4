package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Health == nil {
		return Errorf(CodeUnavailable, "no store is configured")
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.deps.Health.Ping(ctx); err != nil {
		return Errorf(CodeUnavailable, "the store does not answer: %v", err)
	}
	if n, over := s.backlog.over(ctx, w); over {
		return Errorf(CodeUnavailable, "the processing backlog (%d) is over its limit (%d)", n, s.backlog.max)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"id": p.Token.ID, "name": p.Token.Name, "role": p.Token.Role})
	return nil
}

// queryInt reads an integer query parameter, def when absent.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, Errorf(CodeInvalidParameter, "parameter %q must be a non-negative integer, not %q", name, v)
	}
	return n, nil
}

func pathInt(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, Errorf(CodeInvalidParameter, "%s %q must be a positive integer", name, v)
	}
	return n, nil
}

func notConfigured(what string) *Error {
	return Errorf(CodeNotConfigured, "%s: not enabled on this server", what)
}

// PushResult is the answer to POST /v1/posts.
type PushResult struct {
	// Accepted counts the posts durably stored by this call or before it
	// (a re-sent post is accepted again and stored once).
	Accepted int         `json:"accepted"`
	Rejected int         `json:"rejected"`
	Errors   []ItemError `json:"errors,omitempty"`
}

var errBacklog = errors.New("backlog over its limit")

func (s *Server) pushPosts(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Sink == nil {
		return notConfigured("ingest")
	}
	p := PrincipalFrom(r.Context())
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	source := "push:" + p.Token.Name
	posts, bad, err := DecodePush(body, r.Header.Get("Content-Type"), PushOptions{
		MaxPosts:      s.cfg.MaxPushPosts,
		Source:        source,
		Pseudonymizer: post.NewPseudonymizer(s.cfg.PseudonymKey),
	})
	if errors.Is(err, ErrBatchTooLarge) {
		return Errorf(CodeBatchTooLarge, "%v: split the batch", err)
	}
	if err != nil {
		return err
	}
	res := PushResult{Rejected: len(bad), Errors: bad}
	if len(posts) == 0 {
		s.metrics.IngestBatch("push", 0, len(bad), nil)
		if len(bad) == 0 {
			return Errorf(CodeInvalidPost, "the batch holds no post")
		}
		e := Errorf(CodeInvalidPost, "every post of the batch was rejected (%d); see items", len(bad))
		e.Items = bad
		return e
	}
	if n, over := s.backlog.over(r.Context(), w); over {
		// Nothing stored, nothing acknowledged: the client retries later,
		// and the workers catch up meanwhile.
		s.metrics.IngestBatch("push", 0, len(bad), errBacklog)
		return Errorf(CodeUnavailable, "the processing backlog (%d) is over its limit (%d): retry after %d s", n, s.backlog.max, int(backlogRetryAfter/time.Second))
	}
	if ok, wait := s.limiter.allow(p.Token.Hash, len(posts), s.cfg.Now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
		return Errorf(CodeRateLimited, "token %q is over its ingest rate of %.0f posts/s; retry after %d s", p.Token.Name, s.cfg.IngestRate, retryAfter(wait))
	}
	// Accept returns only once the posts are durable: acknowledging after
	// it is the delivery guarantee.
	if err := s.deps.Sink.Accept(r.Context(), source, posts); err != nil {
		s.metrics.IngestBatch("push", 0, len(bad), err)
		if r.Context().Err() != nil {
			return r.Context().Err() // the client went away
		}
		s.cfg.Logger.Error("api: storing a pushed batch failed", "source", source, "posts", len(posts), "err", err)
		return Errorf(CodeUnavailable, "storing the batch failed, nothing of it is acknowledged; retry it")
	}
	s.metrics.IngestBatch("push", len(posts), len(bad), nil)
	res.Accepted = len(posts)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) listPosts(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Posts == nil {
		return notConfigured("posts")
	}
	q := r.URL.Query()
	if id := q.Get("platform_post_id"); id != "" {
		p, err := s.deps.Posts.FindPost(r.Context(), q.Get("platform"), id)
		if errors.Is(err, store.ErrNotFound) {
			writeJSON(w, http.StatusOK, map[string]any{"posts": []*store.Post{}})
			return nil
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"posts": []*store.Post{p}})
		return nil
	}
	caseID, err := queryInt(r, "case_id", 0)
	if err != nil {
		return err
	}
	before, err := queryInt(r, "before", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	posts, err := s.deps.Posts.ListPosts(r.Context(), store.PostQuery{CaseID: caseID, Platform: q.Get("platform"), Before: before, Limit: int(min(limit, 1000))})
	if err != nil {
		return err
	}
	if posts == nil {
		posts = []*store.Post{}
	}
	out := map[string]any{"posts": posts}
	if len(posts) > 0 && len(posts) == int(min(limit, 1000)) {
		out["next_before"] = posts[len(posts)-1].Key
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PostWithSignals is a stored post and what the detectors found on it,
// with the earlier texts of an edited post (a signal's Version says which
// text it was found on).
type PostWithSignals struct {
	*store.Post
	Signals  []store.Signal      `json:"signals"`
	Versions []store.PostVersion `json:"versions,omitempty"`
}

func (s *Server) postWithSignals(ctx context.Context, p *store.Post) (PostWithSignals, error) {
	sigs, err := s.deps.Posts.Signals(ctx, p.Key)
	if err != nil {
		return PostWithSignals{}, err
	}
	if sigs == nil {
		sigs = []store.Signal{}
	}
	if p.Lang == "" && p.Text != "" {
		// Most sources give no language: name the one the text engine
		// detects, so a reader knows what they are looking at.
		cp := *p
		cp.Lang = arabic.DetectLang(p.Text)
		p = &cp
	}
	out := PostWithSignals{Post: p, Signals: sigs}
	if p.Version > 1 {
		if out.Versions, err = s.deps.Posts.PostVersions(ctx, p.Key); err != nil {
			return PostWithSignals{}, err
		}
	}
	return out, nil
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Posts == nil {
		return notConfigured("posts")
	}
	key, err := pathInt(r, "key")
	if err != nil {
		return err
	}
	p, err := s.deps.Posts.Post(r.Context(), key)
	if errors.Is(err, store.ErrNotFound) {
		return Errorf(CodeNotFound, "no post with key %d", key)
	}
	if err != nil {
		return err
	}
	out, err := s.postWithSignals(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) listSignals(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Posts == nil {
		return notConfigured("signals")
	}
	key, err := queryInt(r, "post_key", 0)
	if err != nil {
		return err
	}
	if key == 0 {
		return Errorf(CodeInvalidParameter, "give ?post_key=KEY (the post's key, see GET /v1/posts)")
	}
	sigs, err := s.deps.Posts.Signals(r.Context(), key)
	if err != nil {
		return err
	}
	if sigs == nil {
		sigs = []store.Signal{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"signals": sigs})
	return nil
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Health == nil {
		return notConfigured("store")
	}
	c, err := s.deps.Health.Counts(r.Context())
	if err != nil {
		return err
	}
	if c.CasesBy == nil {
		c.CasesBy = map[store.Status]int64{}
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listConnectors(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Connectors == nil {
		writeJSON(w, http.StatusOK, map[string]any{"connectors": []any{}})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"connectors": s.deps.Connectors.States()})
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Audit == nil {
		return notConfigured("audit log")
	}
	after, err := queryInt(r, "after", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	es, err := s.deps.Audit.AuditEntries(r.Context(), after, int(min(max(limit, 1), 1000)))
	if err != nil {
		return err
	}
	if es == nil {
		es = []audit.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
	return nil
}

// tokenView is a token as the API shows it: never the hash.
type tokenView struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      auth.Role  `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Token is the secret, only in the answer to its creation.
	Token string `json:"token,omitempty"`
}

func viewToken(t auth.Token) tokenView {
	return tokenView{ID: t.ID, Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt}
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.deps.Tokens.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]tokenView, len(ts))
	for i, t := range ts {
		out[i] = viewToken(t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		return Errorf(CodeInvalidParameter, "%v", err)
	}
	if strings.TrimSpace(req.Name) == "" {
		return Errorf(CodeInvalidParameter, `"name" is required: who or what will use the token`)
	}
	secret, t, err := s.deps.Tokens.Create(r.Context(), req.Name, role)
	if err != nil {
		return err
	}
	if err := s.auditConfig(r, "token:"+t.ID, map[string]any{"op": "token.create", "name": t.Name, "role": t.Role}); err != nil {
		return err
	}
	v := viewToken(t)
	v.Token = secret
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	t, err := s.deps.Tokens.Revoke(r.Context(), r.PathValue("id"))
	if errors.Is(err, auth.ErrNotFound) {
		return Errorf(CodeNotFound, "%v", err)
	}
	if err != nil {
		return Errorf(CodeInvalidParameter, "%v", err)
	}
	if err := s.auditConfig(r, "token:"+t.ID, map[string]any{"op": "token.revoke", "name": t.Name}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewToken(t))
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
