package media

import (
	"bytes"
	"context"
	"github.com/basira-org/basira/internal/ocr"
	"github.com/basira-org/basira/internal/ocr/ocrtest"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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

// TestFetchOCR: a fetched picture with Arabic text on it gets the text,
// with the box of its line.
func TestFetchOCR(t *testing.T) {
	r, err := ocr.New(1)
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	img := ocrtest.RenderLine(ocrtest.Faces(t)[0], "انضموا الينا في ارض الخلافة", 40, color.White, color.Black)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(b.Bytes()) }))
	defer srv.Close()
	f := &Fetcher{AllowPrivate: true, PDQ: PDQ(), OCR: OCR(r, video.Options{})}
	m := post.Media{URL: srv.URL + "/meme.png"}
	if err := f.Hash(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	if m.OCR == nil || !strings.Contains(m.OCR.Text, "الخلافة") || len(m.OCR.Lines) != 1 || m.OCR.Lines[0].W < 200 {
		t.Fatalf("ocr %+v", m.OCR)
	}
	p := post.Post{ID: "o1", Text: "x", Media: []post.Media{m}}
	if err := post.Validate(&p, 1000); err != nil {
		t.Errorf("post with ocr: %v", err)
	}
}
