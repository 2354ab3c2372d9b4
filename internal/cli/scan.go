package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
)

func init() {
	Register(&Command{
		Name:    "scan",
		Summary: "run the detectors over a file of posts and print a verdict per post",
		Usage:   "[flags] FILE... (- for stdin)",
		Run:     runScan,
	})
}

type scanFlags struct {
	format      string
	inputFormat string
	strict      bool
	onlyHits    bool
	workers     int
	maxLine     int
	maxText     int
}

func (f *scanFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "jsonl", "output format: jsonl (one verdict per post) or table (for a person)")
	fs.StringVar(&f.inputFormat, "input-format", "", "input format: jsonl, csv or tsv (default: from the file name, or sniffed)")
	fs.BoolVar(&f.strict, "strict", false, "exit 1 if any input line is rejected")
	fs.BoolVar(&f.onlyHits, "only-hits", false, "print only posts with at least one signal")
	fs.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "posts analysed in parallel (output order is kept)")
	fs.IntVar(&f.maxLine, "max-line-bytes", post.DefaultMaxLineBytes, "reject input lines longer than this")
	fs.IntVar(&f.maxText, "max-text-bytes", post.DefaultMaxTextBytes, "reject posts whose text is longer than this")
}

func runScan(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var f scanFlags
	f.define(fs)
	mods := defineDetectors(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if f.format != "jsonl" && f.format != "table" {
		return Usagef("--format must be jsonl or table, not %q", f.format)
	}
	files := fs.Args()
	if len(files) == 0 {
		return Usagef("name at least one FILE of posts (or - for stdin)")
	}
	key, err := pseudonymKey(env)
	if err != nil {
		return err
	}
	pipe, err := mods.Build(ctx, host(env))
	if err != nil {
		return err
	}
	defer pipe.Close()
	if len(pipe.Detectors()) == 0 {
		// No verdict would be an all-clear that nobody checked for.
		return Usagef("no detector is on, so no post could be flagged: leave --default-rules on, or give --rules, --banks, --claims, --models or --finance")
	}
	fmt.Fprintf(env.Stderr, "scan: detectors: %s\n", describePipeline(pipe))

	st, err := scanFiles(ctx, env, pipe, files, &f, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "scan: %d posts read, %d with signals, %d lines rejected (%s)\n",
		st.read, st.hits, st.rejected, time.Since(st.start).Round(time.Millisecond))
	if st.failed > 0 {
		return fmt.Errorf("a detector failed on %d posts (their verdicts hold the other detectors' signals)", st.failed)
	}
	if f.strict && st.rejected > 0 {
		return ErrFailed
	}
	if st.read == 0 && st.rejected > 0 {
		return fmt.Errorf("nothing in the input could be read as posts (%d lines rejected): is it JSONL, CSV or TSV?", st.rejected)
	}
	return nil
}

// scanFiles scans the files in order into one output.
func scanFiles(ctx context.Context, env *Env, pipe *detect.Pipeline, files []string, f *scanFlags, key []byte) (*scanStats, error) {
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	defer out.Flush()
	var sink resultSink
	if f.format == "table" {
		sink = newTableSink(out)
	} else {
		sink = &jsonlSink{enc: json.NewEncoder(out), w: out}
	}
	st := &scanStats{start: time.Now()}
	for _, name := range files {
		if err := scanFile(ctx, env, pipe, name, f, key, sink, st); err != nil {
			return nil, err
		}
	}
	if err := sink.Close(); err != nil {
		return nil, err
	}
	if err := out.Flush(); err != nil {
		return nil, err
	}
	st.progress(env, true)
	return st, nil
}

// pseudonymKey reads the author pseudonymisation key from the environment
// (BASIRA_PSEUDONYM_KEY, or a file named by BASIRA_PSEUDONYM_KEY_FILE).
func pseudonymKey(env *Env) ([]byte, error) {
	k, err := config.Lookup(env.Getenv, "BASIRA_PSEUDONYM_KEY")
	return []byte(k), err
}

type scanStats struct {
	start                time.Time
	read, hits, rejected int
	failed               int // posts on which a detector failed
	lastProgress         time.Time
}

// progress prints a one-line status on a terminal every half second.
func (st *scanStats) progress(env *Env, final bool) {
	if !env.StderrIsTerminal {
		return
	}
	if final {
		fmt.Fprint(env.Stderr, "\r\033[K")
		return
	}
	now := time.Now()
	if now.Sub(st.lastProgress) < 500*time.Millisecond {
		return
	}
	st.lastProgress = now
	rate := float64(st.read) / now.Sub(st.start).Seconds()
	fmt.Fprintf(env.Stderr, "\r\033[Kscan: %d posts, %d with signals, %d rejected, %.0f posts/s", st.read, st.hits, st.rejected, rate)
}

func scanFile(ctx context.Context, env *Env, pipe *detect.Pipeline, name string, f *scanFlags, key []byte, sink resultSink, st *scanStats) error {
	pr, err := openPosts(env, name, post.Format(f.inputFormat), post.Options{
		MaxLineBytes:  f.maxLine,
		MaxTextBytes:  f.maxText,
		Pseudonymizer: post.NewPseudonymizer(key),
		Source:        name,
	}, &st.rejected)
	if err != nil {
		return err
	}
	defer pr.close()
	_, preEncode := sink.(*jsonlSink)
	return detect.RunOrderedFrom(ctx, pipe, f.workers, pr.nextRaw, pr.Decode, preEncode, func(p *post.Post, res *detect.Result, encoded []byte, err error) error {
		if p == nil { // a record decode refused
			var le *post.LineError
			if errors.As(err, &le) {
				pr.reject(le) // a line that could not be read: reported, counted, skipped
				return nil
			}
			return err
		}
		if err != nil {
			// The error policy of detect.Pipeline.Run: the post keeps
			// what the other detectors found; the failure is reported
			// and fails the scan once every post is through.
			st.failed++
			fmt.Fprintf(env.Stderr, "scan: %v\n", err)
		}
		st.read++
		if len(res.Signals) > 0 {
			st.hits++
		} else if f.onlyHits {
			st.progress(env, false)
			return nil
		}
		st.progress(env, false)
		if encoded != nil {
			return sink.(*jsonlSink).WriteEncoded(encoded)
		}
		return sink.Write(p, res)
	})
}

type resultSink interface {
	Write(*post.Post, *detect.Result) error
	Close() error
}

type jsonlSink struct {
	enc *json.Encoder
	w   io.Writer // what enc writes to
}

func (s *jsonlSink) Write(_ *post.Post, r *detect.Result) error { return s.enc.Encode(r) }
func (s *jsonlSink) Close() error                               { return nil }

// WriteEncoded writes a result already encoded by enc's rules (runOrdered
// encodes on its workers).
func (s *jsonlSink) WriteEncoded(b []byte) error {
	_, err := s.w.Write(b)
	return err
}

// tableSink prints one row per signal, for a person reading a terminal.
type tableSink struct{ tw *table }

func newTableSink(w io.Writer) *tableSink {
	return &tableSink{tw: newTable(w, "ID", "LANG", "SEVERITY", "LABEL", "SCORE", "DETECTOR/RULE", "EVIDENCE")}
}

func (s *tableSink) Write(_ *post.Post, r *detect.Result) error {
	if len(r.Signals) == 0 {
		s.tw.rowf("%s\t%s\t-\t-\t-\t-\t-\n", r.ID, r.Lang)
		return nil
	}
	for _, sig := range r.Signals {
		who := sig.Detector
		if sig.Rule != "" {
			who += "/" + sig.Rule
		}
		s.tw.rowf("%s\t%s\t%s\t%s\t%.2f\t%s\t%s\n", r.ID, r.Lang, orDash(sig.Severity), sig.Label, sig.Score, who, oneLine(sig.Evidence, 60))
	}
	return nil
}

func (s *tableSink) Close() error { return s.tw.flush() }
