// Package video hashes video files: MD5 and SHA-256 of the bytes and vPDQ
// of the frames, decoded by Debian's ffmpeg run as a separate process
// (so a hostile file can crash or exhaust only that process, which may
// open local files only: no network) under limits
// on file size, duration, frame size and running time, and inside the
// process-wide decode budget that image decoding uses.
package video

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/vpdq"
)

// Default limits.
const (
	DefaultMaxBytes    = 512 << 20
	DefaultMaxDuration = 2 * time.Hour
	DefaultMaxPixels   = 4096 * 2304 // 4K
	DefaultTimeout     = 5 * time.Minute
)

// ErrNoFFmpeg is returned when ffmpeg or ffprobe is not installed.
var ErrNoFFmpeg = errors.New("video hashing needs ffmpeg and ffprobe (Debian/Ubuntu: apt-get install ffmpeg)")

// ErrLimit is returned for a video over one of the limits.
var ErrLimit = errors.New("video over a limit")

// ErrNotVideo is returned for a file with no video stream ffmpeg can read.
var ErrNotVideo = errors.New("not a video ffmpeg can read")

// Check reports whether ffmpeg and ffprobe can be run, with a message
// that says how to install them. Call it at start-up where video is
// configured.
func Check() error {
	for _, b := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(b); err != nil {
			return fmt.Errorf("%w: %s not found in PATH", ErrNoFFmpeg, b)
		}
	}
	return nil
}

// Options sets the sampling and the limits. The zero value hashes one
// frame a second at the video's own size under the default limits.
type Options struct {
	// SecondsPerHash: the interval between hashed frames (the reference's
	// seconds_per_hash); 0 means DefaultSecondsPerHash, negative hashes
	// every frame.
	SecondsPerHash float64
	// Width and Height resize frames before hashing (the reference's
	// downsample_width/height, e.g. 128x128); 0 keeps the video's size.
	Width, Height int

	MaxBytes    int64         // file size, default DefaultMaxBytes
	MaxDuration time.Duration // default DefaultMaxDuration
	MaxPixels   int           // frame width × height, default DefaultMaxPixels
	Timeout     time.Duration // whole decode, default DefaultTimeout
}

func (o Options) secondsPerHash() float64 {
	switch {
	case o.SecondsPerHash < 0:
		return 0
	case o.SecondsPerHash == 0:
		return vpdq.DefaultSecondsPerHash
	}
	return o.SecondsPerHash
}

func orDefault[T int | int64 | time.Duration](v, d T) T {
	if v > 0 {
		return v
	}
	return d
}

// Info is what ffprobe says of a video's first video stream.
type Info struct {
	Width, Height int
	FrameRate     float64 // average frame rate (the reference's choice)
	Duration      float64 // seconds
	Codec         string
}

// Result is the hashes of one video.
type Result struct {
	MD5, SHA256 string
	Info        Info
	Features    []vpdq.Feature
}

// HashBytes hashes a video held in memory (fetched media): ffmpeg needs a
// seekable file for most MP4s, so the bytes go to a temporary file first.
func HashBytes(ctx context.Context, data []byte, o Options) (*Result, error) {
	if int64(len(data)) > orDefault(o.MaxBytes, DefaultMaxBytes) {
		return nil, fmt.Errorf("%w: %d bytes, over %d", ErrLimit, len(data), orDefault(o.MaxBytes, DefaultMaxBytes))
	}
	f, err := os.CreateTemp("", "basira-video-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return HashFile(ctx, f.Name(), o)
}

// HashFile hashes the video at path.
func HashFile(ctx context.Context, path string, o Options) (*Result, error) {
	if err := Check(); err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if max := orDefault(o.MaxBytes, DefaultMaxBytes); st.Size() > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, over %d", ErrLimit, path, st.Size(), max)
	}
	ctx, cancel := context.WithTimeout(ctx, orDefault(o.Timeout, DefaultTimeout))
	defer cancel()
	res := &Result{}
	if err := fileSums(path, res); err != nil {
		return nil, err
	}
	info, err := Probe(ctx, path)
	if err != nil {
		return nil, err
	}
	res.Info = info
	if d := orDefault(o.MaxDuration, DefaultMaxDuration); info.Duration > d.Seconds() {
		return nil, fmt.Errorf("%w: %s lasts %.0f s, over %v", ErrLimit, path, info.Duration, d)
	}
	if mp := orDefault(o.MaxPixels, DefaultMaxPixels); info.Width*info.Height > mp {
		return nil, fmt.Errorf("%w: %s is %dx%d, over %d pixels", ErrLimit, path, info.Width, info.Height, mp)
	}
	res.Features, err = frames(ctx, path, info, o)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func fileSums(path string, res *Result) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	m, s := md5.New(), sha256.New()
	if _, err := io.Copy(io.MultiWriter(m, s), f); err != nil {
		return err
	}
	res.MD5, res.SHA256 = hex.EncodeToString(m.Sum(nil)), hex.EncodeToString(s.Sum(nil))
	return nil
}

