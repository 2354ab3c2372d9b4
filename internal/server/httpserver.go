package server

import (
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// HTTPOptions bound what one client can hold of the server: slow clients
// (a byte every few seconds) are cut at the header and body deadlines,
// and the listener accepts at most MaxConns connections at once (the
// others wait in the kernel's queue until a slot frees).
type HTTPOptions struct {
	ReadHeaderTimeout time.Duration // request line and headers
	ReadTimeout       time.Duration // the whole request, body included
	WriteTimeout      time.Duration // the answer
	IdleTimeout       time.Duration // between keep-alive requests
	MaxConns          int           // open connections at once (0: no limit)
	MaxHeaderBytes    int
}

// DefaultHTTPOptions suit a push of MaxPushBytes over a slow link and a
// few hundred clients on one server.
var DefaultHTTPOptions = HTTPOptions{
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       2 * time.Minute,
	WriteTimeout:      5 * time.Minute,
	IdleTimeout:       2 * time.Minute,
	MaxConns:          1024,
	MaxHeaderBytes:    64 << 10,
}

// NewHTTPServer returns an http.Server for h with o's deadlines (zero
// fields take DefaultHTTPOptions' values).
func NewHTTPServer(h http.Handler, o HTTPOptions) *http.Server {
	d := DefaultHTTPOptions
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	mh := o.MaxHeaderBytes
	if mh <= 0 {
		mh = d.MaxHeaderBytes
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: pick(o.ReadHeaderTimeout, d.ReadHeaderTimeout),
		ReadTimeout:       pick(o.ReadTimeout, d.ReadTimeout),
		WriteTimeout:      pick(o.WriteTimeout, d.WriteTimeout),
		IdleTimeout:       pick(o.IdleTimeout, d.IdleTimeout),
		MaxHeaderBytes:    mh,
	}
}

// LimitListener accepts at most n connections at once (n <= 0: no limit).
func LimitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return netutil.LimitListener(ln, n)
}
