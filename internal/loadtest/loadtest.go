// Package loadtest drives `basira bench ingest`: it generates a synthetic
// stream of posts, pushes it through an open app.App's ingest Sink as fast
// as the service takes it (or at a set rate), optionally with separate
// worker processes, and measures throughput, ingest-to-case latency, CPU
// and memory.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/post"
)

// Options shape one run.
type Options struct {
	Posts     int // posts to ingest
	Batch     int // posts per ingest batch (one transaction)
	Producers int // concurrent ingest clients
	HitEvery  int // one post in this many is a campaign copy
	// Campaigns bounds the distinct campaigns the copies belong to; 0
	// makes every flagged post distinct, opening its own case.
	Campaigns int
	Rate      int    // offered load in posts/s (0: as fast as taken)
	Seed      uint64 // seed of the synthetic stream
	// WorkerProcs separate 'basira worker' processes are started with
	// WorkerArgs (detector flags) added to their --store and --bus.
	WorkerProcs int
	WorkerArgs  []string
	CPUProfile  string    // write a CPU profile of the run here
	Stderr      io.Writer // the worker processes' stderr
}

// Recorder collects the latency of every processed post; give its Observe
// to app.Options.Observe.
type Recorder struct {
	mu           sync.Mutex
	lat, caseLat []time.Duration
}

// Observe records one processed post.
func (r *Recorder) Observe(ev pipeline.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, ev.Latency)
	if ev.Result.CaseID != 0 {
		r.caseLat = append(r.caseLat, ev.Latency)
	}
}

// Report is what one run measured.
type Report struct {
	Store, Bus                string
	Workers, Procs, Detectors int
	Posts                     int
	Stats                     pipeline.Stats
	Cases, Signals            int64
	Rate                      int
	Ingested, Total, CPU      time.Duration
	Lat, CaseLat              []time.Duration
	PeakHeap                  uint64
	InputBytes                int
}

