package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/audit"
)

// ActionLoginFailed is the audit action of failed sign-ins.
const ActionLoginFailed = "auth.failed"

// signInWindow is how often failed sign-ins from one address are logged
// and audited: the first at once, the rest counted into the next entry,
// so a guessing flood cannot flood the log or the audit chain.
const signInWindow = time.Minute

// maxTracked bounds the addresses tracked at once; beyond it, failures
// are counted under one shared key.
const maxTracked = 10000

type failWindow struct {
	start time.Time
	n     int
}

type signInFailures struct {
	mu sync.Mutex
	by map[string]*failWindow
}

// note counts a failure from addr and reports whether it opens a new
// window (to log and audit now) and how many failures it stands for.
func (f *signInFailures) note(addr string, now time.Time) (report bool, count int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.by == nil {
		f.by = map[string]*failWindow{}
	}
	w := f.by[addr]
	if w == nil && len(f.by) >= maxTracked {
		for k, v := range f.by {
			if now.Sub(v.start) >= signInWindow {
				delete(f.by, k)
			}
		}
		if len(f.by) >= maxTracked {
			addr = "other"
			w = f.by[addr]
		}
	}
	if w == nil || now.Sub(w.start) >= signInWindow {
		n := 1
		if w != nil {
			n += w.n // failures counted since the last report
		}
		f.by[addr] = &failWindow{start: now}
		return true, n
	}
	w.n++
	return false, 0
}

// signInFailed logs and audits a failed sign-in (a token presented but
// malformed, unknown or revoked), never the token itself.
func (s *Server) signInFailed(r *http.Request, reason string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	report, n := s.failures.note(host, s.cfg.Now())
	if !report {
		return
	}
	s.cfg.Logger.Warn("api: sign-in failed", "remote", host, "reason", reason, "failures", n, "route", r.Method+" "+r.URL.Path)
	s.audit(r.Context(), audit.New("anonymous", ActionLoginFailed, "remote:"+host, map[string]any{
		"reason": reason, "failures": n, "route": r.Method + " " + r.URL.Path, "window": signInWindow.String(),
	}))
}
