package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/auth"
)

// TestErrorFormat: whatever goes wrong, the answer is {"error": {"code",
// "message"}} with the table's status for the code.
func TestErrorFormat(t *testing.T) {
	e := newEnv(t, Config{MaxBodyBytes: 1 << 10}, nil)
	big := bytes.Repeat([]byte("a"), 4<<10)
	cases := []struct {
		name         string
		role         auth.Role
		method, path string
		ct           string
		body         []byte
		code         Code
		allow        string
	}{
		{"unknown route", auth.Admin, "GET", "/v1/nothing", "", nil, CodeNotFound, ""},
		{"unknown route, no token", "", "GET", "/nowhere", "", nil, CodeNotFound, ""},
		{"wrong method", auth.Admin, "PUT", "/v1/cases", "", nil, CodeMethodNotAllowed, "GET"},
		{"wrong method on an item", auth.Admin, "DELETE", "/v1/cases/1", "", nil, CodeMethodNotAllowed, "GET"},
		{"bad JSON", auth.Admin, "POST", "/v1/tokens", "application/json", []byte(`{"name":`), CodeInvalidJSON, ""},
		{"unknown field", auth.Admin, "POST", "/v1/tokens", "application/json", []byte(`{"nme":"x"}`), CodeInvalidJSON, ""},
		{"two values", auth.Admin, "POST", "/v1/tokens", "application/json", []byte(`{"name":"a","role":"viewer"} {}`), CodeInvalidJSON, ""},
		{"not JSON content type", auth.Admin, "POST", "/v1/tokens", "text/plain", []byte(`{}`), CodeUnsupportedMedia, ""},
		{"body over the limit", auth.Admin, "POST", "/v1/tokens", "application/json", append(append([]byte(`{"name":"`), big...), `","role":"viewer"}`...), CodeBodyTooLarge, ""},
		{"bad path id", auth.Viewer, "GET", "/v1/cases/abc", "", nil, CodeInvalidParameter, ""},
		{"missing case", auth.Viewer, "GET", "/v1/cases/999", "", nil, CodeNotFound, ""},
		{"bad status filter", auth.Viewer, "GET", "/v1/cases?status=open", "", nil, CodeInvalidParameter, ""},
		{"negative limit", auth.Viewer, "GET", "/v1/cases?limit=-1", "", nil, CodeInvalidParameter, ""},
		{"not configured", auth.Viewer, "GET", "/v1/banks", "", nil, CodeNotConfigured, ""},
		{"missing post", auth.Viewer, "GET", "/v1/posts/5", "", nil, CodeNotFound, ""},
		{"signals need a post", auth.Viewer, "GET", "/v1/signals", "", nil, CodeInvalidParameter, ""},
		{"forbidden", auth.Viewer, "POST", "/v1/cases/next", "", nil, CodeForbidden, ""},
		{"unauthenticated", "", "GET", "/v1/cases", "", nil, CodeUnauthenticated, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, b, h := e.do(c.role, c.method, c.path, c.ct, c.body)
			er := apiError(t, code, b)
			if er.Code != c.code {
				t.Fatalf("code %s (%d), want %s: %s", er.Code, code, c.code, b)
			}
			if c.allow != "" && !strings.Contains(h.Get("Allow"), c.allow) {
				t.Fatalf("Allow %q, want it to hold %s", h.Get("Allow"), c.allow)
			}
			if h.Get("Content-Type") != "application/json" {
				t.Fatalf("Content-Type %q", h.Get("Content-Type"))
			}
		})
	}
}

func TestErrorStatusFromTable(t *testing.T) {
	for _, spec := range Errors {
		if got := Errorf(spec.Code, "x").Status(); got != spec.Status {
			t.Errorf("%s: status %d, want %d", spec.Code, got, spec.Status)
		}
		if spec.Doc == "" {
			t.Errorf("%s has no documentation", spec.Code)
		}
	}
	if Errorf("no_such_code", "x").Status() != 500 {
		t.Error("an unknown code must map to 500")
	}
}
