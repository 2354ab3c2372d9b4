// Package tmk reads Meta's TMK+PDQF video hashes (ThreatExchange tmk/: the
// .tmk feature-vector files of tmk-hash-video) and compares them as the
// reference does: level 1, the cosine similarity of the two videos'
// average frame features; level 2, the best time-aligned match of their
// Fourier features over the reference's periods. Computing .tmk files is
// not implemented: only importing and comparing existing ones.
package tmk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Reference thresholds for TMK+PDQF (tmk-query's defaults).
const (
	DefaultLevel1 = 0.7
	DefaultLevel2 = 0.7
)

// Limits of a parsed file: the reference writes 4 periods, 32 Fourier
// coefficients and 256 dimensions (263,344 bytes).
const (
	maxPeriods = 16
	maxCoeffs  = 64
	maxDim     = 1024
	maxPeriod  = 1 << 16
	// maxLevel2Work bounds the sum over periods of period × coefficients.
	maxLevel2Work = 4 << 20
	// MaxFileBytes bounds what Parse reads.
	MaxFileBytes = 32 + 4*maxPeriods + 4*maxCoeffs + 4*maxDim + 2*4*maxPeriods*maxCoeffs*maxDim
)

// ErrFormat reports a file that is not a TMK feature-vector file.
var ErrFormat = errors.New("not a TMK feature-vector file")

// Features is one video's TMK feature vectors.
type Features struct {
	Algorithm       string // "PDQF"
	FramesPerSecond int
	FrameCount      int // informational: resampled frames hashed
	Periods         []int32
	Coefficients    []float32
	Average         []float32     // pure-average frame feature
	Cos, Sin        [][][]float32 // [period][coefficient][dimension]
	normalizer      float32
}

// Parse reads a .tmk file (little-endian, as the reference writes it on
// the platforms it runs on).
func Parse(r io.Reader) (*Features, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrFormat, MaxFileBytes)
	}
	if len(data) < 32 || string(data[0:4]) != "TMK1" || string(data[4:8]) != "FVEC" {
		return nil, fmt.Errorf("%w: no TMK1/FVEC header", ErrFormat)
	}
	f := &Features{Algorithm: string(data[8:12])}
	var h [5]int32
	if err := binary.Read(bytes.NewReader(data[12:32]), binary.LittleEndian, &h); err != nil {
		return nil, err
	}
	f.FramesPerSecond, f.FrameCount = int(h[0]), int(h[4])
	p, c, d := int(h[1]), int(h[2]), int(h[3])
	if p < 0 || p > maxPeriods || c < 0 || c > maxCoeffs || d <= 0 || d > maxDim {
		return nil, fmt.Errorf("%w: %d periods, %d coefficients, %d dimensions", ErrFormat, p, c, d)
	}
	if want := 32 + 4*(p+c+d+2*p*c*d); len(data) != want {
		return nil, fmt.Errorf("%w: %d bytes, want %d for its header", ErrFormat, len(data), want)
	}
	rd := bytes.NewReader(data[32:])
	f.Periods = make([]int32, p)
	f.Coefficients = make([]float32, c)
	f.Average = make([]float32, d)
	for _, v := range []any{f.Periods, f.Coefficients, f.Average} {
		if err := binary.Read(rd, binary.LittleEndian, v); err != nil {
			return nil, err
		}
	}
	work := 0
	for _, t := range f.Periods {
		if t <= 0 || t > maxPeriod {
			return nil, fmt.Errorf("%w: period %d", ErrFormat, t)
		}
		work += int(t) * c
	}
	// Level 2 evaluates every offset of every period: bound its cost (the
	// reference's periods and coefficients need about 1M terms).
	if work > maxLevel2Work {
		return nil, fmt.Errorf("%w: periods too long to compare (%d terms)", ErrFormat, work)
	}
	read3 := func() ([][][]float32, error) {
		out := make([][][]float32, p)
		for i := range out {
			out[i] = make([][]float32, c)
			for j := range out[i] {
				out[i][j] = make([]float32, d)
				if err := binary.Read(rd, binary.LittleEndian, out[i][j]); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	if f.Cos, err = read3(); err != nil {
		return nil, err
	}
	if f.Sin, err = read3(); err != nil {
		return nil, err
	}
	f.normalizer = 1
	if c > 0 {
		f.normalizer = f.Coefficients[0]
		for _, x := range f.Coefficients[1:] {
			f.normalizer += 2 * x
		}
	}
	return f, nil
}

// Compatible reports whether a and b were made with the same algorithm,
// frame rate, periods, coefficients and dimension, as comparing requires.
func Compatible(a, b *Features) error {
	switch {
	case a.Algorithm != b.Algorithm:
		return fmt.Errorf("tmk: algorithm %q != %q", a.Algorithm, b.Algorithm)
	case a.FramesPerSecond != b.FramesPerSecond:
		return fmt.Errorf("tmk: %d != %d frames per second", a.FramesPerSecond, b.FramesPerSecond)
	case len(a.Periods) != len(b.Periods) || len(a.Coefficients) != len(b.Coefficients) || len(a.Average) != len(b.Average):
		return errors.New("tmk: different shapes")
	}
	for i := range a.Periods {
		if a.Periods[i] != b.Periods[i] {
			return fmt.Errorf("tmk: period %d != %d", a.Periods[i], b.Periods[i])
		}
	}
	for i := range a.Coefficients {
		x, y := a.Coefficients[i], b.Coefficients[i]
		if m := max(abs(x), abs(y)); m > 0 && abs(x-y)/m > 1e-6 {
			return fmt.Errorf("tmk: coefficient %d differs", i)
		}
	}
	return nil
}

func abs(x float32) float32 { return float32(math.Abs(float64(x))) }

// Level1 is the cosine similarity of the average frame features.
func Level1(a, b *Features) float64 {
	var ab, aa, bb float64
	for i := range a.Average {
		x, y := float64(a.Average[i]), float64(b.Average[i])
		ab, aa, bb = ab+x*y, aa+x*x, bb+y*y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

func dot(x, y []float32) float64 {
	var s float64
	for i := range x {
		s += float64(x[i]) * float64(y[i])
	}
	return s
}

// Level2 is the reference's time-aligned score: for each period, the best
// offset's kernel value, the largest over periods, divided by the sum of
// the coefficients' weights (1 for identical videos).
func Level2(a, b *Features) float64 {
	best := math.Inf(-1)
	c := len(a.Coefficients)
	if len(a.Periods) == 0 || c == 0 {
		return 0
	}
	cc, ss, sc, cs := make([]float64, c), make([]float64, c), make([]float64, c), make([]float64, c)
	for i, period := range a.Periods {
		for j := range c {
			cc[j] = dot(a.Cos[i][j], b.Cos[i][j])
			ss[j] = dot(a.Sin[i][j], b.Sin[i][j])
			sc[j] = dot(a.Sin[i][j], b.Cos[i][j])
			cs[j] = dot(a.Cos[i][j], b.Sin[i][j])
		}
		for off := range int(period) {
			delta := 2 * math.Pi * float64(off) / float64(period)
			k := cc[0]
			for j := 1; j < c; j++ {
				s, co := math.Sincos(float64(j) * delta)
				k += co*(cc[j]+ss[j]) + s*(sc[j]-cs[j])
			}
			best = max(best, k)
		}
	}
	return best / float64(a.normalizer)
}

// Match compares a with b: level 1 first (cheap), level 2 only when level
// 1 passes, as the reference's query tool does.
func Match(a, b *Features, level1, level2 float64) (l1, l2 float64, ok bool, err error) {
	if err := Compatible(a, b); err != nil {
		return 0, 0, false, err
	}
	l1 = Level1(a, b)
	if l1 < level1 {
		return l1, 0, false, nil
	}
	l2 = Level2(a, b)
	return l1, l2, l2 >= level2, nil
}
