// Package server is Basira's HTTP JSON API: posts, signals, cases, banks,
// rules, fact-checks, connectors, health and metrics under /v1, plus routes
// compatible with Meta's Hasher-Matcher-Actioner (HMA 2.0) so tools that
// speak HMA can use Basira unchanged.
//
// Every route declares the roles that may call it (internal/auth);
// the route table is the single source for routing, authorisation and the
// OpenAPI document served at /v1/openapi.json, and tests keep the three in
// step. Errors are always {"error": {"code", "message"}} with a code from
// one table (errors.go).
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/server/metrics"
	"github.com/basira-org/basira/internal/store"
)

// Config tunes the server. Zero values take the defaults.
type Config struct {
	// MaxBodyBytes caps request bodies on routes that take JSON (default 1 MiB).
	MaxBodyBytes int64
	// MaxPushBytes caps a POST /v1/posts body (default 16 MiB).
	MaxPushBytes int64
	// MaxPushPosts caps the posts of one push batch (default 5,000).
	MaxPushPosts int
	// MaxMediaBytes caps an uploaded or fetched media file (default 32 MiB).
	MaxMediaBytes int64
	// IngestRate is the sustained posts per second one ingest token may push
	// (default 10,000); IngestBurst the bucket size (default 2 × MaxPushPosts).
	IngestRate  float64
	IngestBurst int
	// LeaseDuration is how long a claimed case stays with its analyst
	// (default 15 minutes).
	LeaseDuration time.Duration
	// FetchClient fetches media for HMA's ?url= routes; nil disables them
	// (fetching URLs a caller names is a server-side request: enable it only
	// where the network around the server is safe for it).
	FetchClient *http.Client
	// FetchTimeout bounds one ?url= fetch and its hashing (default 30 s);
	// FetchMaxBytes caps the fetched file (default MaxMediaBytes).
	FetchTimeout  time.Duration
	FetchMaxBytes int64
	// HMANoAuth lets requests from the loopback interface use the HMA
	// routes without a token, as an administrator named "hma-no-auth",
	// for OMM clients that cannot send a header. Requests from any other
	// address still need a token. serve allows it only when it listens on
	// a loopback address.
	HMANoAuth bool
	// PseudonymKey keys the author pseudonyms of pushed posts.
	PseudonymKey []byte
	// Backlog reads the processing backlog (what waits for a detector
	// worker); past MaxBacklog, pushes and /readyz answer 503 with
	// Retry-After, so ingest slows down instead of the backlog growing
	// without bound. Both are shown in /metrics. Zero MaxBacklog: no limit.
	Backlog    func(context.Context) (int64, error)
	MaxBacklog int64
	// PublicURL is the public site's origin ("https://example.org") used
	// in the links of published debunks; empty: the request's own.
	PublicURL string
	// Publisher names the organisation debunks are published under
	// (default debunk.Publisher).
	Publisher string
	// Logger receives request errors (default slog.Default()).
	Logger *slog.Logger
	// Now returns the time (tests); default time.Now.
	Now func() time.Time
}

