package cli

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/basira-org/basira/internal/media"
	"github.com/basira-org/basira/internal/post"
)

// mediaFlags configure fetching and hashing of post attachments in the
// service's workers (serve, worker).
type mediaFlags struct {
	fetch     bool
	maxBytes  int64
	timeout   time.Duration
	keepDir   string
	retention time.Duration

	fetcher *media.Fetcher
}

// hasher returns the hasher connectors use to hash media as they read it
// (Bluesky), or nil when fetching is off.
func (m *mediaFlags) hasher() func(context.Context, *post.Media) error {
	if !m.fetch {
		return nil
	}
	return m.get().Hash
}

func (m *mediaFlags) get() *media.Fetcher {
	if m.fetcher == nil {
		m.fetcher = &media.Fetcher{MaxBytes: m.maxBytes, Timeout: m.timeout, PDQ: media.PDQ(), Dir: m.keepDir}
	}
	return m.fetcher
}

func (m *mediaFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&m.fetch, "fetch-media", false, "fetch post media (images) and hash them (SHA-256, MD5, PDQ) before the detectors run, so hash banks match them; the hashes are stored with the post")
	fs.Int64Var(&m.maxBytes, "media-max-bytes", media.DefaultMaxBytes, "with --fetch-media, largest attachment fetched")
	fs.DurationVar(&m.timeout, "media-timeout", media.DefaultTimeout, "with --fetch-media, time limit per attachment")
	fs.StringVar(&m.keepDir, "keep-media", "", "with --fetch-media, keep fetched media as evidence in this `folder`")
	fs.DurationVar(&m.retention, "media-retention", 30*24*time.Hour, "with --keep-media, delete kept media not seen for this long")
}

// prepare returns the workers' Prepare step, or nil when fetching is off.
// It also starts the retention sweep of kept media until ctx is done.
func (m *mediaFlags) prepare(ctx context.Context, log *slog.Logger) func(context.Context, *post.Post) bool {
	if !m.fetch {
		return nil
	}
	f := m.get()
	if m.keepDir != "" {
		go func() {
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				if n, err := f.Prune(m.retention); err != nil {
					log.Error("media retention", "err", err)
				} else if n > 0 {
					log.Info("media retention: removed expired evidence", "files", n)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	return func(ctx context.Context, p *post.Post) bool {
		// Local paths are read only inside the folder of an export
		// connector (media.ExportRoot): a pushed post naming a path never
		// makes the server read its own files.
		changed, errs := f.HashPost(ctx, p)
		for _, err := range errs {
			log.Warn("media not hashed", "post", p.ID, "platform", p.Platform, "err", err)
		}
		return changed
	}
}
