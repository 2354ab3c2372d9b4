package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/basira-org/basira/internal/bus"
	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/post"
)

func init() {
	Register(&Command{
		Name:    "bench ingest",
		Summary: "load-test the service path: ingest → store → queue → detectors → cases",
		Usage:   "[--posts N] [--store …] [--bus …] [--workers N] [--worker-procs N] [detector flags]",
		Help: `Generates synthetic posts (ordinary posts plus copies of a few dozen
campaigns that the example rules flag), pushes them through the same Sink as
the API and 'basira ingest' as fast as the service takes them, and reports
sustained throughput, the time from ingest to the recorded case (p50, p99),
and memory.

Without --store it uses a fresh SQLite file in a temporary folder, never the
workspace. With --bus nats://… and --worker-procs N it starts N 'basira
worker' processes (this binary) and measures how throughput grows with them.

Examples:
  basira bench ingest --rules rules/examples.yaml --posts 200000
  basira bench ingest --rules rules/examples.yaml --store postgres://postgres@127.0.0.1/test
  basira bench ingest --rules rules/examples.yaml --store postgres://… --bus nats://127.0.0.1:4222 --workers 0 --worker-procs 2`,
		Run: runBenchIngest,
	})
}

func runBenchIngest(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var f serviceFlags
	f.define(fs, true)
	n := fs.Int("posts", 100000, "posts to ingest")
	batch := fs.Int("batch", 1000, "posts per ingest batch (one transaction)")
	producers := fs.Int("producers", 2, "concurrent ingest clients")
	workers := fs.Int("workers", -1, "detector workers in this process (default 2 × CPUs)")
	procs := fs.Int("worker-procs", 0, "separate 'basira worker' processes to start (needs --bus nats://…)")
	hitEvery := fs.Int("hit-every", 10, "one post in this many is a campaign copy the rules flag")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to `file`")
	rate := fs.Int("rate", 0, "offered load in posts/s (0: as fast as the service takes them); latency is meaningful below saturation")
	seed := fs.Uint64("seed", 1, "seed of the synthetic stream (change it to ingest new posts into an existing store)")
	before := map[string]bool{}
	fs.VisitAll(func(fl *flag.Flag) { before[fl.Name] = true })
	buildPipeline := detectorFlags(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	var detArgs []string
	fs.Visit(func(fl *flag.Flag) {
		if !before[fl.Name] {
			detArgs = append(detArgs, "--"+fl.Name+"="+fl.Value.String())
		}
	})
	if f.store == "" {
		dir, err := os.MkdirTemp("", "basira-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		f.store = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	if f.bus == "" {
		f.bus = "memory"
	}
	if *procs > 0 && f.bus == "memory" {
		return Usagef("--worker-procs needs a shared bus: give --bus nats://HOST:PORT")
	}
	if *workers < 0 {
		*workers = 2 * runtime.GOMAXPROCS(0)
		if *procs > 0 {
			*workers = 0
		}
	}
	log := newLogger(env)
	st, err := openStore(ctx, f.store, openRun)
	if err != nil {
		return err
	}
	defer st.Close()
	var b bus.Bus = nowhere{} // ingest only: measure the store alone
	if *workers > 0 || f.bus != "memory" {
		if b, err = openBus(ctx, f.bus, log); err != nil {
			return err
		}
		defer b.Close()
	}
	det, err := buildPipeline(ctx, env)
	if err != nil {
		return err
	}
	defer det.Close()
	if len(det.Detectors()) == 0 {
		fmt.Fprintln(env.Stderr, "bench: no detector is on; give --rules rules/examples.yaml (and more) for a real measure")
	}

	// Generate the posts as JSONL, decoded on the way in like a file.
	var jsonl bytes.Buffer
	enc := json.NewEncoder(&jsonl)
	for i := range *n {
		p := synthPost(*seed, i, 40, *hitEvery)
		enc.Encode(map[string]string{"id": p.ID, "platform": p.Platform, "author": p.Author, "url": p.URL, "text": p.Text})
	}
	dec := post.NewDecoder(bytes.NewReader(jsonl.Bytes()), post.JSONL, post.Options{Pseudonymizer: post.NewPseudonymizer([]byte("bench")), Source: "bench"})

	var mu sync.Mutex
	var lat, caseLat []time.Duration
	var processed atomic.Int64
	svc := pipeline.New(pipeline.Options{Store: st, Bus: b, Detect: det, Workers: *workers, Logger: log, Actor: "bench",
		Observe: func(ev pipeline.Event) {
			processed.Add(1)
			mu.Lock()
			lat = append(lat, ev.Latency)
			if ev.Result.CaseID != 0 {
				caseLat = append(caseLat, ev.Latency)
			}
			mu.Unlock()
		}})

	var peakHeap atomic.Uint64
	sampleDone := make(chan struct{})
	sampleCtx, stopSample := context.WithCancel(ctx)
	defer stopSample()
	go func() {
		defer close(sampleDone)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-sampleCtx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()

	var children []*exec.Cmd
	if *procs > 0 {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		for range *procs {
			cmd := exec.Command(self, append([]string{"worker", "--store", f.store, "--bus", f.bus}, detArgs...)...)
			cmd.Env = append(os.Environ(), "BASIRA_LOG_LEVEL=warn")
			cmd.Stderr = env.Stderr
			if err := cmd.Start(); err != nil {
				return err
			}
			children = append(children, cmd)
		}
		defer stopChildren(children)
		time.Sleep(500 * time.Millisecond) // let them connect
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workDone := make(chan struct{})
	if *workers > 0 {
		go func() {
			defer close(workDone)
			svc.Run(workCtx)
		}()
	} else {
		close(workDone)
	}

	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := cpuTime(rusageSelf)
	start := time.Now()
	var sent atomic.Int64
	var decMu sync.Mutex
	var wg sync.WaitGroup
	var ingestErr error
	var errOnce sync.Once
	for range max(1, *producers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				decMu.Lock()
				var ps []*post.Post
				for len(ps) < *batch {
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
				if *rate > 0 {
					// Pace the offered load: this batch is due when the
					// posts before it have been sent at the given rate.
					due := start.Add(time.Duration(float64(sent.Add(int64(len(ps)))-int64(len(ps))) / float64(*rate) * float64(time.Second)))
					time.Sleep(time.Until(due))
				}
				if err := svc.Accept(ctx, "bench", ps); err != nil {
					errOnce.Do(func() { ingestErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if ingestErr != nil {
		stopWork()
		return ingestErr
	}
	ingested := time.Since(start)
	if *workers > 0 || *procs > 0 {
		if err := waitDrained(ctx, env, st, b, svc); err != nil {
			stopWork()
			return err
		}
	}
	total := time.Since(start)
	stopWork()
	<-workDone
	stopSample()
	<-sampleDone

	cpu := cpuTime(rusageSelf) - cpu0
	stopChildren(children)
	cpu += cpuTime(rusageChildren)
	s := svc.Stats()
	c, err := st.Counts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "store %s, bus %s, %d in-process workers, %d worker processes, %d detectors, GOMAXPROCS %d\n",
		redactStore(f.store), strings.Split(f.bus, "?")[0], *workers, *procs, len(det.Detectors()), runtime.GOMAXPROCS(0))
	fmt.Fprintf(env.Stdout, "posts %d (new %d, duplicates %d); cases now %d; signals now %d\n", *n, s.Accepted, s.Duplicates, c.Cases, c.Signals)
	if *rate > 0 {
		fmt.Fprintf(env.Stdout, "offered load: %d posts/s\n", *rate)
	}
	fmt.Fprintf(env.Stdout, "ingest (stored and queued): %.0f posts/s over %s\n", float64(*n)/ingested.Seconds(), ingested.Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "end to end (stored, detected, recorded): %.0f posts/s over %s\n", float64(*n)/total.Seconds(), total.Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "CPU: %.2f s in basira processes (database and NATS servers not counted): %.0f posts per CPU-second\n",
		cpu.Seconds(), float64(*n)/cpu.Seconds())
	if len(lat) > 0 {
		fmt.Fprintf(env.Stdout, "ingest → processed: p50 %s p99 %s (%d posts)\n", pct(lat, 50), pct(lat, 99), len(lat))
	}
	if len(caseLat) > 0 {
		fmt.Fprintf(env.Stdout, "ingest → case recorded: p50 %s p99 %s (%d posts)\n", pct(caseLat, 50), pct(caseLat, 99), len(caseLat))
	}
	fmt.Fprintf(env.Stdout, "memory: peak heap in use %.1f MiB, peak RSS %s (generated input %.1f MiB)\n",
		float64(peakHeap.Load())/(1<<20), peakRSS(), float64(jsonl.Len())/(1<<20))
	return nil
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

func stopChildren(children []*exec.Cmd) {
	for _, c := range children {
		if c.ProcessState == nil {
			c.Process.Signal(os.Interrupt)
			c.Wait()
		}
	}
}