func (c *Config) fill() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxPushBytes <= 0 {
		c.MaxPushBytes = 16 << 20
	}
	if c.MaxPushPosts <= 0 {
		c.MaxPushPosts = 5000
	}
	if c.MaxMediaBytes <= 0 {
		c.MaxMediaBytes = 32 << 20
	}
	if c.FetchTimeout <= 0 {
		c.FetchTimeout = 30 * time.Second
	}
	if c.FetchMaxBytes <= 0 {
		c.FetchMaxBytes = c.MaxMediaBytes
	}
	if c.IngestRate <= 0 {
		c.IngestRate = 10000
	}
	if c.IngestBurst <= 0 {
		c.IngestBurst = 2 * c.MaxPushPosts
	}
	if c.LeaseDuration <= 0 {
		c.LeaseDuration = 15 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// PostReader reads stored posts and their signals (store.Store has these).
type PostReader interface {
	Post(ctx context.Context, key int64) (*store.Post, error)
	FindPost(ctx context.Context, platform, id string) (*store.Post, error)
	ListPosts(ctx context.Context, q store.PostQuery) ([]*store.Post, error)
	Signals(ctx context.Context, postKey int64) ([]store.Signal, error)
	PostVersions(ctx context.Context, key int64) ([]store.PostVersion, error)
}

// CaseStore lists, leases and moves cases (store.Store has these).
type CaseStore interface {
	Case(ctx context.Context, id int64) (*store.Case, error)
	ListCases(ctx context.Context, q store.CaseQuery) ([]*store.Case, error)
	ClaimNext(ctx context.Context, analyst string, lease time.Duration, now time.Time) (*store.Case, error)
	Transition(ctx context.Context, t store.Transition) (*store.Case, error)
	Decisions(ctx context.Context, caseID int64) ([]store.Decision, error)
}

// AuditLog appends to and reads the hash-chained audit log (store.Store).
type AuditLog interface {
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
	AuditEntries(ctx context.Context, after int64, limit int) ([]audit.Entry, error)
}

// Health is the readiness probe and the figures of /metrics (store.Store).
type Health interface {
	Ping(ctx context.Context) error
	Counts(ctx context.Context) (store.Counts, error)
}

// Connectors reports the ingest connectors' states (ingest.Supervisor).
type Connectors interface {
	States() []ingest.State
}

// Deps are what the server serves. A nil dependency turns its routes into
// not_configured errors (except Tokens: without it every guarded route
// answers unauthenticated).
type Deps struct {
	Sink       ingest.Sink
	Posts      PostReader
	Cases      CaseStore
	Audit      AuditLog
	Health     Health
	Tokens     auth.Store
	Connectors Connectors
	Banks      Banks
	Hasher     Hasher
	Rules      Rules
	FactChecks *FactChecks
	Metrics    *metrics.Metrics
	// Referrals are the referrals to platforms (internal/referral).
	Referrals Referrals
	// Accounts signs people in with a password (session cookies); nil:
	// only API tokens are accepted.
	Accounts *account.Service
	// Dashboard reads the dashboard's aggregates (store.Store has it).
	Dashboard DashboardReader
	// MediaDir is where fetched media are kept (--keep-media): thumbnails
	// of kept images are served from it. Empty: no thumbnails.
	MediaDir string
	// Debunks are the analysts' debunks (debunk.Store).
	Debunks Debunks
	// ClaimDesk holds the emerging claims of the rumour desk.
	ClaimDesk ClaimDesk
}

// Server is the API. It is an http.Handler.
type Server struct {
	cfg     Config
	deps    Deps
	mux     *http.ServeMux
	routes  []*Route
	limiter *limiter
	metrics *metrics.Metrics

	seenMu sync.Mutex
	seen   map[string]bool // tokens whose first use was audited

	failures signInFailures
	backlog  *backlogGate
	sigs     signalSettings // HMA signal type settings
}

// New returns the API handler.
func New(cfg Config, deps Deps) *Server {
	cfg.fill()
	s := &Server{cfg: cfg, deps: deps, mux: http.NewServeMux(), seen: map[string]bool{}}
	s.limiter = newLimiter(cfg.IngestRate, cfg.IngestBurst)
	s.metrics = deps.Metrics
	if s.metrics == nil {
		states := make([]string, len(store.Statuses))
		for i, st := range store.Statuses {
			states[i] = string(st)
		}
		s.metrics = metrics.New(states...)
	}
	if deps.Health != nil {
		h := deps.Health
		s.metrics.SetCaseCounts(func(ctx context.Context) (map[string]int64, error) {
			c, err := h.Counts(ctx)
			if err != nil {
				return nil, err
			}
			out := make(map[string]int64, len(c.CasesBy))
			for k, v := range c.CasesBy {
				out[string(k)] = v
			}
			return out, nil
		}, func(ctx context.Context) (float64, error) {
			c, err := h.Counts(ctx)
			return float64(c.Posts), err
		})
		s.metrics.SetQueueDepth(func() (float64, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, err := h.Counts(ctx)
			return float64(c.Unprocessed), err
		})
	}
	if cfg.Backlog != nil {
		s.backlog = &backlogGate{read: cfg.Backlog, max: cfg.MaxBacklog, now: cfg.Now}
		s.metrics.SetBacklog(func() (float64, error) {
			return float64(s.backlog.level(context.Background())), nil
		}, float64(cfg.MaxBacklog))
	}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	s.mux.HandleFunc("/", s.notFound)
	return s
}

// Metrics returns the server's metrics (to share with workers).
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// Routes returns the route table (documentation, tests).
func (s *Server) Routes() []*Route { return s.routes }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Route is one entry of the route table.
type Route struct {
	Method string
	Path   string
	// Roles that may call the route; Public routes need no token.
	Roles  []auth.Role
	Public bool
	// Summary and Tag describe the route in the OpenAPI document.
	Summary string
	Tag     string
	// BodyLimit caps the request body (0: Config.MaxBodyBytes).
	BodyLimit int64
	// HMA routes add HMA's top-level "message" to errors.
	HMA     bool
	handler func(w http.ResponseWriter, r *http.Request) error
}

// Special Route.BodyLimit values: the push and media limits of Config.
const (
	bodyPush  = -1
	bodyMedia = -2
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Token auth.Token
	// Session is set for a person signed in with a password (a session
	// cookie) rather than an API token.
	Session bool
	csrf    string
}

// Actor is how the caller is named in the audit log: "role:name".
func (p *Principal) Actor() string { return string(p.Token.Role) + ":" + p.Token.Name }

type principalKey struct{}

// PrincipalFrom returns the request's caller (nil on public routes).
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// statusWriter records the status for metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// StatusClientAborted is the status recorded in metrics for a request
// whose client went away before it was answered (nginx's 499): not a
// server fault, so neither a 5xx nor an error in the log.
const StatusClientAborted = 499

// abortBody remembers whether reading the request body failed for a
// reason other than its size limit: the client went away mid-body.
type abortBody struct {
	io.ReadCloser
	failed bool
}

func (b *abortBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			b.failed = true
		}
	}
	return n, err
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap builds the handler chain of one route: recover, metrics,
// authentication and role check, body limit, then the handler; an error
// from the handler is written in the one error format.
func (s *Server) wrap(rt *Route) http.Handler {
	limit := rt.BodyLimit
	switch limit {
	case 0:
		limit = s.cfg.MaxBodyBytes
	case bodyPush:
		limit = s.cfg.MaxPushBytes
	case bodyMedia:
		limit = s.cfg.MaxMediaBytes
	}
	pattern := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Logger.Error("api: panic", "route", pattern, "panic", v, "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.fail(sw, r, rt, Errorf(CodeInternal, "internal error (logged); retry later"))
				}
			}
			s.metrics.ObserveRequest(pattern, sw.status, time.Since(start))
		}()
		if !rt.Public && rt.HMA && s.cfg.HMANoAuth && r.Header.Get("Authorization") == "" && fromLoopback(r) && !fromBrowser(r) {
			p := &Principal{Token: auth.Token{ID: "hma-no-auth", Name: "hma-no-auth", Role: auth.Admin}}
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		} else if !rt.Public {
			p, e := s.authenticate(r)
			if e != nil {
				s.fail(sw, r, rt, e)
				return
			}
			if p.Token.Role != auth.Admin && !slices.Contains(rt.Roles, p.Token.Role) {
				s.fail(sw, r, rt, Errorf(CodeForbidden, "role %q may not call %s %s (roles that may: %s)", p.Token.Role, rt.Method, rt.Path, roleList(rt.Roles)))
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		}
		var body *abortBody
		if r.Body != nil && limit > 0 {
			r.Body = http.MaxBytesReader(sw, r.Body, limit)
		}
		if r.Body != nil {
			body = &abortBody{ReadCloser: r.Body}
			r.Body = body
		}
		if err := rt.handler(sw, r); err != nil {
			if (body != nil && body.failed) || r.Context().Err() != nil {
				// The client went away: nobody to answer, nothing to log.
				if sw.status == 0 {
					sw.status = StatusClientAborted
				}
				return
			}
			s.fail(sw, r, rt, s.toAPIError(err, limit))
		}
	})
}

