package video

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkVPDQ hashes a 19 s 480x720 sample video: at one frame a second
// (the default), every frame, and every frame at 128x128; the baseline is
// ffmpeg decoding every frame and discarding it (the floor for any
// hasher reading through ffmpeg).
func BenchmarkVPDQ(b *testing.B) {
	needFFmpeg(b)
	path := filepath.Join(dataDir(b), "tmk", "sample-videos", "chair-19-sd-bar.mp4")
	b.Run("ffmpeg-decode-only", func(b *testing.B) {
		for b.Loop() {
			out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", path, "-f", "null", "-").CombinedOutput()
			if err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"1fps", Options{}},
		{"every-frame", Options{SecondsPerHash: -1}},
		{"every-frame-128", Options{SecondsPerHash: -1, Width: 128, Height: 128}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := HashFile(context.Background(), path, c.o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
