package truth

import (
	"net/http"
	"strings"
)

// BaseURL returns the public site's origin ("https://example.org"): the
// configured one, else the request's own (https when the request came
// over TLS or a proxy says so with X-Forwarded-Proto).
func BaseURL(r *http.Request, configured string) string {
	if configured != "" {
		return strings.TrimSuffix(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
