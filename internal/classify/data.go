package classify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Example is one labelled text of a training or evaluation file.
type Example struct {
	Text string
	// Labels holds one label, or several for a multi-label file.
	Labels []string
	// Group is the value of the optional group column (e.g. a topic), used
	// for per-group ranking figures.
	Group string
	// Line is the line of the file where the record starts.
	Line int
	// Background marks ordinary text added as a negative example from
	// outside the data set (see Recipe.Background): it trains and
	// calibrates, but is left out of the reported figures.
	Background bool
}

// ReadOptions say which columns of a data file hold what.
type ReadOptions struct {
	// Format is tsv, csv or jsonl; "" guesses from the file name
	// (.csv, .jsonl/.ndjson/.json, otherwise tsv).
	Format string
	// TextCol and LabelCol name the columns (a header name, or for a file
	// without a header a 1-based column number; for JSONL a key).
	TextCol, LabelCol string
	// GroupCol optionally names a grouping column.
	GroupCol string
	// Header is "auto" (a header row is expected when a column is given by
	// name), "yes" or "no".
	Header string
	// LabelSep, when set, splits a label cell into several labels
	// (multi-label data). JSONL labels may also be arrays.
	LabelSep string
	// MaxRecordBytes rejects longer records (default 1 MiB).
	MaxRecordBytes int
	// MaxRecords stops with an error past this many records (default 5 M).
	MaxRecords int
}

// Size limits of data files.
const (
	DefaultMaxRecordBytes = 1 << 20
	DefaultMaxRecords     = 5_000_000
	// maxQuotedLines bounds a TSV field quoted across lines.
	maxQuotedLines = 64
)

// LineError is one record that could not be read; reading goes on.
type LineError struct {
	File string
	Line int
	Err  error
}

// Error names the file and line.
func (e *LineError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the record's error.
func (e *LineError) Unwrap() error { return e.Err }

// DataFile records a file a model was trained or measured on.
type DataFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
	Role   string `json:"role"`
}

// ReadFile reads examples from a file and returns them with the file's
// provenance (base name, SHA-256, rows read). Bad records come back as
// LineErrors while the rest is read.
func ReadFile(path string, opt ReadOptions) ([]Example, []*LineError, DataFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, DataFile{}, err
	}
	defer f.Close()
	if opt.Format == "" {
		opt.Format = FormatFromName(path)
	}
	h := sha256.New()
	exs, bad, err := ReadExamples(io.TeeReader(f, h), opt)
	if err != nil {
		return nil, bad, DataFile{}, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := io.Copy(h, f); err != nil {
		return nil, bad, DataFile{}, err
	}
	for _, b := range bad {
		b.File = filepath.Base(path)
	}
	return exs, bad, DataFile{Name: filepath.Base(path), SHA256: hex.EncodeToString(h.Sum(nil)), Rows: len(exs)}, nil
}

// FormatFromName guesses a data format from a file name.
func FormatFromName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".jsonl", ".ndjson", ".json":
		return "jsonl"
	}
	return "tsv"
}