func roleList(roles []auth.Role) string {
	out := []string{string(auth.Admin)}
	for _, r := range roles {
		if r != auth.Admin {
			out = append(out, string(r))
		}
	}
	return strings.Join(out, ", ")
}

// fail writes e; HMA routes also carry HMA's {"message"} at the top level.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt *Route, e *Error) {
	if e.Code == CodeInternal {
		// Logged here, once, with its cause; the client gets the stable
		// code and a message without it.
		var cause any = e.Message
		if e.cause != nil {
			cause = e.cause
		}
		s.cfg.Logger.Error("api: internal error", "method", r.Method, "path", r.URL.Path, "err", cause)
	}
	if e.Code == CodeRateLimited && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	if rt != nil && rt.HMA {
		status := e.Status()
		if e.Code == CodeUnsupportedMedia {
			// HMA answers an upload or URL it cannot hash with 400.
			status = http.StatusBadRequest
		}
		writeJSON(w, status, struct {
			Error   *Error `json:"error"`
			Message string `json:"message"`
		}{e, e.Message})
		return
	}
	writeError(w, e)
}

// toAPIError maps an error from a handler or a dependency to the table.
func (s *Server) toAPIError(err error, limit int64) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return Errorf(CodeBodyTooLarge, "request body is over the %d-byte limit of this route; send less (split the batch)", mbe.Limit)
	case errors.Is(err, store.ErrNotFound):
		return Errorf(CodeNotFound, "%v", err)
	case errors.Is(err, store.ErrConflict):
		return Errorf(CodeConflict, "%v", err)
	case errors.Is(err, context.Canceled):
		return Errorf(CodeUnavailable, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return Errorf(CodeUnavailable, "timed out: %v", err)
	}
	// The cause (a driver message, an SQLSTATE) is for the operator's log
	// (fail writes it), never for the client.
	e := Errorf(CodeInternal, "internal error (logged on the server); retry later")
	e.cause = err
	return e
}

