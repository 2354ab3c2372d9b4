package media

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/vpdq"
)

// TestFetchVideo: a fetched MP4 gets its vPDQ signal, which matches
// ThreatExchange's reference hashes of the same video.
func TestFetchVideo(t *testing.T) {
	vh, err := VPDQ(video.Options{})
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	d := os.Getenv("BASIRA_DATA")
	if d == "" {
		d = "/work/shared/data"
	}
	data, err := os.ReadFile(filepath.Join(d, "pdq", "tmk", "sample-videos", "pattern-sd-grey-bar.mp4"))
	if err != nil {
		t.Skipf("sample video not found (set BASIRA_DATA): %v", err)
	}
	rf, err := os.Open(filepath.Join(d, "pdq", "vpdq", "sample-hashes", "pattern-sd-grey-bar.txt"))
	if err != nil {
		t.Skip(err)
	}
	defer rf.Close()
	ref, err := vpdq.ParseFile(rf)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(data) }))
	defer srv.Close()
	f := &Fetcher{AllowPrivate: true, PDQ: PDQ(), Video: vh, MaxBytes: 8 << 20}
	m := post.Media{URL: srv.URL + "/clip"} // no type, no extension: sniffed
	if err := f.Hash(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	if m.PDQ != "" || m.VPDQ == "" || len(m.MD5) != 32 {
		t.Fatalf("media %+v", m)
	}
	fs, err := vpdq.ParseSignal(m.VPDQ)
	if err != nil {
		t.Fatal(err)
	}
	if r := vpdq.Match(fs, ref, vpdq.Options{}); !r.IsMatch(vpdq.DefaultQueryPercent, vpdq.DefaultIndexPercent) {
		t.Errorf("fetched video vs reference: %+v", r)
	}
	p := post.Post{ID: "v1", Text: "x", Media: []post.Media{m}}
	if err := post.Validate(&p, 1000); err != nil {
		t.Errorf("post with vpdq: %v", err)
	}
	// An image is still an image.
	img, err := os.ReadFile(filepath.Join(d, "pdq", "pdq", "data", "bridge-mods", "aaa-orig.jpg"))
	if err != nil {
		t.Skip(err)
	}
	if IsVideo(&post.Media{}, img) || !IsVideo(&post.Media{}, data) {
		t.Error("IsVideo")
	}
}