// Run ingests o.Posts synthetic posts through a (opened with rec.Observe)
// and, when posts are processed here or by worker processes, waits until
// all are.
func Run(ctx context.Context, a *app.App, rec *Recorder, o Options) (*Report, error) {
	input := generate(o)
	dec := post.NewDecoder(bytes.NewReader(input), post.JSONL, post.Options{Pseudonymizer: post.NewPseudonymizer([]byte("bench")), Source: "bench"})
	stopSample, peakHeap := sampleHeap(ctx)
	defer stopSample()
	children, err := startWorkers(a.Config, o)
	defer stopChildren(children)
	if err != nil {
		return nil, err
	}
	if o.CPUProfile != "" {
		pf, err := os.Create(o.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := cpuTime(rusageSelf)
	start := time.Now()
	var ingested time.Duration
	err = a.Ingest(ctx, app.IngestOptions{
		Feed:  func(ctx context.Context) error { return produce(ctx, a, dec, o, start) },
		Fed:   func() { ingested = time.Since(start) },
		Drain: a.Config.Workers > 0 || o.WorkerProcs > 0,
	})
	if err != nil {
		return nil, err
	}
	total := time.Since(start)
	stopSample()
	cpu := cpuTime(rusageSelf) - cpu0
	stopChildren(children)
	cpu += cpuTime(rusageChildren)
	c, err := a.Store.Counts(ctx)
	if err != nil {
		return nil, err
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return &Report{
		Store: config.RedactStore(a.Config.Store), Bus: strings.Split(a.Config.Bus, "?")[0],
		Workers: a.Config.Workers, Procs: o.WorkerProcs, Detectors: len(a.Detectors.Detectors()),
		Posts: o.Posts, Stats: a.Pipeline.Stats(), Cases: c.Cases, Signals: c.Signals, Rate: o.Rate,
		Ingested: ingested, Total: total, CPU: cpu,
		Lat: slices.Clone(rec.lat), CaseLat: slices.Clone(rec.caseLat),
		PeakHeap: peakHeap.Load(), InputBytes: len(input),
	}, nil
}

// generate writes the synthetic posts as JSONL, decoded on the way in like
// a file.
func generate(o Options) []byte {
	var jsonl bytes.Buffer
	enc := json.NewEncoder(&jsonl)
	for i := range o.Posts {
		p := SynthPost(o.Seed, i, o.Campaigns, o.HitEvery)
		enc.Encode(map[string]string{"id": p.ID, "platform": p.Platform, "author": p.Author, "url": p.URL, "text": p.Text})
	}
	return jsonl.Bytes()
}

// produce hands the decoded posts to the Sink from o.Producers clients,
// paced at o.Rate when set.
func produce(ctx context.Context, a *app.App, dec *post.Decoder, o Options, start time.Time) error {
	var sent atomic.Int64
	var decMu sync.Mutex
	var wg sync.WaitGroup
	var ingestErr error
	var errOnce sync.Once
	for range max(1, o.Producers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				decMu.Lock()
				var ps []*post.Post
				for len(ps) < o.Batch {
					p, err := dec.Next()
					if err != nil {
						break
					}
					ps = append(ps, p)
				}
				decMu.Unlock()
				if len(ps) == 0 {
					return
				}
				if o.Rate > 0 {
					// Pace the offered load: this batch is due when the
					// posts before it have been sent at the given rate.
					due := start.Add(time.Duration(float64(sent.Add(int64(len(ps)))-int64(len(ps))) / float64(o.Rate) * float64(time.Second)))
					time.Sleep(time.Until(due))
				}
				if err := a.Pipeline.Accept(ctx, "bench", ps); err != nil {
					errOnce.Do(func() { ingestErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return ingestErr
}

// sampleHeap samples the heap in use every 100 ms until stop is called.
func sampleHeap(ctx context.Context) (stop func(), peak *atomic.Uint64) {
	peak = new(atomic.Uint64)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() { cancel(); <-done }, peak
}

// startWorkers starts o.WorkerProcs 'basira worker' processes (this
// binary) on the same store and bus.
func startWorkers(cfg *config.Config, o Options) ([]*exec.Cmd, error) {
	if o.WorkerProcs == 0 {
		return nil, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var children []*exec.Cmd
	for range o.WorkerProcs {
		cmd := exec.Command(self, append([]string{"worker", "--store", cfg.Store, "--bus", cfg.Bus}, o.WorkerArgs...)...)
		cmd.Env = append(os.Environ(), "BASIRA_LOG_LEVEL=warn")
		cmd.Stderr = o.Stderr
		if err := cmd.Start(); err != nil {
			return children, err
		}
		children = append(children, cmd)
	}
	time.Sleep(500 * time.Millisecond) // let them connect
	return children, nil
}

func stopChildren(children []*exec.Cmd) {
	for _, c := range children {
		if c.ProcessState == nil {
			c.Process.Signal(os.Interrupt)
			c.Wait()
		}
	}
}

// Write prints the report, one measure a line.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "store %s, bus %s, %d in-process workers, %d worker processes, %d detectors, GOMAXPROCS %d\n",
		r.Store, r.Bus, r.Workers, r.Procs, r.Detectors, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "posts %d (new %d, duplicates %d); cases now %d; signals now %d\n", r.Posts, r.Stats.Accepted, r.Stats.Duplicates, r.Cases, r.Signals)
	if r.Rate > 0 {
		fmt.Fprintf(w, "offered load: %d posts/s\n", r.Rate)
	}
	fmt.Fprintf(w, "ingest (stored and queued): %.0f posts/s over %s\n", float64(r.Posts)/r.Ingested.Seconds(), r.Ingested.Round(time.Millisecond))
	fmt.Fprintf(w, "end to end (stored, detected, recorded): %.0f posts/s over %s\n", float64(r.Posts)/r.Total.Seconds(), r.Total.Round(time.Millisecond))
	fmt.Fprintf(w, "CPU: %.2f s in basira processes (database and NATS servers not counted): %.0f posts per CPU-second\n",
		r.CPU.Seconds(), float64(r.Posts)/r.CPU.Seconds())
	if len(r.Lat) > 0 {
		fmt.Fprintf(w, "ingest → processed: p50 %s p99 %s (%d posts)\n", pct(r.Lat, 50), pct(r.Lat, 99), len(r.Lat))
	}
	if len(r.CaseLat) > 0 {
		fmt.Fprintf(w, "ingest → case recorded: p50 %s p99 %s (%d posts)\n", pct(r.CaseLat, 50), pct(r.CaseLat, 99), len(r.CaseLat))
	}
	fmt.Fprintf(w, "memory: peak heap in use %.1f MiB, peak RSS %s (generated input %.1f MiB)\n",
		float64(r.PeakHeap)/(1<<20), peakRSS(), float64(r.InputBytes)/(1<<20))
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return s[i].Round(100 * time.Microsecond)
}

// peakRSS reads the process's peak resident set size (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if kb, err := strconv.Atoi(f[0]); err == nil {
				return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
			}
		}
	}
	return "n/a"
}