// ReadExamples reads labelled examples. A fatal error (unknown column,
// unreadable input, too many records) stops reading; a bad record is
// reported as a LineError and skipped.
func ReadExamples(r io.Reader, opt ReadOptions) ([]Example, []*LineError, error) {
	if opt.MaxRecordBytes <= 0 {
		opt.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if opt.MaxRecords <= 0 {
		opt.MaxRecords = DefaultMaxRecords
	}
	if opt.TextCol == "" || opt.LabelCol == "" {
		return nil, nil, errors.New("name the text column and the label column")
	}
	switch opt.Format {
	case "jsonl":
		return readJSONL(r, opt)
	case "csv", "tsv":
		return readTable(r, opt)
	}
	return nil, nil, fmt.Errorf("unknown data format %q (want tsv, csv or jsonl)", opt.Format)
}

func readJSONL(r io.Reader, opt ReadOptions) ([]Example, []*LineError, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var exs []Example
	var bad []*LineError
	for line := 1; ; line++ {
		raw, err := readLine(br, opt.MaxRecordBytes)
		if errors.Is(err, errTooLong) {
			bad = append(bad, &LineError{Line: line, Err: fmt.Errorf("record longer than %d bytes", opt.MaxRecordBytes)})
			continue
		}
		if len(raw) == 0 && err != nil {
			if err == io.EOF {
				return exs, bad, nil
			}
			return exs, bad, err
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		var obj map[string]any
		if e := json.Unmarshal(raw, &obj); e != nil {
			bad = append(bad, &LineError{Line: line, Err: fmt.Errorf("not a JSON object: %v", e)})
			continue
		}
		text, ok := obj[opt.TextCol].(string)
		if !ok {
			bad = append(bad, &LineError{Line: line, Err: fmt.Errorf("no string field %q", opt.TextCol)})
			continue
		}
		labels, e := jsonLabels(obj[opt.LabelCol], opt)
		if e != nil {
			bad = append(bad, &LineError{Line: line, Err: e})
			continue
		}
		ex := Example{Text: text, Labels: labels, Line: line}
		if g, ok := obj[opt.GroupCol]; ok && opt.GroupCol != "" && g != nil {
			ex.Group = fmt.Sprint(g)
		}
		if e := checkExample(&ex); e != nil {
			bad = append(bad, &LineError{Line: line, Err: e})
			continue
		}
		exs = append(exs, ex)
		if len(exs) > opt.MaxRecords {
			return exs, bad, fmt.Errorf("more than %d records: split the file", opt.MaxRecords)
		}
	}
}

func jsonLabels(v any, opt ReadOptions) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, fmt.Errorf("no label field %q", opt.LabelCol)
	case string:
		return splitLabels(v, opt.LabelSep), nil
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}, nil
	case bool:
		return []string{strconv.FormatBool(v)}, nil
	case []any:
		var out []string
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("label list %q holds a non-string", opt.LabelCol)
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("label field %q is not a string, number, boolean or list", opt.LabelCol)
}

func splitLabels(s, sep string) []string {
	s = strings.TrimSpace(s)
	if sep == "" {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func checkExample(ex *Example) error {
	if len(ex.Labels) == 0 {
		return errors.New("empty label")
	}
	if !utf8.ValidString(ex.Text) {
		return errors.New("text is not valid UTF-8")
	}
	for _, l := range ex.Labels {
		if len(l) > 200 || !utf8.ValidString(l) {
			return errors.New("label is not valid UTF-8 or longer than 200 bytes")
		}
	}
	return nil
}

var errTooLong = errors.New("record too long")

// readLine reads one line without its end, discarding the rest of a line
// over max bytes (and returning errTooLong).
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(out)+len(frag) > max {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, errTooLong
		}
		out = append(out, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		out = bytes.TrimSuffix(out, []byte("\n"))
		out = bytes.TrimSuffix(out, []byte("\r"))
		if err == io.EOF && len(out) > 0 {
			return out, nil
		}
		return out, err
	}
}

// columns resolves column names to indices.
type columns struct{ text, label, group int }

func resolveColumns(header []string, opt ReadOptions) (columns, bool, error) {
	useHeader := opt.Header == "yes"
	if opt.Header == "" || opt.Header == "auto" {
		useHeader = !isNumber(opt.TextCol) || !isNumber(opt.LabelCol) || (opt.GroupCol != "" && !isNumber(opt.GroupCol))
	} else if opt.Header != "yes" && opt.Header != "no" {
		return columns{}, false, fmt.Errorf("header must be auto, yes or no, not %q", opt.Header)
	}
	find := func(name string) (int, error) {
		if name == "" {
			return -1, nil
		}
		if useHeader {
			for i, h := range header {
				if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) == name {
					return i, nil
				}
			}
		}
		if n, err := strconv.Atoi(name); err == nil && n >= 1 {
			return n - 1, nil
		}
		if !useHeader {
			return -1, fmt.Errorf("column %q: a file without a header row takes column numbers (1 = first)", name)
		}
		return -1, fmt.Errorf("no column %q in the header row (%s)", name, strings.Join(header, ", "))
	}
	var c columns
	var err error
	if c.text, err = find(opt.TextCol); err != nil {
		return c, false, err
	}
	if c.label, err = find(opt.LabelCol); err != nil {
		return c, false, err
	}
	if c.group, err = find(opt.GroupCol); err != nil {
		return c, false, err
	}
	return c, useHeader, nil
}

