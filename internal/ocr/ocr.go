// Package ocr reads the text inside images (and video keyframes) with
// Tesseract, run as a separate process on Debian's tesseract-ocr with the
// Arabic, French and English data, under limits on image size, running
// time and concurrency. The text keeps where each line was found, so that
// evidence can point to the region of the picture.
package ocr

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // headers checked before Tesseract reads them
	_ "image/jpeg" //
	_ "image/png"  //
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/bmp"  //
	_ "golang.org/x/image/tiff" //
	_ "golang.org/x/image/webp" //
)

// Defaults.
const (
	// DefaultLangs are read in two passes, Arabic alone then French and
	// English: Tesseract given ara+fra+eng at once loses whole Arabic
	// lines on some pictures (measured on the rendered test set: 3 of 23
	// lines lost), and costs more than the two passes (1.07 s against
	// 0.21 + 0.71 s on one line).
	DefaultLangs     = "ara,fra+eng"
	DefaultMaxPixels = 16_000_000 // 4000 x 4000: a phone photo
	DefaultMaxBytes  = 20 << 20
	DefaultTimeout   = 30 * time.Second
	// DefaultMinConf drops words Tesseract is less sure of (0-100): noise
	// read in textures and faces.
	DefaultMinConf = 30
)

// ErrNoTesseract is returned when tesseract or its language data is missing.
var ErrNoTesseract = errors.New("OCR needs tesseract with Arabic, French and English data (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-ara tesseract-ocr-fra)")

// ErrLimit is returned for an image over a limit.
var ErrLimit = errors.New("image over the OCR limits")

// Line is one line of text found in the picture: its byte range in
// Text.Text and its box in pixels.
type Line struct {
	Start, End int
	Box        image.Rectangle
	Conf       float64 // mean word confidence, 0-100
}

// Text is what was read in one picture.
type Text struct {
	Text  string // lines joined by "\n"
	Lines []Line
}

// Region returns the box of the line holding byte offset off of Text.
func (t *Text) Region(off int) (image.Rectangle, bool) {
	for _, l := range t.Lines {
		if off >= l.Start && off < l.End {
			return l.Box, true
		}
	}
	return image.Rectangle{}, false
}

// Reader runs Tesseract. The zero value uses the defaults; a Reader is safe
// for concurrent use, and at most Concurrency images are read at once.
type Reader struct {
	Langs     string
	MaxPixels int
	MaxBytes  int
	Timeout   time.Duration
	MinConf   float64
	sem       chan struct{}
}

// New returns a Reader that runs at most concurrency Tesseract processes
// at once (at least 1), after checking that tesseract and its language
// data are installed.
func New(concurrency int) (*Reader, error) {
	r := &Reader{sem: make(chan struct{}, max(concurrency, 1))}
	if err := r.Check(); err != nil {
		return nil, err
	}
	return r, nil
}

// Check reports whether tesseract runs and has the languages of r.
func (r *Reader) Check() error {
	if _, err := exec.LookPath("tesseract"); err != nil {
		return fmt.Errorf("%w: tesseract not found in PATH", ErrNoTesseract)
	}
	out, err := exec.Command("tesseract", "--list-langs").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: tesseract --list-langs: %v", ErrNoTesseract, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Fields(string(out)) {
		have[l] = true
	}
	for _, l := range strings.FieldsFunc(r.langs(), func(c rune) bool { return c == '+' || c == ',' }) {
		if !have[l] {
			return fmt.Errorf("%w: no %q language data", ErrNoTesseract, l)
		}
	}
	return nil
}

func (r *Reader) langs() string {
	if r.Langs != "" {
		return r.Langs
	}
	return DefaultLangs
}

func or[T int | float64 | time.Duration](v, d T) T {
	if v > 0 {
		return v
	}
	return d
}

