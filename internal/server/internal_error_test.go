package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/store"
)

// failingCases is a case store whose reads fail with a driver's message.
type failingCases struct{ store.Store }

func (failingCases) ListCases(context.Context, store.CaseQuery) ([]*store.Case, error) {
	return nil, errors.New(`pq: relation "cases" does not exist (SQLSTATE 42P01)`)
}

// TestInternalErrorLoggedOnceNeverSent: an unexpected failure of a
// dependency answers the stable code with a message that does not carry
// the cause, and the cause is logged once, with the route.
func TestInternalErrorLoggedOnceNeverSent(t *testing.T) {
	var logs syncWriter
	e := newEnv(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, nil)
	e = newEnvOn(t, e.db, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, func(d *Deps) { d.Cases = failingCases{e.db} })
	code, body, _ := e.do(auth.Analyst, "GET", "/v1/cases", "", nil)
	if code != 500 || !strings.Contains(string(body), `"internal"`) || strings.Contains(string(body), "SQLSTATE") {
		t.Fatalf("answer %d %s: want the internal code without the cause", code, body)
	}
	out := logs.String()
	if n := strings.Count(out, "level=ERROR"); n != 1 || !strings.Contains(out, "SQLSTATE 42P01") || !strings.Contains(out, "path=/v1/cases") {
		t.Fatalf("%d error lines, want one with the cause and the path:\n%s", n, out)
	}
}