func isNumber(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1
}

// recordReader yields the records of a CSV or TSV file with the line each
// starts on.
type recordReader interface {
	next() (fields []string, line int, err error)
}

func readTable(r io.Reader, opt ReadOptions) ([]Example, []*LineError, error) {
	var rr recordReader
	if opt.Format == "csv" {
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		cr.ReuseRecord = false
		rr = &csvRecords{r: cr}
	} else {
		rr = &tsvRecords{br: bufio.NewReaderSize(r, 64<<10), max: opt.MaxRecordBytes}
	}
	var exs []Example
	var bad []*LineError
	var cols columns
	first := true
	for {
		fields, line, err := rr.next()
		if err == io.EOF {
			if first {
				return nil, bad, errors.New("the file is empty")
			}
			return exs, bad, nil
		}
		if err != nil {
			var le *LineError
			if errors.As(err, &le) {
				bad = append(bad, le)
				continue
			}
			return exs, bad, err
		}
		if first {
			first = false
			c, header, err := resolveColumns(fields, opt)
			if err != nil {
				return nil, bad, err
			}
			cols = c
			if header {
				continue
			}
		}
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			continue
		}
		size := 0
		for _, f := range fields {
			size += len(f)
		}
		if size > opt.MaxRecordBytes {
			bad = append(bad, &LineError{Line: line, Err: fmt.Errorf("record longer than %d bytes", opt.MaxRecordBytes)})
			continue
		}
		need := max(cols.text, cols.label, cols.group)
		if need >= len(fields) {
			bad = append(bad, &LineError{Line: line, Err: fmt.Errorf("%d fields, column %d needed", len(fields), need+1)})
			continue
		}
		ex := Example{Text: fields[cols.text], Labels: splitLabels(fields[cols.label], opt.LabelSep), Line: line}
		if cols.group >= 0 {
			ex.Group = fields[cols.group]
		}
		if e := checkExample(&ex); e != nil {
			bad = append(bad, &LineError{Line: line, Err: e})
			continue
		}
		exs = append(exs, ex)
		if len(exs) > opt.MaxRecords {
			return exs, bad, fmt.Errorf("more than %d records: split the file", opt.MaxRecords)
		}
	}
}

type csvRecords struct{ r *csv.Reader }

func (c *csvRecords) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, &LineError{Line: pe.StartLine, Err: pe.Err}
		}
		return nil, 0, err
	}
	// FieldPos is only valid after a successful Read.
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

// tsvRecords reads tab-separated records. Fields are taken as they are,
// except that a field starting with a double quote is read as a CSV-quoted
// field ("" for a quote, may span lines) when it is closed properly;
// otherwise the quote is kept as text. Both kinds occur in the shared
// Arabic data sets.
type tsvRecords struct {
	br      *bufio.Reader
	max     int
	line    int
	pending []pendingLine // lines read ahead and not used
}

// pendingLine is a line read ahead; tooLong marks a line over the size
// limit, whose bytes were dropped.
type pendingLine struct {
	b       []byte
	tooLong bool
}