// Read returns the text in an image (JPEG, PNG, GIF, BMP, TIFF or WebP).
// The header is checked against the limits before Tesseract sees a byte.
func (r *Reader) Read(ctx context.Context, data []byte) (*Text, error) {
	if len(data) > or(r.MaxBytes, DefaultMaxBytes) {
		return nil, fmt.Errorf("%w: %d bytes", ErrLimit, len(data))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("ocr: not an image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > or(r.MaxPixels, DefaultMaxPixels)/cfg.Height {
		return nil, fmt.Errorf("%w: %dx%d %s, over %d pixels", ErrLimit, cfg.Width, cfg.Height, format, or(r.MaxPixels, DefaultMaxPixels))
	}
	// Leptonica may be built without WebP: give it PNG. (Enlarging small
	// pictures first, as is often advised, read fewer of the rendered test
	// pictures: 78% at 2x, 48-65% at 3x, against 87%.)
	if format == "webp" {
		if data, err = toPNG(data); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, or(r.Timeout, DefaultTimeout))
	defer cancel()
	if r.sem != nil {
		select {
		case r.sem <- struct{}{}:
			defer func() { <-r.sem }()
		case <-ctx.Done():
			return nil, fmt.Errorf("ocr: waiting for a turn: %w", ctx.Err())
		}
	}
	var out *Text
	for _, langs := range strings.Split(r.langs(), ",") {
		// PSM 3, automatic page segmentation: memes put text in several
		// blocks. (Sparse text, PSM 11, read fewer of the rendered test
		// pictures: 79% against 87%; both merged, 89% at twice the cost.)
		t, err := r.pass(ctx, data, langs, "3")
		if err != nil {
			return nil, err
		}
		out = merge(out, t)
	}
	return out, nil
}

// pass runs Tesseract once with langs ("ara", "fra+eng") and page
// segmentation mode psm.
func (r *Reader) pass(ctx context.Context, data []byte, langs, psm string) (*Text, error) {
	// One thread: concurrency is ours to bound.
	cmd := exec.CommandContext(ctx, "tesseract", "stdin", "stdout", "-l", langs, "--psm", psm, "tsv")
	cmd.Env = []string{"OMP_THREAD_LIMIT=1", "PATH=/usr/bin:/bin"}
	cmd.Stdin = bytes.NewReader(data)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limitWriter{w: &out, n: 4 << 20}, &limitWriter{w: &errb, n: 4 << 10}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ocr: %w", ctx.Err())
		}
		return nil, fmt.Errorf("ocr: tesseract: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	return parseTSV(out.Bytes(), or(r.MinConf, DefaultMinConf))
}

type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		p = p[:l.n]
	}
	l.n -= len(p)
	_, err := l.w.Write(p)
	return len(p), err
}

// merge adds to a the lines of b that do not overlap a line of a read
// with more confidence; where b's line is surer, it replaces a's.
func merge(a, b *Text) *Text {
	if a == nil {
		return b
	}
	type line struct {
		text string
		Line
	}
	var ls []line
	for _, l := range a.Lines {
		ls = append(ls, line{a.Text[l.Start:l.End], l})
	}
next:
	for _, l := range b.Lines {
		for i, x := range ls {
			if x.Box.Overlaps(l.Box) {
				if l.Conf > x.Conf {
					ls[i] = line{b.Text[l.Start:l.End], l}
				}
				continue next
			}
		}
		ls = append(ls, line{b.Text[l.Start:l.End], l})
	}
	// Reading order: top to bottom.
	slices.SortStableFunc(ls, func(x, y line) int { return x.Box.Min.Y - y.Box.Min.Y })
	out := &Text{}
	for _, l := range ls {
		if out.Text != "" {
			out.Text += "\n"
		}
		start := len(out.Text)
		out.Text += l.text
		out.Lines = append(out.Lines, Line{Start: start, End: len(out.Text), Box: l.Box, Conf: l.Conf})
	}
	return out
}

// parseTSV reads Tesseract's TSV output (level, page, block, paragraph,
// line, word, left, top, width, height, conf, text) into lines of words.
func parseTSV(b []byte, minConf float64) (*Text, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = '\t'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("ocr: reading tesseract's output: %w", err)
	}
	type key struct{ block, par, line int }
	var t Text
	var cur key
	var words []string
	var box image.Rectangle
	var conf float64
	flush := func() {
		if len(words) == 0 {
			return
		}
		if t.Text != "" {
			t.Text += "\n"
		}
		start := len(t.Text)
		t.Text += strings.Join(words, " ")
		t.Lines = append(t.Lines, Line{Start: start, End: len(t.Text), Box: box, Conf: conf / float64(len(words))})
		words, box, conf = nil, image.Rectangle{}, 0
	}
	for i, r := range recs {
		if i == 0 || len(r) < 12 || r[0] != "5" {
			continue
		}
		n := make([]int, 10)
		for j := range n {
			n[j], _ = strconv.Atoi(r[j])
		}
		c, _ := strconv.ParseFloat(r[10], 64)
		w := strings.TrimSpace(r[11])
		if w == "" || c < minConf {
			continue
		}
		k := key{n[2], n[3], n[4]}
		if k != cur {
			flush()
			cur = k
		}
		wb := image.Rect(n[6], n[7], n[6]+n[8], n[7]+n[9])
		if len(words) == 0 {
			box = wb
		} else {
			box = box.Union(wb)
		}
		words = append(words, w)
		conf += c
	}
	flush()
	return &t, nil
}
