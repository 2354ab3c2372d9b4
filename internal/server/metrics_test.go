package server

import (
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/auth"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	seedCases(t, e.db, 4)
	if code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(3, 100, "x")); code != 200 {
		t.Fatalf("push: %d %s", code, b)
	}
	e.do(auth.Ingest, "POST", "/v1/posts", "application/json", []byte(`[{"id":"z","text":"no platform"}]`))
	var c struct{ ID int64 }
	e.json(auth.Analyst, "POST", "/v1/cases/next", nil, 200, &c)
	var st struct {
		Posts, Unprocessed, Cases int64
		CasesBy                   map[string]int64 `json:"cases_by_status"`
	}
	e.json(auth.Viewer, "GET", "/v1/stats", nil, 200, &st)
	if st.Posts != 7 || st.Unprocessed != 3 || st.Cases != 2 || st.CasesBy["in_review"] != 1 {
		t.Fatalf("stats %+v", st)
	}
	code, b, h := e.do("", "GET", "/metrics", "", nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", code, h.Get("Content-Type"))
	}
	text := string(b)
	for _, want := range []string{
		`basira_ingest_posts_total{source="push"} 3`,
		`basira_ingest_rejected_total{source="push"} 1`,
		`basira_ingest_batches_total{result="ok",source="push"} 2`,
		`basira_cases{state="new"} 1`,
		`basira_cases{state="in_review"} 1`,
		`basira_cases{state="dismissed"} 0`,
		`basira_posts 7`,
		`basira_queue_depth 3`, // the 3 pushed posts wait for a worker
		`basira_http_requests_total{code="200",route="POST /v1/posts"} 1`,
		`basira_http_requests_total{code="422",route="POST /v1/posts"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
