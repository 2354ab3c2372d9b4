package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/post"
)

func init() {
	Register(&Command{
		Name:    "ingest",
		Summary: "import posts from JSONL or CSV files into the service's store",
		Usage:   "[--store …] [--bus …] [detector flags] FILE... (- for stdin)",
		Run:     runIngest,
	})
}

type ingestFlags struct {
	batch       int
	inputFormat string
	strict      bool
	maxLine     int
	maxText     int
	source      string
}

func (f *ingestFlags) define(fs *flag.FlagSet, cfg *config.Config) {
	cfg.DefineStore(fs, true)
	fs.IntVar(&f.batch, "batch", 1000, "posts committed per transaction")
	fs.IntVar(&cfg.Workers, "workers", -1, "detector workers in this process (default: 2 × CPUs with the in-process bus, 0 with NATS)")
	fs.StringVar(&f.inputFormat, "input-format", "", "input format: jsonl, csv or tsv (default: from the file name, or sniffed)")
	fs.BoolVar(&f.strict, "strict", false, "exit 1 if any input line is rejected")
	fs.IntVar(&f.maxLine, "max-line-bytes", post.DefaultMaxLineBytes, "reject input lines longer than this")
	fs.IntVar(&f.maxText, "max-text-bytes", post.DefaultMaxTextBytes, "reject posts whose text is longer than this")
	fs.StringVar(&f.source, "source", "", "source name recorded on the posts and in the audit log (default: file:NAME)")
}

func runIngest(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	var f ingestFlags
	f.define(fs, &cfg)
	mods := defineDetectors(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return Usagef("name at least one FILE of posts (or - for stdin)")
	}
	if f.batch < 1 || f.batch > 50000 {
		return Usagef("--batch must be between 1 and 50000, not %d", f.batch)
	}
	if err := loadConfig(env, &cfg); err != nil {
		return err
	}
	if cfg.Workers < 0 {
		cfg.Workers = 0
		if cfg.Bus == "memory" {
			cfg.Workers = 2 * runtime.GOMAXPROCS(0)
		}
	}
	a, err := openApp(ctx, env, &cfg, mods, app.Options{Mode: app.OpenRun, Actor: "ingest"})
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Workers > 0 && len(a.Detectors.Detectors()) == 0 {
		fmt.Fprintln(env.Stderr, "basira ingest: no detector is on (give --rules, --banks, --claims, --models …): posts are stored but no case will open")
	}
	stats := &ingestStats{start: time.Now()}
	var ingested time.Duration
	err = a.Ingest(ctx, app.IngestOptions{
		Feed: func(ctx context.Context) error {
			for _, name := range files {
				if err := ingestFile(ctx, env, a.Pipeline, name, &f, cfg.PseudonymKey, stats); err != nil {
					return err
				}
			}
			return nil
		},
		Fed:   func() { stats.progress(env, true); ingested = time.Since(stats.start) },
		Drain: cfg.Workers > 0,
	})
	if err != nil {
		return drainInterrupted(env, err)
	}
	printIngestSummary(env, a, stats, ingested)
	if f.strict && stats.rejected > 0 {
		return ErrFailed
	}
	if stats.read == 0 && stats.rejected > 0 {
		return fmt.Errorf("nothing in the input could be read as posts (%d lines rejected): is it JSONL, CSV or TSV?", stats.rejected)
	}
	return nil
}

// printIngestSummary ends an ingest with one line of totals on stderr.
func printIngestSummary(env *Env, a *app.App, stats *ingestStats, ingested time.Duration) {
	s := a.Pipeline.Stats()
	fmt.Fprintf(env.Stderr, "ingest: %d posts read, %d stored, %d duplicates, %d lines rejected (%s, %.0f posts/s)",
		stats.read, s.Accepted, s.Duplicates, stats.rejected, ingested.Round(time.Millisecond), float64(stats.read)/ingested.Seconds())
	if a.Config.Workers > 0 {
		fmt.Fprintf(env.Stderr, "; %d processed, %d cases opened (%s in all)", s.Processed, s.CasesOpened, time.Since(stats.start).Round(time.Millisecond))
	} else if s.Accepted > 0 && a.Config.Bus == "memory" {
		fmt.Fprint(env.Stderr, "; not processed here: the next 'basira serve' or 'basira worker' will")
	}
	fmt.Fprintln(env.Stderr)
}

// drainInterrupted says on stderr that an interrupted drain loses
// nothing, and returns the interruption itself.
func drainInterrupted(env *Env, err error) error {
	if errors.Is(err, app.ErrDrainInterrupted) {
		fmt.Fprintln(env.Stderr, "basira ingest: interrupted; stored posts not yet processed will be on the next start")
		if errors.Is(err, context.DeadlineExceeded) {
			return context.DeadlineExceeded
		}
		return context.Canceled
	}
	return err
}

type ingestStats struct {
	start          time.Time
	read, rejected int
	last           time.Time
}

func (st *ingestStats) progress(env *Env, final bool) {
	if !env.StderrIsTerminal {
		return
	}
	if final {
		fmt.Fprint(env.Stderr, "\r\033[K")
		return
	}
	if now := time.Now(); now.Sub(st.last) >= 500*time.Millisecond {
		st.last = now
		fmt.Fprintf(env.Stderr, "\r\033[Kingest: %d posts stored, %d rejected, %.0f posts/s", st.read, st.rejected, float64(st.read)/now.Sub(st.start).Seconds())
	}
}

func ingestFile(ctx context.Context, env *Env, sink *pipeline.Service, name string, f *ingestFlags, key []byte, stats *ingestStats) error {
	source := f.source
	if source == "" {
		source = "file:" + name
	}
	pr, err := openPosts(env, name, post.Format(f.inputFormat), post.Options{
		MaxLineBytes: f.maxLine, MaxTextBytes: f.maxText,
		Pseudonymizer: post.NewPseudonymizer(key), Source: source,
	}, &stats.rejected)
	if err != nil {
		return err
	}
	defer pr.close()
	return ingest.Batches(ctx, pr.next, f.batch, func(batch []*post.Post) error {
		if err := sink.Accept(ctx, source, batch); err != nil {
			return fmt.Errorf("%sstoring posts up to line %d: %w (posts before were stored; run the same command again to finish)", pr.Prefix, batch[len(batch)-1].Line, err)
		}
		stats.read += len(batch)
		stats.progress(env, false)
		return nil
	})
}
