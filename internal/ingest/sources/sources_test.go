package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tok"), []byte("secret\n"), 0o600)
	doc := `sources:
  - type: rss
    url: https://news.example.org/feed.xml
    interval: 10m
  - type: mastodon
    server: https://mastodon.social
    hashtag: "#المغرب"
    token_file: tok
  - type: bluesky
    langs: [ar, fr]
  - type: telegram
    path: exports/result.json
    channel: demo
  - type: spool
    dir: inbox
`
	srcs, err := Parse(filepath.Join(dir, "sources.yaml"), []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name())
	}
	want := []string{
		"rss:https://news.example.org/feed.xml",
		"mastodon:https://mastodon.social#المغرب",
		"bluesky:wss://jetstream2.us-east.bsky.network/subscribe",
		"telegram:" + filepath.Join(dir, "exports/result.json"),
		"spool:" + filepath.Join(dir, "inbox"),
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Fatalf("names:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseErrors(t *testing.T) {
	for doc, want := range map[string]string{
		"sources:\n  - type: rss\n    url: ftp://x\n":                          "s.yaml:2: rss: url must be http(s)",
		"sources:\n  - type: rss\n    url: https://x\n    intervl: 5m\n":       "s.yaml:4: field intervl not found",
		"sources:\n  - url: https://x\n":                                       "s.yaml:2: type is required",
		"sources:\n  - type: gopher\n":                                         `s.yaml:2: unknown type "gopher"`,
		"sources:\n  - type: spool\n    dir: a\n  - type: spool\n    dir: a\n": "s.yaml:4: the same source as line 2",
		"sources:\n  - type: rss\n    url: https://x\n    interval: 1ms\n":     `s.yaml:2: interval "1ms"`,
		"sources: [\n": "s.yaml:",
	} {
		_, err := Parse("s.yaml", []byte(doc), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", doc, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("sources:\n  - type: rss\n    url: https://x\n"))
	f.Add([]byte("sources:\n  - type: spool\n    dir: a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Parse("f.yaml", b, nil)
	})
}
