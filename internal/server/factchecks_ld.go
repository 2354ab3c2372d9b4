package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/basira-org/basira/internal/claims"
)

// POST /v1/factchecks takes Basira's {"factchecks": [...]} or schema.org
// ClaimReview JSON-LD as publishers write it: one ClaimReview, an array,
// an @graph, a ClaimReview inside an Article or WebPage, a Data Commons
// feed. The JSON-LD is read by claims.Decode, the same reader as
// 'basira claims import', so nothing the publisher wrote is lost.

// claimReviewBody reads the body when it is ClaimReview JSON-LD
// (Content-Type application/ld+json, or JSON whose top level is not
// Basira's {"factchecks": …}); otherwise it puts the body back for the
// usual decoder and returns ok false.
func claimReviewBody(r *http.Request) (body []byte, ok bool, err error) {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	ld := strings.HasPrefix(ct, "application/ld+json")
	if !ld && ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, false, nil // the usual decoder names the media type
	}
	body, err = io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, false, err
		}
		return nil, false, Errorf(CodeInvalidJSON, "reading the body: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if ld {
		return body, true, nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) == nil {
		if _, basira := top["factchecks"]; basira {
			return nil, false, nil
		}
	} else if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return nil, false, nil // not JSON: the usual decoder says where
	}
	return body, true, nil
}

// putClaimReview stores the fact-checks of a ClaimReview JSON-LD body. The
// response is the usual one; "warnings" lists parts imported without being
// read (a date in an unknown layout, kept as given for export).
func (s *Server) putClaimReview(w http.ResponseWriter, r *http.Request, body []byte) error {
	cs, itemErrs, err := claims.Decode(bytes.NewReader(body), claims.JSON, claims.Options{MaxJSONBytes: int64(len(body)) + 1})
	if err != nil {
		return Errorf(CodeInvalidJSON, "ClaimReview JSON-LD: %v", err)
	}
	var bad, warnings []ItemError
	for _, ie := range itemErrs {
		e := ItemError{Index: ie.Item - 1, Message: ie.Err.Error()}
		if ie.Kept {
			warnings = append(warnings, e)
		} else {
			bad = append(bad, e)
		}
	}
	if len(cs) == 0 {
		e := Errorf(CodeInvalidParameter, "no fact-check to add: the ClaimReview objects have no claimReviewed text")
		e.Items = bad
		return e
	}
	added, replaced, err := s.deps.FactChecks.Store.Put(r.Context(), cs)
	if err != nil {
		return err
	}
	if err := s.auditConfig(r, "factchecks", map[string]any{"op": "factchecks.put", "format": "claimreview", "added": added, "replaced": replaced}); err != nil {
		return err
	}
	reloaded := true
	if s.deps.FactChecks.Changed != nil {
		if err := s.deps.FactChecks.Changed(r.Context()); err != nil {
			s.cfg.Logger.Error("api: reloading fact-checks", "err", err)
			reloaded = false
		}
	}
	if bad == nil {
		bad = []ItemError{}
	}
	resp := map[string]any{"added": added, "replaced": replaced, "rejected": len(bad), "errors": bad, "reloaded": reloaded}
	if len(warnings) > 0 {
		resp["warnings"] = warnings
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