// stderrLimit keeps the end of ffmpeg's messages for errors.
const stderrLimit = 4 << 10

type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > stderrLimit {
		t.b = t.b[len(t.b)-stderrLimit:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return strings.TrimSpace(string(t.b)) }

// Probe reads the first video stream's size, frame rate and duration.
func Probe(ctx context.Context, path string) (Info, error) {
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-protocol_whitelist", "file", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,duration:format=duration,format_name",
		"-of", "json", "file:"+path)
	var out bytes.Buffer
	var errb tailBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Info{}, fmt.Errorf("probing %s: %w", path, ctx.Err())
		}
		return Info{}, fmt.Errorf("%w: %s: %s", ErrNotVideo, path, errb.String())
	}
	var p struct {
		Streams []struct {
			Codec    string `json:"codec_name"`
			Width    int    `json:"width"`
			Height   int    `json:"height"`
			Avg      string `json:"avg_frame_rate"`
			Real     string `json:"r_frame_rate"`
			Duration string `json:"duration"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
			Name     string `json:"format_name"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		return Info{}, fmt.Errorf("probing %s: %w", path, err)
	}
	if len(p.Streams) == 0 {
		return Info{}, fmt.Errorf("%w: %s has no video stream", ErrNotVideo, path)
	}
	// ffmpeg reads still images as one-frame videos: they are photos.
	if f := p.Format.Name; f == "image2" || strings.HasSuffix(f, "_pipe") {
		return Info{}, fmt.Errorf("%w: %s is an image (%s)", ErrNotVideo, path, f)
	}
	s := p.Streams[0]
	in := Info{Width: s.Width, Height: s.Height, Codec: s.Codec}
	if in.Width <= 0 || in.Height <= 0 {
		return Info{}, fmt.Errorf("%w: %s: video of %dx%d", ErrNotVideo, path, in.Width, in.Height)
	}
	// The reference takes the average frame rate, else the real one.
	if in.FrameRate = rate(s.Avg); in.FrameRate == 0 {
		in.FrameRate = rate(s.Real)
	}
	if in.FrameRate <= 0 {
		return Info{}, fmt.Errorf("%w: %s: no frame rate", ErrNotVideo, path)
	}
	in.Duration, _ = strconv.ParseFloat(s.Duration, 64)
	if d, err := strconv.ParseFloat(p.Format.Duration, 64); err == nil && d > in.Duration {
		in.Duration = d
	}
	return in, nil
}

// rate parses ffprobe's "num/den".
func rate(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	if !ok {
		v, _ := strconv.ParseFloat(s, 64)
		return v
	}
	a, err1 := strconv.ParseFloat(n, 64)
	b, err2 := strconv.ParseFloat(d, 64)
	if err1 != nil || err2 != nil || b == 0 {
		return 0
	}
	return a / b
}

