package hashmatch

import (
	"context"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
)

// Media that carry their hashes (filled by the service after fetching a
// URL) are matched without any file; a safe list still wins.
func TestDetectorMediaHashes(t *testing.T) {
	const bridge = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22" // a valid PDQ hash
	known, _ := NewBank(Info{Name: "known", Type: PDQ, Threshold: 31})
	_, _ = known.Add(Entry{ID: "k1", Value: bridge, Label: "propaganda", Enabled: true})
	safe, _ := NewBank(Info{Name: "safe", Type: MD5, Safe: true})
	_, _ = safe.Add(Entry{ID: "s1", Value: strings.Repeat("ab", 16), Enabled: true})
	d := NewDetector(NewMatcher(known, safe), "")
	p := &post.Post{ID: "p", Text: "x", Media: []post.Media{
		{URL: "https://example.org/a.jpg", PDQ: bridge, Quality: 100},
		{URL: "https://example.org/b.jpg", PDQ: bridge, Quality: 100, MD5: strings.Repeat("ab", 16)},
		{URL: "https://example.org/c.jpg", PDQ: bridge, Quality: 20},
		{URL: "https://example.org/d.jpg"},
	}}
	sigs, err := d.Detect(context.Background(), detect.Analyze(p))
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 1 || sigs[0].Details["item"] != "media[0]" || sigs[0].Label != "propaganda" || sigs[0].Kind != detect.KindHash {
		t.Fatalf("signals %+v", sigs)
	}
}
