// Package metrics holds Basira's Prometheus metrics: ingest rate, detector
// latency, queue depth and cases by state. The API server exposes them at
// /metrics; a worker process can serve the same registry on its own port.
//
// Counters and histograms are updated where the work happens (the API's
// push route, the pipeline's workers); gauges that mirror stored state
// (queue depth, cases by state) are read from callbacks at scrape time, so
// they are never stale and cost nothing between scrapes.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with Basira's collectors.
type Metrics struct {
	reg *prometheus.Registry

	ingestPosts    *prometheus.CounterVec
	ingestRejected *prometheus.CounterVec
	ingestBatches  *prometheus.CounterVec
	detector       *prometheus.HistogramVec
	requests       *prometheus.CounterVec
	requestTime    *prometheus.HistogramVec

	mu           sync.Mutex
	backlog      func() (float64, error)
	backlogLimit float64
	queue        func() (float64, error)
	cases        func(ctx context.Context) (map[string]int64, error)
	posts        func(ctx context.Context) (float64, error)
	states       []string
}

// New returns a registry with the Go runtime and process collectors and
// Basira's own metrics. caseStates lists every case state, so that a state
// with no case is exported as 0 rather than missing.
func New(caseStates ...string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), states: caseStates}
	m.ingestPosts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "basira_ingest_posts_total",
		Help: "Posts accepted (durably stored) by ingest, by source kind.",
	}, []string{"source"})
	m.ingestRejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "basira_ingest_rejected_total",
		Help: "Posts rejected at ingest (failed validation), by source kind.",
	}, []string{"source"})
	m.ingestBatches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "basira_ingest_batches_total",
		Help: "Ingest batches, by source kind and result (ok, error).",
	}, []string{"source", "result"})
	m.detector = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "basira_detector_seconds",
		Help:    "Time a detector takes on one post.",
		Buckets: []float64{.00001, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1},
	}, []string{"detector"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "basira_http_requests_total",
		Help: "API requests, by route pattern and status code.",
	}, []string{"route", "code"})
	m.requestTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "basira_http_request_seconds",
		Help:    "API request latency, by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	m.reg.MustRegister(m.ingestPosts, m.ingestRejected, m.ingestBatches, m.detector, m.requests, m.requestTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&stateCollector{m: m})
	return m
}

// Registry returns the underlying registry, to add collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// IngestBatch records one ingest batch from a source kind ("push", "rss",
// "file", …): accepted posts, rejected posts, and whether storing failed.
func (m *Metrics) IngestBatch(source string, accepted, rejected int, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	} else {
		m.ingestPosts.WithLabelValues(source).Add(float64(accepted))
	}
	if rejected > 0 {
		m.ingestRejected.WithLabelValues(source).Add(float64(rejected))
	}
	m.ingestBatches.WithLabelValues(source, result).Inc()
}

// ObserveDetector records the time detector took on one post.
func (m *Metrics) ObserveDetector(detector string, d time.Duration) {
	m.detector.WithLabelValues(detector).Observe(d.Seconds())
}

// ObserveRequest records one API request.
func (m *Metrics) ObserveRequest(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, statusText(code)).Inc()
	m.requestTime.WithLabelValues(route).Observe(d.Seconds())
}

// SetBacklog sets the callback read at scrape time for the processing
// backlog the API's back-pressure watches, and its threshold.
func (m *Metrics) SetBacklog(f func() (float64, error), limit float64) {
	m.mu.Lock()
	m.backlog, m.backlogLimit = f, limit
	m.mu.Unlock()
}

// SetQueueDepth sets the callback read at scrape time for the number of
// posts waiting for a detector worker.
func (m *Metrics) SetQueueDepth(f func() (float64, error)) {
	m.mu.Lock()
	m.queue = f
	m.mu.Unlock()
}

// SetCaseCounts sets the callback read at scrape time for the number of
// cases in each state, and for the number of stored posts.
func (m *Metrics) SetCaseCounts(cases func(ctx context.Context) (map[string]int64, error), posts func(ctx context.Context) (float64, error)) {
	m.mu.Lock()
	m.cases, m.posts = cases, posts
	m.mu.Unlock()
}

// statusText caches status labels: they are few and formatted per request.
var codeText = func() map[int]string {
	m := make(map[int]string, 500)
	for c := 100; c < 600; c++ {
		m[c] = strconv.Itoa(c)
	}
	return m
}()

func statusText(code int) string {
	if s, ok := codeText[code]; ok {
		return s
	}
	return strconv.Itoa(code)
}

var (
	queueDesc = prometheus.NewDesc("basira_queue_depth", "Posts stored but not yet processed by a detector worker.", nil, nil)
	casesDesc = prometheus.NewDesc("basira_cases", "Cases by review state.", []string{"state"}, nil)
	postsDesc = prometheus.NewDesc("basira_posts", "Posts stored.", nil, nil)

	backlogDesc      = prometheus.NewDesc("basira_backlog", "Posts stored and not yet processed, as the API's back-pressure reads it (with NATS; counted up to four times the limit).", nil, nil)
	backlogLimitDesc = prometheus.NewDesc("basira_backlog_limit", "Backlog past which pushes and /readyz answer 503 (0: no limit).", nil, nil)
)

// stateCollector reads the gauges that mirror stored state at scrape time.
type stateCollector struct{ m *Metrics }

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDesc
	ch <- casesDesc
	ch <- postsDesc
	ch <- backlogDesc
	ch <- backlogLimitDesc
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	queue, cases, posts, states := c.m.queue, c.m.cases, c.m.posts, c.m.states
	backlog, limit := c.m.backlog, c.m.backlogLimit
	c.m.mu.Unlock()
	if backlog != nil {
		if v, err := backlog(); err == nil {
			ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, v)
		} else {
			ch <- prometheus.NewInvalidMetric(backlogDesc, err)
		}
		ch <- prometheus.MustNewConstMetric(backlogLimitDesc, prometheus.GaugeValue, limit)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if queue != nil {
		if v, err := queue(); err == nil {
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, v)
		} else {
			ch <- prometheus.NewInvalidMetric(queueDesc, err)
		}
	}
	if cases != nil {
		if by, err := cases(ctx); err == nil {
			seen := map[string]bool{}
			for _, s := range states {
				seen[s] = true
				ch <- prometheus.MustNewConstMetric(casesDesc, prometheus.GaugeValue, float64(by[s]), s)
			}
			for s, n := range by {
				if !seen[s] {
					ch <- prometheus.MustNewConstMetric(casesDesc, prometheus.GaugeValue, float64(n), s)
				}
			}
		} else {
			ch <- prometheus.NewInvalidMetric(casesDesc, err)
		}
	}
	if posts != nil {
		if v, err := posts(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(postsDesc, prometheus.GaugeValue, v)
		} else {
			ch <- prometheus.NewInvalidMetric(postsDesc, err)
		}
	}
}