func (t *tsvRecords) nextLine() ([]byte, error) {
	if n := len(t.pending); n > 0 {
		l := t.pending[0]
		t.pending = t.pending[1:]
		t.line++
		if l.tooLong {
			return nil, errTooLong
		}
		return l.b, nil
	}
	l, err := readLine(t.br, t.max)
	if err == nil || (err == io.EOF && len(l) > 0) || errors.Is(err, errTooLong) {
		t.line++
	}
	if err == io.EOF && len(l) > 0 {
		err = nil
	}
	return l, err
}

// pop returns the next line without counting it.
func (t *tsvRecords) pop() ([]byte, error) {
	if n := len(t.pending); n > 0 {
		l := t.pending[0]
		t.pending = t.pending[1:]
		if l.tooLong {
			return nil, errTooLong
		}
		return l.b, nil
	}
	l, err := readLine(t.br, t.max)
	if err == io.EOF && len(l) > 0 {
		err = nil
	}
	return l, err
}

func (t *tsvRecords) next() ([]string, int, error) {
	raw, err := t.nextLine()
	start := t.line
	if errors.Is(err, errTooLong) {
		return nil, start, &LineError{Line: start, Err: fmt.Errorf("record longer than %d bytes", t.max)}
	}
	if err != nil {
		return nil, start, err
	}
	line := string(raw)
	var fields []string
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			if f, rest, extra, ok := t.quoted(line[pos+1:]); ok {
				fields = append(fields, f)
				t.line += extra
				if rest == "" {
					return fields, start, nil
				}
				line, pos = rest[1:], 0 // rest starts with the tab
				continue
			}
		}
		end := strings.IndexByte(line[pos:], '\t')
		if end < 0 {
			return append(fields, line[pos:]), start, nil
		}
		fields = append(fields, line[pos:pos+end])
		pos += end + 1
	}
}

// quoted parses a CSV-quoted field whose opening quote was just before s.
// It returns the field, the rest of the last line after the closing quote
// (empty or starting with a tab) and how many extra lines it consumed. ok
// is false when the field is not properly quoted; lines read ahead are then
// put back.
func (t *tsvRecords) quoted(s string) (field, rest string, extra int, ok bool) {
	var b strings.Builder
	var ahead []pendingLine
	for {
		for i := 0; i < len(s); i++ {
			if s[i] != '"' {
				continue
			}
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteString(s[:i+1])
				s = s[i+2:]
				i = -1
				continue
			}
			if i+1 == len(s) || s[i+1] == '\t' {
				b.WriteString(s[:i])
				return b.String(), s[i+1:], len(ahead), true
			}
			t.pending = append(ahead, t.pending...)
			return "", "", 0, false
		}
		if len(ahead) >= maxQuotedLines || b.Len() > t.max {
			t.pending = append(ahead, t.pending...)
			return "", "", 0, false
		}
		l, err := t.pop()
		if err != nil {
			if errors.Is(err, errTooLong) {
				ahead = append(ahead, pendingLine{tooLong: true})
			}
			t.pending = append(ahead, t.pending...)
			return "", "", 0, false
		}
		b.WriteString(s)
		b.WriteByte('\n')
		ahead = append(ahead, pendingLine{b: l})
		s = string(l)
	}
}

// ReadLines reads a plain text file, one example per non-empty line, all
// with the given label. Lines starting with # are comments; of a line with
// tabs only the first field is taken.
func ReadLines(path, label string) ([]Example, DataFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, DataFile{}, err
	}
	var exs []Example
	for i, l := range strings.Split(string(data), "\n") {
		l, _, _ = strings.Cut(l, "\t")
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' || !utf8.ValidString(l) || len(l) > DefaultMaxRecordBytes {
			continue
		}
		exs = append(exs, Example{Text: l, Labels: []string{label}, Line: i + 1, Background: true})
	}
	sum := sha256.Sum256(data)
	return exs, DataFile{Name: filepath.Base(path), SHA256: hex.EncodeToString(sum[:]), Rows: len(exs)}, nil
}
