package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestMetrics(t *testing.T) {
	m := New("new", "in_review", "decided")
	m.IngestBatch("rss", 10, 2, nil)
	m.IngestBatch("rss", 5, 0, errors.New("disk full")) // failed: no posts counted
	m.ObserveDetector("rules", 300*time.Microsecond)
	m.ObserveRequest("GET /v1/cases", 200, time.Millisecond)
	m.SetQueueDepth(func() (float64, error) { return 7, nil })
	m.SetCaseCounts(func(context.Context) (map[string]int64, error) {
		return map[string]int64{"new": 4, "appealed": 1}, nil
	}, func(context.Context) (float64, error) { return 99, nil })
	code, text := scrape(t, m)
	if code != 200 {
		t.Fatalf("scrape: %d", code)
	}
	for _, want := range []string{
		`basira_ingest_posts_total{source="rss"} 10`,
		`basira_ingest_rejected_total{source="rss"} 2`,
		`basira_ingest_batches_total{result="error",source="rss"} 1`,
		`basira_detector_seconds_count{detector="rules"} 1`,
		`basira_http_requests_total{code="200",route="GET /v1/cases"} 1`,
		`basira_queue_depth 7`,
		`basira_cases{state="new"} 4`,
		`basira_cases{state="in_review"} 0`, // known states are always exported
		`basira_cases{state="appealed"} 1`,  // and unknown ones too
		`basira_posts 99`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	// A failing callback fails its metric only: the rest is still served.
	m.SetQueueDepth(func() (float64, error) { return 0, errors.New("bus down") })
	code, text = scrape(t, m)
	if !strings.Contains(text, `basira_posts 99`) || strings.Contains(text, "basira_queue_depth 0") {
		t.Fatalf("scrape with a failing gauge: %d\n%s", code, text)
	}
}
