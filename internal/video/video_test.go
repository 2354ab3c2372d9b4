package video

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/basira-org/basira/pdq"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/vpdq"
)

func dataDir(t testing.TB) string {
	t.Helper()
	d := os.Getenv("BASIRA_DATA")
	if d == "" {
		d = "/work/shared/data"
	}
	d = filepath.Join(d, "pdq")
	if _, err := os.Stat(filepath.Join(d, "tmk", "sample-videos")); err != nil {
		t.Skipf("ThreatExchange sample videos not found under %s (set BASIRA_DATA)", d)
	}
	return d
}

func needFFmpeg(t testing.TB) {
	t.Helper()
	if err := Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

func readRef(t testing.TB, path string) []vpdq.Feature {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fs, err := vpdq.ParseFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// samples lists the sample videos present with their reference hashes.
func samples(t testing.TB, d string) []string {
	ms, _ := filepath.Glob(filepath.Join(d, "tmk", "sample-videos", "*.mp4"))
	var out []string
	for _, m := range ms {
		name := strings.TrimSuffix(filepath.Base(m), ".mp4")
		if _, err := os.Stat(filepath.Join(d, "vpdq", "sample-hashes", name+".txt")); err == nil {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		t.Skip("no sample video with its reference hashes")
	}
	return out
}

// TestSampling: one frame a second keeps frames 0, 30, 60, … of a 30 fps
// video, each the reference's hash of that frame.
func TestSampling(t *testing.T) {
	needFFmpeg(t)
	d := dataDir(t)
	want := readRef(t, filepath.Join(d, "vpdq", "sample-hashes", "chair-19-sd-bar.txt"))
	res, err := HashFile(context.Background(), filepath.Join(d, "tmk", "sample-videos", "chair-19-sd-bar.mp4"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Info.FrameRate != 30 || res.Info.Width != 480 || res.Info.Height != 720 {
		t.Errorf("info %+v", res.Info)
	}
	if len(res.Features) != (len(want)+29)/30 {
		t.Fatalf("%d frames at 1/s from %d", len(res.Features), len(want))
	}
	for i, f := range res.Features {
		if f.Frame != 30*i {
			t.Fatalf("feature %d is frame %d", i, f.Frame)
		}
		if dist := pdq.Distance(f.Hash, want[f.Frame].Hash); dist > 16 {
			t.Errorf("frame %d: %d bits from the reference", f.Frame, dist)
		}
	}
	if res.MD5 == "" || len(res.SHA256) != 64 {
		t.Errorf("file sums %q %q", res.MD5, res.SHA256)
	}
}

// TestMD5: the file sums are those of the bytes.
func TestMD5(t *testing.T) {
	needFFmpeg(t)
	d := dataDir(t)
	res, err := HashFile(context.Background(), filepath.Join(d, "tmk", "sample-videos", "test-padded-dimensions.mp4"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(d, "tmk", "sample-videos", "test-padded-dimensions.mp4"))
	if res.MD5 != fmt.Sprintf("%x", md5.Sum(data)) || res.SHA256 != fmt.Sprintf("%x", sha256.Sum256(data)) {
		t.Errorf("sums %s %s", res.MD5, res.SHA256)
	}
}

func TestLimits(t *testing.T) {
	needFFmpeg(t)
	d := dataDir(t)
	path := filepath.Join(d, "tmk", "sample-videos", "chair-19-sd-bar.mp4")
	ctx := context.Background()
	for _, c := range []struct {
		name string
		o    Options
		want error
	}{
		{"size", Options{MaxBytes: 1000}, ErrLimit},
		{"duration", Options{MaxDuration: 5 * time.Second}, ErrLimit},
		{"pixels", Options{MaxPixels: 480 * 719}, ErrLimit},
		{"time", Options{Timeout: 50 * time.Millisecond, SecondsPerHash: -1}, context.DeadlineExceeded},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := HashFile(ctx, path, c.o)
			if !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
	// A playlist must not make ffmpeg fetch anything (it would reach
	// the network from inside the process, past the SSRF checks).
	hit := make(chan bool, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hit <- true:
		default:
		}
	}))
	defer srv.Close()
	m3u := "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n" + srv.URL + "/seg.ts\n#EXT-X-ENDLIST\n"
	if _, err := HashBytes(ctx, []byte(m3u), Options{}); err == nil {
		t.Error("a playlist hashed")
	}
	select {
	case <-hit:
		t.Error("ffmpeg fetched a URL named in a playlist")
	default:
	}
	// A still image is a photo, not a one-frame video.
	if _, err := HashFile(ctx, filepath.Join(d, "pdq", "data", "bridge-mods", "aaa-orig.jpg"), Options{}); !errors.Is(err, ErrNotVideo) {
		t.Errorf("JPEG: %v", err)
	}
	if _, err := HashFile(ctx, filepath.Join(d, "pdq", "data", "misc-images", "c.png"), Options{}); !errors.Is(err, ErrNotVideo) {
		t.Errorf("PNG: %v", err)
	}
	if _, err := HashBytes(ctx, []byte("not a video at all"), Options{}); !errors.Is(err, ErrNotVideo) {
		t.Errorf("text: %v", err)
	}
}

func TestKeyframes(t *testing.T) {
	needFFmpeg(t)
	d := dataDir(t)
	data, err := os.ReadFile(filepath.Join(d, "tmk", "sample-videos", "pattern-longer-no-bar.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := Keyframes(context.Background(), data, 5, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) == 0 || len(ks) > 5 || ks[0].At != 0 {
		t.Fatalf("%d key frames", len(ks))
	}
	for i, k := range ks {
		if !bytes.HasPrefix(k.PNG, []byte("\x89PNG")) || i > 0 && k.At < ks[i-1].At+2 {
			t.Errorf("key frame %d at %.2f s (%d bytes)", i, k.At, len(k.PNG))
		}
	}
	t.Logf("%d key frames at %v", len(ks), func() (a []float64) {
		for _, k := range ks {
			a = append(a, k.At)
		}
		return
	}())
}
