// Package spool is the file-drop connector: files of posts (JSONL, CSV,
// TSV) dropped into a folder are ingested, then moved to done/ with a
// report of any rejected lines beside them. A file is only moved once all
// its posts were accepted, so a crash mid-file re-reads it (the store's
// idempotency absorbs the repeats).
package spool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

const batchSize = 500

// Source watches one folder.
type Source struct {
	Dir           string
	Interval      time.Duration // between scans; default 2s
	Pseudonymizer *post.Pseudonymizer
	// Settle is how long a file must be unchanged before it is read, so a
	// file still being copied in is not read half-way. Default 1s.
	Settle time.Duration
}

// Name implements ingest.Source.
func (s *Source) Name() string { return "spool:" + s.Dir }

// Run scans the folder until ctx is done.
func (s *Source) Run(ctx context.Context, sink ingest.Sink) error {
	interval := s.Interval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	for {
		if _, err := s.Scan(ctx, sink); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// Scan ingests every settled file in the folder once and returns how many
// files it finished.
func (s *Source) Scan(ctx context.Context, sink ingest.Sink) (int, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return 0, err
	}
	settle := s.Settle
	if settle == 0 {
		settle = time.Second
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !accepted(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < settle {
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for i, name := range names {
		if err := s.ingestFile(ctx, sink, name); err != nil {
			return i, err
		}
	}
	return len(names), nil
}

func accepted(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson", ".csv", ".tsv":
		return true
	}
	return false
}

func (s *Source) ingestFile(ctx context.Context, sink ingest.Sink, name string) error {
	path := filepath.Join(s.Dir, name)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	format := post.SniffFormat(name, nil)
	dec := post.NewDecoder(f, format, post.Options{Pseudonymizer: s.Pseudonymizer, Source: s.Name() + "/" + name})
	var rejects []string
	var batch []*post.Post
	total := 0
	for {
		p, err := dec.Next()
		var le *post.LineError
		if errors.As(err, &le) {
			rejects = append(rejects, le.Error())
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// Unreadable file: set it aside with the reason, go on.
			rejects = append(rejects, err.Error())
			f.Close()
			return s.finish(path, "failed", rejects)
		}
		batch = append(batch, p)
		if len(batch) == batchSize {
			if err := sink.Accept(ctx, s.Name(), batch); err != nil {
				return err
			}
			total += len(batch)
			batch = nil
		}
	}
	if len(batch) > 0 {
		if err := sink.Accept(ctx, s.Name(), batch); err != nil {
			return err
		}
		total += len(batch)
	}
	f.Close()
	return s.finish(path, "done", rejects)
}

// finish moves the file to sub (done or failed) and writes the rejected
// lines beside it.
func (s *Source) finish(path, sub string, rejects []string) error {
	dir := filepath.Join(s.Dir, sub)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	dst := filepath.Join(dir, time.Now().UTC().Format("20060102T150405Z")+"-"+filepath.Base(path))
	if len(rejects) > 0 {
		report := strings.Join(rejects, "\n") + "\n"
		if err := os.WriteFile(dst+".rejects.txt", []byte(report), 0o640); err != nil {
			return err
		}
	}
	if err := os.Rename(path, dst); err != nil {
		return fmt.Errorf("moving %s to %s: %w", path, sub, err)
	}
	return nil
}

var _ ingest.Source = (*Source)(nil)