// authenticate reads the bearer token and looks it up.
func (s *Server) authenticate(r *http.Request) (*Principal, *Error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if secret := sessionSecret(r); secret != "" {
			return s.authenticateSession(r, secret)
		}
		return nil, Errorf(CodeUnauthenticated, "missing token: send the header \"Authorization: Bearer TOKEN\" (create one with 'basira token create')")
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		s.signInFailed(r, "malformed Authorization header")
		return nil, Errorf(CodeUnauthenticated, "the Authorization header must be \"Bearer TOKEN\"")
	}
	if s.deps.Tokens == nil {
		return nil, Errorf(CodeUnauthenticated, "this server has no token store: no token is valid")
	}
	t, err := s.deps.Tokens.Lookup(r.Context(), auth.HashSecret(strings.TrimSpace(secret)))
	switch {
	case errors.Is(err, auth.ErrNotFound):
		s.signInFailed(r, "unknown token")
		return nil, Errorf(CodeUnauthenticated, "unknown token")
	case errors.Is(err, auth.ErrRevoked):
		s.signInFailed(r, "revoked token "+t.ID)
		return nil, Errorf(CodeUnauthenticated, "token %s (%s) was revoked", t.ID, t.Name)
	case err != nil:
		return nil, s.toAPIError(err, 0)
	}
	p := &Principal{Token: t}
	s.auditFirstUse(r.Context(), p, r)
	return p, nil
}

