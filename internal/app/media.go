package app

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/media"
	"github.com/basira-org/basira/internal/ocr"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/video"
)

// mediaStep fetches and hashes post attachments before the detectors run
// (--fetch-media), and prunes kept evidence (--keep-media).
type mediaStep struct {
	cfg config.Media
	f   *media.Fetcher
	log *slog.Logger
}

func newMediaStep(cfg config.Media, log *slog.Logger) (*mediaStep, error) {
	f := &media.Fetcher{MaxBytes: cfg.MaxBytes, Timeout: cfg.Timeout, PDQ: media.PDQ(), Dir: cfg.KeepDir, VideoTimeout: cfg.VideoTimeout}
	if cfg.Video {
		vh, err := media.VPDQ(video.Options{MaxBytes: cfg.MaxBytes, Timeout: cfg.VideoTimeout})
		if err != nil {
			// Checked once at start: images are still hashed.
			log.Warn("video attachments get MD5 and SHA-256 only, no vPDQ (turn this off with --media-video=false)", "err", err)
		}
		f.Video = vh
	}
	if cfg.OCR {
		// Asked for: a missing Tesseract stops the start, with how to
		// install it.
		r, err := ocr.New(runtime.GOMAXPROCS(0))
		if err != nil {
			return nil, fmt.Errorf("--ocr: %w", err)
		}
		f.OCR = media.OCR(r, video.Options{MaxBytes: cfg.MaxBytes, Timeout: cfg.VideoTimeout})
	}
	return &mediaStep{cfg: cfg, log: log, f: f}, nil
}

// prepare returns the workers' Prepare step, or nil when fetching is off.
func (m *mediaStep) prepare() func(context.Context, *post.Post) bool {
	if m == nil {
		return nil
	}
	return func(ctx context.Context, p *post.Post) bool {
		// Local paths are read only inside the folder of an export
		// connector (media.ExportRoot): a pushed post naming a path never
		// makes the server read its own files.
		changed, errs := m.f.HashPost(ctx, p)
		for _, err := range errs {
			m.log.Warn("media not hashed", "post", p.ID, "platform", p.Platform, "err", err)
		}
		return changed
	}
}

// hasher returns the hasher connectors use to hash media as they read it
// (Bluesky), or nil when fetching is off.
func (m *mediaStep) hasher() func(context.Context, *post.Media) error {
	if m == nil {
		return nil
	}
	return m.f.Hash
}

// retention deletes kept media not seen for the retention period, every
// hour until ctx is done. It returns at once when no media are kept.
func (m *mediaStep) retention(ctx context.Context) error {
	if m == nil || m.cfg.KeepDir == "" {
		return nil
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := m.f.Prune(m.cfg.Retention); err != nil {
			m.log.Error("media retention", "err", err)
		} else if n > 0 {
			m.log.Info("media retention: removed expired evidence", "files", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
