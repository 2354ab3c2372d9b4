// Package sources builds connectors from a sources file (YAML), so an
// operator lists what Basira follows in one versioned place:
//
//	sources:
//	  - type: rss
//	    url: https://news.example.org/feed.xml
//	    interval: 10m
//	  - type: mastodon
//	    server: https://mastodon.social
//	    hashtag: المغرب
//	    token_file: /run/secrets/mastodon-token
//	  - type: bluesky
//	    langs: [ar, fr]
//	  - type: telegram
//	    path: exports/channel/result.json
//	    channel: examplechannel
//	  - type: spool
//	    dir: inbox
package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/ingest/bluesky"
	"github.com/basira-org/basira/internal/ingest/mastodon"
	"github.com/basira-org/basira/internal/ingest/rss"
	"github.com/basira-org/basira/internal/ingest/spool"
	"github.com/basira-org/basira/internal/ingest/telegram"
	"github.com/basira-org/basira/internal/post"
)

// MaxFileBytes bounds a sources file.
const MaxFileBytes = 1 << 20

// Entry is one source in the file. Fields apply by type.
type Entry struct {
	Type      string   `yaml:"type"`
	URL       string   `yaml:"url"`        // rss, bluesky
	Interval  string   `yaml:"interval"`   // rss, spool
	Server    string   `yaml:"server"`     // mastodon
	Hashtag   string   `yaml:"hashtag"`    // mastodon
	Local     bool     `yaml:"local"`      // mastodon
	TokenFile string   `yaml:"token_file"` // mastodon
	Langs     []string `yaml:"langs"`      // bluesky
	DIDs      []string `yaml:"dids"`       // bluesky
	Path      string   `yaml:"path"`       // telegram
	Channel   string   `yaml:"channel"`    // telegram
	Dir       string   `yaml:"dir"`        // spool
	Platform  string   `yaml:"platform"`   // rss
}

type file struct {
	Sources []yaml.Node `yaml:"sources"`
}

// Load reads a sources file and builds its connectors. Relative paths are
// resolved against the file's folder. Errors name the file and line.
func Load(path string, ps *post.Pseudonymizer) ([]ingest.Source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, ps)
}

// Parse builds connectors from the YAML document data; name is used in
// errors and to resolve relative paths.
func Parse(name string, data []byte, ps *post.Pseudonymizer) ([]ingest.Source, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxFileBytes)
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	base := filepath.Dir(name)
	var out []ingest.Source
	seen := map[string]int{}
	for _, node := range f.Sources {
		if err := checkKeys(&node); err != nil {
			return nil, fmt.Errorf("%s:%w", name, err)
		}
		var e Entry
		if err := node.Decode(&e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, node.Line, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		src, err := build(e, base, ps)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, node.Line, err)
		}
		if line, dup := seen[src.Name()]; dup {
			return nil, fmt.Errorf("%s:%d: the same source as line %d (%s)", name, node.Line, line, src.Name())
		}
		seen[src.Name()] = node.Line
		out = append(out, src)
	}
	return out, nil
}

func build(e Entry, base string, ps *post.Pseudonymizer) (ingest.Source, error) {
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	interval, err := parseInterval(e.Interval)
	if err != nil {
		return nil, err
	}
	switch e.Type {
	case "rss", "atom", "feed":
		if !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
			return nil, fmt.Errorf("rss: url must be http(s), got %q", e.URL)
		}
		return &rss.Source{URL: e.URL, Interval: interval, Platform: e.Platform, Pseudonymizer: ps}, nil
	case "mastodon":
		if !strings.HasPrefix(e.Server, "https://") && !strings.HasPrefix(e.Server, "http://") {
			return nil, fmt.Errorf("mastodon: server must be a URL like https://mastodon.social, got %q", e.Server)
		}
		token := ""
		if e.TokenFile != "" {
			b, err := os.ReadFile(rel(e.TokenFile))
			if err != nil {
				return nil, fmt.Errorf("mastodon: token_file: %w", err)
			}
			token = strings.TrimSpace(string(b))
		}
		return &mastodon.Source{Server: e.Server, Hashtag: strings.TrimPrefix(e.Hashtag, "#"), Local: e.Local, Token: token, Pseudonymizer: ps}, nil
	case "bluesky", "jetstream":
		if e.URL != "" && !strings.HasPrefix(e.URL, "wss://") && !strings.HasPrefix(e.URL, "ws://") {
			return nil, fmt.Errorf("bluesky: url must be ws(s)://, got %q", e.URL)
		}
		return &bluesky.Source{URL: e.URL, Langs: e.Langs, DIDs: e.DIDs, Pseudonymizer: ps}, nil
	case "telegram":
		if e.Path == "" {
			return nil, errors.New("telegram: path of the export's result.json is required")
		}
		return &telegram.Source{Path: rel(e.Path), Channel: e.Channel, Pseudonymizer: ps}, nil
	case "spool", "files":
		if e.Dir == "" {
			return nil, errors.New("spool: dir is required")
		}
		return &spool.Source{Dir: rel(e.Dir), Interval: interval, Pseudonymizer: ps}, nil
	case "":
		return nil, errors.New("type is required (rss, mastodon, bluesky, telegram or spool)")
	}
	return nil, fmt.Errorf("unknown type %q (want rss, mastodon, bluesky, telegram or spool)", e.Type)
}

// checkKeys rejects misspelt keys (yaml.Node.Decode ignores KnownFields).
func checkKeys(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%d: each source must be a mapping (type: …, url: …)", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !knownKeys[k.Value] {
			return fmt.Errorf("%d: field %s not found in a source (known: type, url, interval, server, hashtag, local, token_file, langs, dids, path, channel, dir, platform)", k.Line, k.Value)
		}
	}
	return nil
}

var knownKeys = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[Entry]()
	for i := range t.NumField() {
		m[t.Field(i).Tag.Get("yaml")] = true
	}
	return m
}()

func parseInterval(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("interval %q: want a duration of at least 1s, like 30s or 10m", s)
	}
	return d, nil
}

// SetMediaHasher gives the connectors that must hash media as they read
// it (Bluesky, whose image URLs carry the author's DID) the service's
// media hasher; nil leaves their images out.
func SetMediaHasher(srcs []ingest.Source, h func(context.Context, *post.Media) error) {
	for _, s := range srcs {
		if b, ok := s.(*bluesky.Source); ok {
			b.HashMedia = h
		}
	}
}
