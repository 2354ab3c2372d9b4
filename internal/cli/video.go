package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/vpdq"
)

// videoExts are the file names read as videos (by ffmpeg) rather than
// images; a folder argument also expands to them.
var videoExts = map[string]bool{".mp4": true, ".m4v": true, ".mov": true, ".webm": true, ".mkv": true, ".avi": true, ".mpg": true, ".mpeg": true, ".3gp": true, ".ts": true, ".flv": true, ".wmv": true}

func isVideoFile(path string) bool { return videoExts[strings.ToLower(filepath.Ext(path))] }

// videoFlags defines the sampling flags of video hashing.
func videoFlags(fs *flag.FlagSet) *video.Options {
	o := &video.Options{}
	fs.Float64Var(&o.SecondsPerHash, "seconds-per-hash", vpdq.DefaultSecondsPerHash, "videos: seconds between hashed frames (vPDQ; 0 hashes every frame)")
	fs.Func("video-size", "videos: resize frames to `WxH` before hashing (as the reference's downsample, e.g. 128x128; default the video's size)", func(s string) error {
		if _, err := fmt.Sscanf(s, "%dx%d", &o.Width, &o.Height); err != nil || o.Width <= 0 || o.Height <= 0 {
			return fmt.Errorf("want WIDTHxHEIGHT, e.g. 128x128")
		}
		return nil
	})
	return o
}

// sampling turns the flag's 0 ("every frame") into the option's negative.
func sampling(o video.Options) video.Options {
	if o.SecondsPerHash == 0 {
		o.SecondsPerHash = -1
	}
	return o
}

// hashVideoLine hashes a video for 'basira hash': the line printed is
// VIDEO_MD5,FRAMES,PATH, and with vpdqDir the frame hashes go to
// vpdqDir/NAME.txt in the reference tool's format.
func hashVideoLine(ctx context.Context, path string, o video.Options, vpdqDir string) (string, error) {
	r, err := video.HashFile(ctx, path, sampling(o))
	if err != nil {
		return "", err
	}
	if vpdqDir != "" {
		out := filepath.Join(vpdqDir, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+".txt")
		f, err := os.Create(out)
		if err != nil {
			return "", err
		}
		err = vpdq.WriteFile(f, r.Features)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s,%d,%s", r.MD5, len(r.Features), path), nil
}
