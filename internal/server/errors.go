package server

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Code is a stable, documented error code. Clients branch on Code, never on
// Message; codes are only ever added, never renamed or reused.
type Code string

// The error table. Every error the API returns has one of these codes; the
// HTTP status is fixed per code. docs/api.md lists the same table (a test
// keeps them in step).
const (
	CodeBadRequest        Code = "bad_request"
	CodeInvalidJSON       Code = "invalid_json"
	CodeInvalidPost       Code = "invalid_post"
	CodeValidation        Code = "validation_error"
	CodeInvalidParameter  Code = "invalid_parameter"
	CodeInvalidHash       Code = "invalid_hash"
	CodeUnknownSignalType Code = "unknown_signal_type"
	CodeUnauthenticated   Code = "unauthenticated"
	CodeForbidden         Code = "forbidden"
	CodeCSRF              Code = "csrf_failed"
	CodeNotFound          Code = "not_found"
	CodeMethodNotAllowed  Code = "method_not_allowed"
	CodeConflict          Code = "conflict"
	CodeLeaseHeld         Code = "lease_held"
	CodeInvalidTransition Code = "invalid_transition"
	CodeBodyTooLarge      Code = "body_too_large"
	CodeBatchTooLarge     Code = "batch_too_large"
	CodeUnsupportedMedia  Code = "unsupported_media_type"
	CodeRateLimited       Code = "rate_limited"
	CodeInternal          Code = "internal"
	CodeNotConfigured     Code = "not_configured"
	CodeUnavailable       Code = "unavailable"
)

// ErrorSpec describes one code: its HTTP status and what a client should do.
type ErrorSpec struct {
	Code   Code
	Status int
	Doc    string
}

// Errors is the one table of API errors, in documentation order.
var Errors = []ErrorSpec{
	{CodeBadRequest, http.StatusBadRequest, "the request is malformed (see message); fix it before retrying"},
	{CodeInvalidJSON, http.StatusBadRequest, "the body is not the JSON the route expects; the message names the byte offset or field"},
	{CodeInvalidPost, http.StatusUnprocessableEntity, "a pushed post failed validation; per-item errors carry the item index"},
	{CodeValidation, http.StatusUnprocessableEntity, "an HMA request body lacks a required field (HMA's own status for it)"},
	{CodeInvalidParameter, http.StatusBadRequest, "a path or query parameter has a bad value; the message names it"},
	{CodeInvalidHash, http.StatusBadRequest, "a hash is not valid for its signal type (PDQ: 64 hex characters)"},
	{CodeUnknownSignalType, http.StatusBadRequest, "the signal type is not one Basira indexes (pdq, md5, sha256)"},
	{CodeUnauthenticated, http.StatusUnauthorized, "no token, or the token is unknown or revoked; send Authorization: Bearer TOKEN"},
	{CodeForbidden, http.StatusForbidden, "the token's role may not use this route; the message names the roles that may"},
	{CodeCSRF, http.StatusForbidden, "a change made with a session cookie lacks the session's X-CSRF-Token header or comes from another site; reload the page"},
	{CodeNotFound, http.StatusNotFound, "no such route or object"},
	{CodeMethodNotAllowed, http.StatusMethodNotAllowed, "the route exists but not with this method; see the Allow header"},
	{CodeConflict, http.StatusConflict, "the object exists already or changed meanwhile"},
	{CodeLeaseHeld, http.StatusConflict, "another analyst holds the case's lease; wait for it to expire or pick another case"},
	{CodeInvalidTransition, http.StatusConflict, "the case's status does not allow this step (e.g. deciding a dismissed case)"},
	{CodeBodyTooLarge, http.StatusRequestEntityTooLarge, "the body is over the route's size limit; split the batch"},
	{CodeBatchTooLarge, http.StatusRequestEntityTooLarge, "too many posts in one batch; split it"},
	{CodeUnsupportedMedia, http.StatusUnsupportedMediaType, "the Content-Type is not one the route reads"},
	{CodeRateLimited, http.StatusTooManyRequests, "the token is over its rate; retry after the Retry-After seconds"},
	{CodeInternal, http.StatusInternalServerError, "a server fault; it is logged, retry later"},
	{CodeNotConfigured, http.StatusNotImplemented, "this deployment has not enabled the feature behind the route"},
	{CodeUnavailable, http.StatusServiceUnavailable, "a dependency (store, index) is not ready; retry later"},
}

var statusOf = func() map[Code]int {
	m := make(map[Code]int, len(Errors))
	for _, e := range Errors {
		m[e.Code] = e.Status
	}
	return m
}()

// Error is an API error: a code from the table and a message for a person.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Items carries per-item errors of a batch (index into the batch).
	Items []ItemError `json:"items,omitempty"`
	// cause is an internal error's own text (a driver message, an
	// SQLSTATE): logged once by the server, never sent to the client.
	cause error
}

// ItemError is the error of one item of a batch.
type ItemError struct {
	Index   int    `json:"index"`
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Status is the HTTP status of the error's code.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

type errorBody struct {
	Error *Error `json:"error"`
}

// writeError writes e as {"error": {"code", "message"}} with its status.
func writeError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status())
	_ = json.NewEncoder(w).Encode(errorBody{e})
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
