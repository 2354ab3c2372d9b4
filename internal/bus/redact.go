package bus

import (
	"net/url"
	"strings"
)

// Redact returns a bus address fit for logs and the audit log: the
// password of nats://user:password@host becomes "xxxxx", and so does a
// token given alone as the user (nats://TOKEN@host). The audit log can
// never drop what it recorded, so the address is redacted before it.
func Redact(spec string) string {
	u, err := url.Parse(spec)
	if err != nil {
		// Unparseable: hide any authority user information by hand.
		if i := strings.Index(spec, "://"); i >= 0 {
			rest := spec[i+3:]
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				return spec[:i+3] + "xxxxx@" + rest[at+1:]
			}
		}
		return spec
	}
	if u.User == nil {
		return spec
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	} else {
		u.User = url.User("xxxxx")
	}
	return u.String()
}
