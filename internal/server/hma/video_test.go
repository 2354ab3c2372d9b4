package hma_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/vpdq"
)

// TestHMAVideo: a video uploaded or fetched as HMA's "video" content type
// gets video_md5 and vPDQ; banked, an edit of it is found by vPDQ and the
// same file by video_md5.
func TestHMAVideo(t *testing.T) {
	if err := video.Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	dir, _ := refImages(t)
	orig, err := os.ReadFile(filepath.Join(dir, "tmk", "sample-videos", "chair-orig-22-sd-bar.mp4"))
	if err != nil {
		t.Skipf("sample video: %v", err)
	}
	edit, err := os.ReadFile(filepath.Join(dir, "tmk", "sample-videos", "chair-22-sd-sepia-bar.mp4"))
	if err != nil {
		t.Skipf("sample video: %v", err)
	}
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Write(edit)
	}))
	defer media.Close()
	e := newHMAEnv(t, media.Client())

	ct, body := multipartBody(t, "video", "orig.mp4", orig)
	code, b := e.req(auth.Platform, "POST", "/h/hash", ct, body)
	if code != 200 {
		t.Fatalf("hash upload: %d %s", code, b)
	}
	var got map[string]string
	json.Unmarshal(b, &got)
	sum := md5.Sum(orig)
	if got["video_md5"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("video_md5 %q", got["video_md5"])
	}
	fs, err := vpdq.ParseSignal(got["vpdq"])
	if err != nil || len(fs) != 23 { // 22.4 s at one frame a second
		t.Fatalf("vpdq: %v, %d frames", err, len(fs))
	}
	// A photo's signal type is refused for a video, and a JPEG is no video.
	if code, b := e.req(auth.Platform, "POST", "/h/hash?types=pdq", ct, body); code != 400 {
		t.Errorf("pdq of a video: %d %s", code, b)
	}

	if code, b := e.req(auth.Admin, "POST", "/c/banks", "application/json", []byte(`{"name":"VIDEO_BANK"}`)); code/100 != 2 {
		t.Fatalf("create bank: %d %s", code, b)
	}
	var added struct{ ID int64 }
	e.post(auth.Admin, "/c/bank/VIDEO_BANK/signal", got, 200, &added)

	var fetched map[string]string
	e.get(auth.Platform, "/h/hash?url="+url.QueryEscape(media.URL+"/edit.mp4"), 200, &fetched)
	var ids []int64
	e.get(auth.Platform, "/m/raw_lookup?signal_type=vpdq&signal="+url.QueryEscape(fetched["vpdq"]), 200, &struct{ Matches *[]int64 }{&ids})
	if len(ids) != 1 || ids[0] != added.ID {
		t.Fatalf("vpdq lookup of an edit: %v, want [%d]", ids, added.ID)
	}
	ids = nil
	e.get(auth.Platform, "/m/raw_lookup?signal_type=video_md5&signal="+got["video_md5"], 200, &struct{ Matches *[]int64 }{&ids})
	if len(ids) != 1 || ids[0] != added.ID {
		t.Fatalf("video_md5 lookup: %v", ids)
	}
	ids = nil
	e.get(auth.Platform, "/m/raw_lookup?signal_type=video_md5&signal="+fetched["video_md5"], 200, &struct{ Matches *[]int64 }{&ids})
	if len(ids) != 0 {
		t.Fatalf("video_md5 of another file: %v", ids)
	}
}