// frames decodes the sampled frames to packed RGB at the hashing size
// and hashes them. ffmpeg's scaler does the resize with the reference's
// area filter; frames are numbered in decoding order, as the reference
// numbers them, and every step-th one is kept.
func frames(ctx context.Context, path string, info Info, o Options) ([]vpdq.Feature, error) {
	w, h := info.Width, info.Height
	if o.Width > 0 {
		w = o.Width
	}
	if o.Height > 0 {
		h = o.Height
	}
	step := vpdq.FrameStep(o.secondsPerHash(), info.FrameRate)
	frameBytes := 3 * w * h
	// ffmpeg holds reference frames at the source size as well as ours.
	need := min(int64(frameBytes)+int64(info.Width*info.Height)*12, pdq.MaxDecodeBytes)
	release, err := pdq.AcquireDecode(ctx, need)
	if err != nil {
		return nil, err
	}
	defer release()
	vf := fmt.Sprintf("select='not(mod(n\\,%d))',scale=%d:%d:flags=area,format=rgb24", step, w, h)
	maxDur := orDefault(o.MaxDuration, DefaultMaxDuration)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
		"-threads", "1", "-protocol_whitelist", "file", "-i", "file:"+path, "-map", "0:v:0", "-an", "-sn", "-dn",
		"-t", strconv.FormatFloat(maxDur.Seconds(), 'f', 0, 64),
		"-vf", vf, "-fps_mode", "passthrough", "-f", "rawvideo", "pipe:1")
	var errb tailBuffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFFmpeg, err)
	}
	hs := vpdq.NewHasher(info.FrameRate)
	buf := make([]byte, frameBytes)
	var herr error
	for i := 0; ; i++ {
		if _, err := io.ReadFull(stdout, buf); err != nil {
			if err != io.EOF {
				herr = fmt.Errorf("reading frame %d: %w", i*step, err)
			}
			break
		}
		if err := hs.Add(i*step, buf, w, h); err != nil {
			herr = err
			break
		}
	}
	if herr != nil {
		_ = cmd.Process.Kill()
	}
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, ctx.Err())
	}
	if herr != nil {
		return nil, herr
	}
	if werr != nil {
		return nil, fmt.Errorf("%w: %s: ffmpeg: %v: %s", ErrNotVideo, path, werr, errb.String())
	}
	return hs.Features(), nil
}

// Keyframe is a picture of a video at a time, as PNG.
type Keyframe struct {
	At  float64 // seconds
	PNG []byte
}

// MaxKeyframes bounds how many pictures Keyframes returns.
const MaxKeyframes = 32

// Keyframes returns up to n key frames (the encoder's I-frames: scene
// starts, where the text of a video changes) at least every seconds
// apart, for reading the text in a video. The limits of o apply.
func Keyframes(ctx context.Context, data []byte, n int, every float64, o Options) ([]Keyframe, error) {
	if err := Check(); err != nil {
		return nil, err
	}
	if int64(len(data)) > orDefault(o.MaxBytes, DefaultMaxBytes) {
		return nil, fmt.Errorf("%w: %d bytes", ErrLimit, len(data))
	}
	n = min(max(n, 1), MaxKeyframes)
	ctx, cancel := context.WithTimeout(ctx, orDefault(o.Timeout, DefaultTimeout))
	defer cancel()
	dir, err := os.MkdirTemp("", "basira-keyframes-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := dir + "/in"
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	info, err := Probe(ctx, in)
	if err != nil {
		return nil, err
	}
	if mp := orDefault(o.MaxPixels, DefaultMaxPixels); info.Width*info.Height > mp {
		return nil, fmt.Errorf("%w: %dx%d, over %d pixels", ErrLimit, info.Width, info.Height, mp)
	}
	release, err := pdq.AcquireDecode(ctx, min(int64(info.Width*info.Height)*16, pdq.MaxDecodeBytes))
	if err != nil {
		return nil, err
	}
	defer release()
	// Key frames only (the decoder skips the rest: cheap), one at most
	// every `every` seconds, with their times in the file names' order.
	vf := fmt.Sprintf("select='eq(n\\,0)+gte(t-prev_selected_t\\,%g)',showinfo", every)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "info",
		"-threads", "1", "-protocol_whitelist", "file", "-skip_frame", "nokey", "-i", "file:"+in,
		"-map", "0:v:0", "-an", "-sn", "-dn", "-vf", vf, "-fps_mode", "passthrough",
		"-frames:v", strconv.Itoa(n), dir+"/k%03d.png")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("key frames: %w", ctx.Err())
		}
		return nil, fmt.Errorf("%w: key frames: %v", ErrNotVideo, err)
	}
	// showinfo prints each kept frame's pts_time, in order.
	var times []float64
	for _, l := range strings.Split(errb.String(), "\n") {
		if i := strings.Index(l, "pts_time:"); i >= 0 && strings.Contains(l, "Parsed_showinfo") {
			f := strings.Fields(l[i+len("pts_time:"):])
			if len(f) > 0 {
				v, _ := strconv.ParseFloat(f[0], 64)
				times = append(times, v)
			}
		}
	}
	var out []Keyframe
	for i := 1; i <= n; i++ {
		b, err := os.ReadFile(fmt.Sprintf("%s/k%03d.png", dir, i))
		if err != nil {
			break
		}
		k := Keyframe{PNG: b}
		if i-1 < len(times) {
			k.At = times[i-1]
		}
		out = append(out, k)
	}
	return out, nil
}
