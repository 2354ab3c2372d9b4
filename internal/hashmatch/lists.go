package hashmatch

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Size limits for imported lists, so a wrong or hostile file fails with a
// clear message instead of exhausting memory.
const (
	// MaxListBytes is the largest list file Parse* reads.
	MaxListBytes = 1 << 30
	// MaxJSONBytes is the largest JSON list, which is decoded whole.
	MaxJSONBytes = 256 << 20
	// MaxRecordBytes is the longest CSV/TSV record.
	MaxRecordBytes = 64 << 10
	// MaxItemErrors is how many bad items are reported one by one before
	// the rest are only counted.
	MaxItemErrors = 100
)

// ErrTooLarge is returned when a list is over a size limit.
var ErrTooLarge = errors.New("list too large")

// ItemError is a problem with one item of a list; the others are still
// imported.
type ItemError struct {
	Line int // CSV line, or position in the JSON results (1-based)
	Err  error
}

// Error implements error.
func (e ItemError) Error() string { return fmt.Sprintf("item %d: %v", e.Line, e.Err) }

// Unwrap returns the item's error.
func (e ItemError) Unwrap() error { return e.Err }

// ListResult is what a list parser read.
type ListResult struct {
	Entries []Entry
	// Deleted holds the ids the list marks as withdrawn (TAT "deleted").
	Deleted []string
	// Skipped counts items of another signal type than the one asked for.
	Skipped int
	Errors  []ItemError
	// MoreErrors counts bad items past MaxItemErrors.
	MoreErrors int
}

func (r *ListResult) fail(line int, err error) {
	if len(r.Errors) < MaxItemErrors {
		r.Errors = append(r.Errors, ItemError{Line: line, Err: err})
	} else {
		r.MoreErrors++
	}
}

// csvColumns are the header names ParseCSV understands.
var csvColumns = map[string]string{
	"hash": "value", "value": "value", "signal": "value", "hash_digest": "value", "text": "value",
	"label": "label", "category": "label", "ideology": "label",
	"source": "source", "note": "note", "notes": "note",
	"id": "id", "enabled": "enabled", "type": "type", "signal_type": "type", "algorithm": "type",
	"disable_until_ts": "disable_until_ts", "metadata": "metadata",
}

// ParseCSV reads a list of hashes of type t, one per line, separated by
// comma (or tab when comma is '\t'). A header line naming the columns
// (hash/value, label, source, note, id, enabled, type) is optional; without
// one, columns are hash,label,source,note. Lines starting with '#' and
// blank lines are skipped. Rows whose type column names another type are
// counted as skipped. Bad rows are reported per line.
func ParseCSV(r io.Reader, comma rune, t SignalType) (*ListResult, error) {
	lr := &limitedReader{r: r, n: MaxListBytes}
	br := bufio.NewReaderSize(lr, 64<<10)
	cr := csv.NewReader(&recordLimiter{r: br})
	cr.Comma = comma
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	res := &ListResult{}
	cols := []string{"value", "label", "source", "note"}
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lr.n <= 0 {
				return res, fmt.Errorf("%w: over %d MiB", ErrTooLarge, MaxListBytes>>20)
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(err, errRecordTooLong) {
				res.fail(pe.Line, pe.Err)
				continue
			}
			if errors.Is(err, errRecordTooLong) {
				return res, fmt.Errorf("a record is longer than %d KiB: is this a hash list?", MaxRecordBytes>>10)
			}
			return res, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if first {
			first = false
			if h, ok := header(rec); ok {
				cols = h
				continue
			}
		}
		var e Entry
		e.Enabled = true
		skip := false
		for i, v := range rec {
			if i >= len(cols) {
				break
			}
			v = unescapeCell(strings.TrimSpace(v))
			switch cols[i] {
			case "value":
				e.Value = v
			case "label":
				e.Label = v
			case "source":
				e.Source = v
			case "note":
				e.Note = v
			case "id":
				e.ID = v
			case "disable_until_ts":
				n, err := strconv.ParseInt(v, 10, 64)
				if v != "" && (err != nil || n < 0) {
					res.fail(line, fmt.Errorf("disable_until_ts %q: want Unix seconds", v))
					skip = true
				}
				e.DisableUntil = n
			case "metadata":
				if v != "" && !json.Valid([]byte(v)) {
					res.fail(line, fmt.Errorf("metadata is not JSON"))
					skip = true
				}
				e.Metadata = v
			case "enabled":
				b, err := strconv.ParseBool(v)
				if v != "" && err != nil {
					res.fail(line, fmt.Errorf("enabled %q: want true or false", v))
					skip = true
				}
				e.Enabled = v == "" || b
			case "type":
				rt, err := ParseSignalType(v)
				if v != "" && (err != nil || rt != t) {
					res.Skipped++
					skip = true
				}
			}
		}
		if skip {
			continue
		}
		v, err := NormalizeValue(t, e.Value)
		if err != nil {
			res.fail(line, err)
			continue
		}
		e.Value = v
		res.Entries = append(res.Entries, e)
	}
	return res, nil
}

// header returns the column names of rec if it is a header line.
func header(rec []string) ([]string, bool) {
	cols := make([]string, len(rec))
	known := 0
	for i, v := range rec {
		if c, ok := csvColumns[strings.ToLower(strings.TrimSpace(v))]; ok {
			cols[i] = c
			known++
		}
	}
	return cols, known > 0
}

// WriteCSV writes entries with a header line, separated by comma (or tab).
// Text values are quoted as CSV needs, and a text cell a spreadsheet would
// run as a formula is prefixed with a quote (ParseCSV removes it).
func WriteCSV(w io.Writer, comma rune, entries []Entry) error {
	cw := csv.NewWriter(w)
	cw.Comma = comma
	// The HMA columns only when an entry has them, so other lists keep
	// their usual six columns.
	extra := false
	for _, e := range entries {
		if e.DisableUntil != 0 || e.Metadata != "" {
			extra = true
			break
		}
	}
	head := []string{"id", "hash", "label", "source", "note", "enabled"}
	if extra {
		head = append(head, "disable_until_ts", "metadata")
	}
	_ = cw.Write(head)
	for _, e := range entries {
		rec := []string{escapeCell(e.ID), e.Value, escapeCell(e.Label), escapeCell(e.Source), escapeCell(e.Note), strconv.FormatBool(e.Enabled)}
		if extra {
			until := ""
			if e.DisableUntil != 0 {
				until = strconv.FormatInt(e.DisableUntil, 10)
			}
			rec = append(rec, until, e.Metadata)
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// limitedReader reads at most n bytes and then reports n <= 0.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

var errRecordTooLong = errors.New("record too long")

// recordLimiter fails a read when a line runs past MaxRecordBytes, so a
// file without newlines cannot make the CSV reader buffer it whole.
type recordLimiter struct {
	r       *bufio.Reader
	lineLen int
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.lineLen = 0
		} else if l.lineLen++; l.lineLen > MaxRecordBytes {
			return 0, errRecordTooLong
		}
	}
	return n, err
}
