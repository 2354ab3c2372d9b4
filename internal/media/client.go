package media

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// MaxRedirects is how many redirects a safe client follows.
const MaxRedirects = 5

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Timeout bounds a whole fetch, redirects and body included
	// (default DefaultTimeout).
	Timeout time.Duration
	// AllowDial, when set, lets the client connect to an address it would
	// otherwise refuse as private or local. It exists for tests (a local
	// httptest server); no flag sets it.
	AllowDial func(netip.AddrPort) bool
}

// NewClient returns an HTTP client for fetching media a caller names by
// URL (a server-side request): it connects only to public addresses,
// checked on the address actually dialled after name resolution, for the
// first request and for every redirect hop alike; it follows at most
// MaxRedirects redirects, only to http and https; it uses no proxy from
// the environment (a proxy would dial on its behalf, unchecked); and it
// gives up after Timeout.
func NewClient(o ClientOptions) *http.Client {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	control := func(_, address string, _ syscall.RawConn) error {
		return checkDial(address, o.AllowDial)
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: timeout, Control: control}).DialContext,
			TLSHandshakeTimeout: timeout,
			MaxIdleConns:        16,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			return checkRedirect(req, via, o.AllowDial)
		},
	}
}

// ErrRedirect refuses a redirect a safe client does not follow.
var ErrRedirect = errors.New("redirect refused")

func checkRedirect(req *http.Request, via []*http.Request, allow func(netip.AddrPort) bool) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrRedirect, MaxRedirects)
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("%w: to a %s: URL", ErrRedirect, s)
	}
	// A literal address is refused here with a clear message; names are
	// checked when dialled (checkDial).
	if a, err := netip.ParseAddr(req.URL.Hostname()); err == nil {
		if block, bad := SpecialPurpose(a); bad {
			port := req.URL.Port()
			if port == "" {
				port = map[string]string{"http": "80", "https": "443"}[req.URL.Scheme]
			}
			if ap, err := netip.ParseAddrPort(net.JoinHostPort(a.String(), port)); err == nil && allowed(ap, allow) {
				return nil
			}
			return fmt.Errorf("%w: %w (%s: %s)", ErrRedirect, ErrPrivateAddress, a, block)
		}
	}
	return nil
}

func allowed(ap netip.AddrPort, allow func(netip.AddrPort) bool) bool {
	return allow != nil && allow(ap)
}

// checkDial refuses a connection to a special-purpose address unless the
// test hook allows that exact address and port.
func checkDial(address string, allow func(netip.AddrPort) bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w (%s)", ErrPrivateAddress, address)
	}
	if block, bad := SpecialPurpose(ap.Addr()); bad && !allowed(ap, allow) {
		return fmt.Errorf("%w (%s: %s)", ErrPrivateAddress, ap.Addr(), block)
	}
	return nil
}
