package server

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/account"
	"github.com/basira-org/basira/internal/auth"
)

// People sign in with a name and a password (internal/account) and get a
// server-side session behind a cookie; systems keep sending API tokens.
// A cookie-authenticated request that changes anything must carry the
// session's CSRF token in X-CSRF-Token, and come from this origin.

// Cookie names: on TLS the __Host- prefix makes browsers refuse a cookie
// set by a sub-domain or over plain HTTP.
const (
	sessionCookie    = "basira_session"
	sessionCookieTLS = "__Host-basira_session"
	csrfHeader       = "X-CSRF-Token"
)

func sessionSecret(r *http.Request) string {
	for _, name := range []string{sessionCookieTLS, sessionCookie} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

func setSessionCookie(w http.ResponseWriter, r *http.Request, value string, clear bool) {
	c := &http.Cookie{Name: sessionCookie, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if r.TLS != nil {
		c.Name, c.Secure = sessionCookieTLS, true
	}
	if clear {
		c.Value, c.MaxAge = "", -1
	}
	// No Expires: the cookie dies with the browser; the server ends the
	// session on its own clock anyway.
	http.SetCookie(w, c)
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// sameOrigin refuses a request whose Origin (or, lacking it, Referer)
// names another site: a second line behind SameSite=Strict and the CSRF
// token. Requests without either header (curl, older browsers on GET) pass.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true
	}
	u, err := url.Parse(src)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// authenticateSession authenticates a request by its session cookie.
func (s *Server) authenticateSession(r *http.Request, secret string) (*Principal, *Error) {
	if s.deps.Accounts == nil {
		return nil, Errorf(CodeUnauthenticated, "this server has no accounts: send an API token (Authorization: Bearer TOKEN)")
	}
	sess, a, err := s.deps.Accounts.Authenticate(r.Context(), secret)
	if errors.Is(err, account.ErrNoSession) {
		return nil, Errorf(CodeUnauthenticated, "not signed in, or the session ended: sign in again")
	}
	if err != nil {
		return nil, s.toAPIError(err, 0)
	}
	if unsafeMethod(r.Method) {
		got := r.Header.Get(csrfHeader)
		if !sameOrigin(r) || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
			s.cfg.Logger.Warn("api: CSRF check failed", "account", a.Name, "remote", remoteHost(r), "route", r.Method+" "+r.URL.Path)
			return nil, Errorf(CodeCSRF, "this change lacks the session's %s header, or comes from another site: reload the page", csrfHeader)
		}
	}
	return &Principal{Token: auth.Token{ID: "session", Name: a.Name, Role: a.Role}, Session: true, csrf: sess.CSRF}, nil
}

type signInRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	// Link is the secret of a one-time sign-in link instead.
	Link string `json:"link"`
}

// signIn is POST /v1/session: a name and password (or a one-time link)
// for a session cookie. Any session the browser had is ended (rotation).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Accounts == nil {
		return notConfigured("accounts")
	}
	if !sameOrigin(r) {
		return Errorf(CodeCSRF, "sign-in from another site refused")
	}
	var req signInRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	remote, old := remoteHost(r), sessionSecret(r)
	var in account.SignedIn
	var err error
	switch {
	case req.Link != "":
		in, err = s.deps.Accounts.Redeem(r.Context(), req.Link, remote, old)
	case req.Name != "" && req.Password != "":
		in, err = s.deps.Accounts.SignIn(r.Context(), req.Name, req.Password, remote, old)
	default:
		return Errorf(CodeBadRequest, "send {\"name\", \"password\"} or {\"link\"}")
	}
	var rl *account.RateLimitedError
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
		return Errorf(CodeRateLimited, "%v", rl)
	case errors.Is(err, account.ErrBadCredentials):
		return Errorf(CodeUnauthenticated, "%v", err)
	case err != nil:
		return err
	}
	setSessionCookie(w, r, in.Secret, false)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, sessionView{SignedIn: true, Name: in.Account.Name, Role: in.Account.Role, CSRF: in.CSRF, Expires: &in.Expires, Kind: "session"})
	return nil
}

type sessionView struct {
	SignedIn bool       `json:"signed_in"`
	Name     string     `json:"name,omitempty"`
	Role     auth.Role  `json:"role"`
	Kind     string     `json:"kind,omitempty"` // "session" (a person) or "token" (a system)
	CSRF     string     `json:"csrf,omitempty"`
	Expires  *time.Time `json:"expires,omitempty"`
}

// getSession is GET /v1/session: who is signed in and the CSRF token the
// page must send back (the page keeps it in memory only). It is public:
// nobody signed in is an answer ({"signed_in": false}), not an error, so
// a page asking on load logs no failure.
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	p, e := s.authenticate(r)
	if e != nil {
		if e.Code != CodeUnauthenticated {
			return e
		}
		writeJSON(w, http.StatusOK, sessionView{})
		return nil
	}
	v := sessionView{SignedIn: true, Name: p.Token.Name, Role: p.Token.Role, Kind: "token"}
	if p.Session {
		v.Kind, v.CSRF = "session", p.csrf
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// signOut is DELETE /v1/session: the session ends on the server, the
// cookie is cleared, and the browser is told to drop what it cached.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	if p.Session {
		if err := s.deps.Accounts.SignOut(r.Context(), sessionSecret(r), p.Actor()); err != nil {
			return err
		}
		setSessionCookie(w, r, "", true)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
