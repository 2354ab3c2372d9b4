// Package vpdq is Meta's vPDQ video hash: the PDQ hash of video frames
// taken at a fixed rate, each with its quality and timestamp, and the
// brute-force matching of ThreatExchange's vpdq and python-threatexchange:
// the share of one video's frames found in the other, both ways.
//
// Frames come from a decoder outside this package (internal/video runs
// ffmpeg); Hasher turns each RGB frame into a Feature.
package vpdq

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/basira-org/basira/pdq"
)

// Defaults of python-threatexchange's vPDQ signal type (what OMM uses).
const (
	DefaultQuality      = 50   // frames of lower quality are not compared
	DefaultDistance     = 31   // largest PDQ distance of two matching frames
	DefaultQueryPercent = 80.0 // share of the query's frames that must match
	DefaultIndexPercent = 0.0  // share of the compared video's frames that must match
)

// MaxFeatures bounds a parsed or computed hash: one frame a second for 24
// hours. A longer list is refused rather than held in memory.
const MaxFeatures = 86400

// Feature is the hash of one frame.
type Feature struct {
	Frame     int // frame number in decoding order (0-based)
	Quality   int // PDQ quality 0-100
	Hash      pdq.Hash
	Timestamp float64 // seconds: Frame / frame rate
}

// ErrFormat reports a malformed vPDQ hash.
var ErrFormat = errors.New("malformed vPDQ hash")

// ParseFile reads the reference tools' text format: one frame a line,
// "frame,quality,hash[,timestamp]" (vpdq-hash-video's output and the
// sample hashes of ThreatExchange's repository).
func ParseFile(r io.Reader) ([]Feature, error) {
	var out []Feature
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), 1024)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		if len(out) >= MaxFeatures {
			return nil, fmt.Errorf("%w: over %d frames", ErrFormat, MaxFeatures)
		}
		p := strings.Split(s, ",")
		if len(p) != 3 && len(p) != 4 {
			return nil, fmt.Errorf("%w: line %d: want frame,quality,hash[,timestamp]", ErrFormat, line)
		}
		fr, err := strconv.Atoi(p[0])
		if err != nil || fr < 0 {
			return nil, fmt.Errorf("%w: line %d: frame number %q", ErrFormat, line, p[0])
		}
		f, err := parseParts(p[2], p[1], "0")
		if len(p) == 4 {
			f, err = parseParts(p[2], p[1], p[3])
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		f.Frame = fr
		out = append(out, f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return out, nil
}

// WriteFile writes features in the reference tools' text format, with
// timestamps to the millisecond as they print them.
func WriteFile(w io.Writer, fs []Feature) error {
	bw := bufio.NewWriter(w)
	for _, f := range fs {
		fmt.Fprintf(bw, "%d,%d,%s,%.3f\n", f.Frame, f.Quality, f.Hash, f.Timestamp)
	}
	return bw.Flush()
}

func parseParts(hash, quality, ts string) (Feature, error) {
	h, err := pdq.ParseHash(hash)
	if err != nil {
		return Feature{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	q, err := strconv.Atoi(quality)
	if err != nil || q < 0 || q > 100 {
		return Feature{}, fmt.Errorf("%w: quality %q", ErrFormat, quality)
	}
	t, err := strconv.ParseFloat(ts, 64)
	if err != nil || t < 0 || math.IsInf(t, 0) || math.IsNaN(t) {
		return Feature{}, fmt.Errorf("%w: timestamp %q", ErrFormat, ts)
	}
	return Feature{Quality: q, Hash: h, Timestamp: t}, nil
}

// MaxSignalBytes bounds a vPDQ signal string (MaxFeatures frames).
const MaxSignalBytes = MaxFeatures * 96

// ParseSignal reads python-threatexchange's (and so OMM's) vPDQ signal
// string: a JSON array of "hash,quality,timestamp" strings. Frame numbers
// are not part of it: features are numbered in order.
func ParseSignal(s string) ([]Feature, error) {
	if len(s) > MaxSignalBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrFormat, MaxSignalBytes)
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var items []string
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return nil, fmt.Errorf("%w: want a JSON array of \"hash,quality,timestamp\" strings: %v", ErrFormat, err)
	}
	if len(items) > MaxFeatures {
		return nil, fmt.Errorf("%w: over %d frames", ErrFormat, MaxFeatures)
	}
	out := make([]Feature, 0, len(items))
	for i, it := range items {
		p := strings.Split(it, ",")
		if len(p) != 3 {
			return nil, fmt.Errorf("%w: item %d: want hash,quality,timestamp", ErrFormat, i)
		}
		f, err := parseParts(p[0], p[1], p[2])
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		f.Frame = i
		out = append(out, f)
	}
	return out, nil
}

// FormatSignal writes features as python-threatexchange's signal string
// (see ParseSignal).
func FormatSignal(fs []Feature) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range fs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", fmt.Sprintf("%s,%d,%.3f", f.Hash, f.Quality, f.Timestamp))
	}
	b.WriteByte(']')
	return b.String()
}