// auditFirstUse records a token's first use by this process (a "login"),
// not every request: the log stays readable and a new token in use shows.
func (s *Server) auditFirstUse(ctx context.Context, p *Principal, r *http.Request) {
	s.seenMu.Lock()
	first := !s.seen[p.Token.Hash]
	s.seen[p.Token.Hash] = true
	s.seenMu.Unlock()
	if !first {
		return
	}
	s.audit(ctx, audit.New(p.Actor(), audit.ActionLogin, "token:"+p.Token.ID, map[string]any{
		"role": p.Token.Role, "route": r.Method + " " + r.URL.Path,
	}))
}

// audit appends e, logging (not failing the request) when the log cannot be
// written: used only for entries that accompany no state change of their own.
func (s *Server) audit(ctx context.Context, e audit.Entry) {
	if s.deps.Audit == nil {
		return
	}
	if _, err := s.deps.Audit.AppendAudit(ctx, e); err != nil {
		s.cfg.Logger.Error("api: writing the audit log", "action", e.Action, "err", err)
	}
}

// mustAudit appends e and returns an error if the log cannot be written.
// auditConfig records a configuration change by the request's principal
// (target "bank:NAME", "rules", ...), failing the request if it cannot.
func (s *Server) auditConfig(r *http.Request, target string, details map[string]any) error {
	p := PrincipalFrom(r.Context())
	return s.mustAudit(r.Context(), audit.New(p.Actor(), audit.ActionConfig, target, details))
}

func (s *Server) mustAudit(ctx context.Context, e audit.Entry) error {
	if s.deps.Audit == nil {
		return nil
	}
	if _, err := s.deps.Audit.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// notFound answers every unrouted request: 405 with Allow when the path
// exists with other methods, 404 otherwise.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pat := s.mux.Handler(r2); pat != "" && pat != "/" {
			allow = append(allow, m)
		}
	}
	// HMA clients read an error's top-level "message": the HMA paths
	// answer in HMA's shape.
	var hma *Route
	if isHMAPath(r.URL.Path) {
		hma = &Route{HMA: true}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.fail(w, r, hma, Errorf(CodeMethodNotAllowed, "%s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	s.fail(w, r, hma, Errorf(CodeNotFound, "no route %s %s (see /v1/openapi.json)", r.Method, r.URL.Path))
}

// decodeJSON reads one JSON value from the body into v, with messages that
// name the problem. Unknown fields are refused, so a typo is an error.
func decodeJSON(r *http.Request, v any) error { return decodeJSONBody(r, v, true) }

// decodeJSONLoose is decodeJSON accepting unknown fields, for the HMA
// routes: HMA's own models ignore fields they do not know.
func decodeJSONLoose(r *http.Request, v any) error { return decodeJSONBody(r, v, false) }

func decodeJSONBody(r *http.Request, v any, strict bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return Errorf(CodeUnsupportedMedia, "Content-Type %q: send application/json", ct)
	}
	dec := json.NewDecoder(r.Body)
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return Errorf(CodeInvalidJSON, "empty body: send a JSON object")
		}
		return Errorf(CodeInvalidJSON, "%s", describeJSONError(err))
	}
	if dec.More() {
		return Errorf(CodeInvalidJSON, "the body holds more than one JSON value")
	}
	return nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("field %q must be a %s, not a JSON %s", typ.Field, typ.Type, typ.Value)
	}
	return err.Error()
}

// isHMAPath reports whether path is under one of HMA's prefixes.
func isHMAPath(path string) bool {
	for _, p := range []string{"/c/", "/m/", "/h/", "/status", "/site-map", "/openapi/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// fromLoopback reports whether r came from the loopback interface.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// fromBrowser reports whether r was sent by a web browser on behalf of a
// page (it carries Origin or Sec-Fetch-Site): a page from any site could
// otherwise post a form to a loopback server running without tokens.
func fromBrowser(r *http.Request) bool {
	return r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != ""
}
