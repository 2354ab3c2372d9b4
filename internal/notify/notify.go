// Package notify sends referrals: signed notifications to the platform that
// hosts content an analyst decided to refer, retried with back-off until the
// platform acknowledges them, and tracked through the platform's answer.
//
// Every request carries an Idempotency-Key (the referral id) so a platform
// that receives a retry can recognise it, and a Basira-Signature header:
//
//	Basira-Signature: t=1793527200,v1=<hex HMAC-SHA256(secret, "1793527200." + body)>
//
// A receiver checks it with Verify, which also rejects stale timestamps so a
// captured request cannot be replayed later.
package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Referral states. A referral starts pending, becomes sent when the
// platform's endpoint answered 2xx, and then follows the platform's status
// callbacks. failed means every attempt failed (the dead-letter state).
const (
	Pending      = "pending"
	Sent         = "sent"
	Acknowledged = "acknowledged"
	Removed      = "removed"
	Declined     = "declined"
	Failed       = "failed"
)

// SignatureHeader is the header carrying the request signature.
const SignatureHeader = "Basira-Signature"

// DefaultTolerance is how old a signed request may be when verified.
const DefaultTolerance = 5 * time.Minute

// Sign returns the Basira-Signature header value for body at time t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Errors from Verify.
var (
	ErrBadSignature = errors.New("signature does not match")
	ErrStale        = errors.New("signature timestamp outside the tolerance")
	ErrMalformed    = errors.New("malformed signature header")
)

// Verify checks a Basira-Signature header against body. Several v1 values
// are accepted (during secret rotation a sender may sign with both keys).
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return ErrMalformed
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrMalformed
	}
	if d := now.Sub(time.Unix(n, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w (%s)", ErrStale, d.Round(time.Second))
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
