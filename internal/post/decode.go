package post

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Format is an input format for posts.
type Format string

// The input formats Basira decodes.
const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
	TSV   Format = "tsv"
)

// Default size limits. A line or text over the limit is rejected with a
// message naming the limit; the decoder then goes on with the next line.
const (
	DefaultMaxLineBytes = 1 << 20  // 1 MiB per JSONL line or CSV record
	DefaultMaxTextBytes = 64 << 10 // 64 KiB of post text
	maxMedia            = 64
)

// Options tune a Decoder.
type Options struct {
	MaxLineBytes int // 0 means DefaultMaxLineBytes
	MaxTextBytes int // 0 means DefaultMaxTextBytes
	// Pseudonymizer replaces author handles; nil leaves Author empty, so a
	// handle is never passed on in clear.
	Pseudonymizer *Pseudonymizer
	// Source is recorded on every post.
	Source string
	// NoLocalPaths refuses a post whose media name a local "path": posts
	// pushed over the API can never make the server read its own files.
	NoLocalPaths bool
}

// LineError reports one input line that could not be decoded. The decoder
// stays usable: call Next again for the following line.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrTooLong is wrapped by a LineError for an over-long line or text.
var ErrTooLong = errors.New("over the size limit")

// Decoder reads posts one by one from JSONL, CSV or TSV input.
type Decoder struct {
	format Format
	opts   Options
	br     *bufio.Reader
	line   int

	csv    *csv.Reader
	header map[string]int
	ncols  int
}

// SniffFormat guesses the format from a file name, or from the first byte
// of the input when the name says nothing (stdin): '{' means JSONL.
func SniffFormat(name string, br *bufio.Reader) Format {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".csv"):
		return CSV
	case strings.HasSuffix(lower, ".tsv"):
		return TSV
	case strings.HasSuffix(lower, ".jsonl"), strings.HasSuffix(lower, ".ndjson"), strings.HasSuffix(lower, ".json"):
		return JSONL
	}
	for i := 1; i <= 64; i++ {
		b, err := br.Peek(i)
		if err != nil || len(b) < i {
			return JSONL
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF: // whitespace or BOM
			continue
		case '{':
			return JSONL
		default:
			return CSV
		}
	}
	return JSONL
}

// NewDecoder returns a decoder of posts in format read from r. For CSV and
// TSV the first record is the header naming the columns.
func NewDecoder(r io.Reader, format Format, opts Options) *Decoder {
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultMaxLineBytes
	}
	if opts.MaxTextBytes <= 0 {
		opts.MaxTextBytes = DefaultMaxTextBytes
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	d := &Decoder{format: format, opts: opts, br: br}
	if format == CSV || format == TSV {
		d.csv = csv.NewReader(&limitedLineReader{br: br, max: opts.MaxLineBytes})
		if format == TSV {
			d.csv.Comma = '\t'
			d.csv.LazyQuotes = true
		}
		d.csv.FieldsPerRecord = -1
		d.csv.ReuseRecord = true
	}
	return d
}

// Next returns the next post. At the end of input it returns io.EOF. A
// *LineError means one line was rejected and decoding can go on; any other
// error is fatal (the input could not be read).
func (d *Decoder) Next() (*Post, error) {
	if d.csv != nil {
		return d.nextCSV()
	}
	return d.nextJSONL()
}

func (d *Decoder) nextJSONL() (*Post, error) {
	for {
		line, tooLong, err := d.readLine()
		if err != nil {
			return nil, err
		}
		d.line++
		if tooLong {
			return nil, &LineError{d.line, fmt.Errorf("line is longer than %d bytes: %w", d.opts.MaxLineBytes, ErrTooLong)}
		}
		line = bytes.TrimSpace(line)
		if d.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if len(line) == 0 {
			continue
		}
		p, err := d.decodeJSON(line)
		if err != nil {
			return nil, &LineError{d.line, err}
		}
		p.Line = d.line
		return p, nil
	}
}

// readLine reads one line without its newline, discarding the rest of a
// line over the limit so a single bad line cannot exhaust memory.
func (d *Decoder) readLine() (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := d.br.ReadSlice('\n')
		if len(buf)+len(chunk) > d.opts.MaxLineBytes+2 {
			tooLong = true
			buf = buf[:0]
		} else {
			buf = append(buf, chunk...)
		}
		switch {
		case err == nil:
			return buf, tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return buf, tooLong, nil
		default:
			return nil, false, err
		}
	}
}

var knownFields = map[string]bool{
	"id": true, "platform": true, "url": true, "author": true, "text": true,
	"lang": true, "posted_at": true, "media": true,
}

// decodeJSON parses the line once into its top-level members, then reads
// the known ones from their raw values: unknown members are kept as they
// came, without a second parse of the whole line.
func (d *Decoder) decodeJSON(line []byte) (*Post, error) {
	if line[0] != '{' {
		return nil, errors.New("not a JSON object (each line must be one post as {\"id\":…, \"text\":…})")
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(line, &all); err != nil {
		return nil, describeJSONError(err)
	}
	p := &Post{}
	var author string
	var err error
	for k, v := range all {
		switch k {
		case "id":
			p.ID, err = scalarString(k, v)
		case "author":
			author, err = scalarString(k, v)
		case "platform":
			p.Platform, err = stringField(k, v)
		case "url":
			p.URL, err = stringField(k, v)
		case "lang":
			p.Lang, err = stringField(k, v)
		case "text":
			if string(v) == "null" {
				return nil, errors.New(`field "text" must be a string, not null`)
			}
			p.Text, err = stringField(k, v)
		case "posted_at":
			if string(v) != "null" {
				var ts string
				if ts, err = scalarString(k, v); err == nil {
					var t time.Time
					if t, err = ParseTime(ts); err != nil {
						err = fmt.Errorf("field \"posted_at\": %w", err)
					} else {
						p.PostedAt = &t
					}
				}
			}
		case "media":
			if string(v) != "null" {
				if err = json.Unmarshal(v, &p.Media); err != nil {
					err = fmt.Errorf(`field "media" must be a list of {"url"} or {"path"} objects: %v`, describeJSONError(err))
				}
			}
		default:
			if p.Extra == nil {
				p.Extra = map[string]json.RawMessage{}
			}
			p.Extra[k] = v
		}
		if err != nil {
			return nil, err
		}
	}
	if _, ok := all["text"]; !ok {
		return nil, errors.New(`missing field "text"`)
	}
	return p, d.finish(p, author)
}

// stringField reads a JSON string member; null reads as "".
func stringField(field string, raw json.RawMessage) (string, error) {
	if string(raw) == "null" {
		return "", nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("field %q must be string, not %s", field, truncate(string(raw), 40))
	}
	// Fast path: no escapes, the bytes are the string.
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("field %q: %v", field, err)
	}
	return s, nil
}

// finish validates a decoded post and pseudonymises its author.
func (d *Decoder) finish(p *Post, author string) error {
	for i, m := range p.Media {
		if m.URL == "" && m.Path == "" {
			return fmt.Errorf("post %q: media[%d] has neither \"url\" nor \"path\"", clip(p.ID), i)
		}
		if m.Path != "" && d.opts.NoLocalPaths {
			return fmt.Errorf("post %q: media[%d] names a local \"path\": posts sent here may only give media URLs", clip(p.ID), i)
		}
	}
	if d.opts.Pseudonymizer != nil {
		p.Author = d.opts.Pseudonymizer.Pseudonym(p.Platform, author)
	}
	if len(p.Extra) > 0 {
		pseudonymiseExtra(d.opts.Pseudonymizer, p.Platform, p.Extra)
	}
	p.Source = d.opts.Source
	return Validate(p, d.opts.MaxTextBytes)
}

func scalarString(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		return stringField(field, raw)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), nil
	}
	return "", fmt.Errorf("field %q must be a string or a number, not %s", field, truncate(string(raw), 40))
}

func describeJSONError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at byte %d: %v", syn.Offset, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("field %q must be %s, not a JSON %s", typ.Field, typ.Type, typ.Value)
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// ParseTime accepts RFC 3339 (with or without a zone), "2006-01-02 15:04:05",
// a date, or Unix seconds.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		if n > 1e12 { // milliseconds
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot read time %q (use RFC 3339, e.g. 2026-01-02T15:04:05Z, or Unix seconds)", truncate(s, 40))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (d *Decoder) nextCSV() (*Post, error) {
	if d.header == nil {
		rec, err := d.csv.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("reading the CSV header: %w", err)
		}
		d.header = map[string]int{}
		for i, name := range rec {
			name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\xEF\xBB\xBF")))
			d.header[name] = i
		}
		d.ncols = len(rec)
		for _, need := range []string{"id", "text"} {
			if _, ok := d.header[need]; !ok {
				return nil, fmt.Errorf("CSV header has no %q column (it has: %s)", need, strings.Join(rec, ", "))
			}
		}
	}
	for {
		rec, err := d.csv.Read()
		line := 0
		if len(rec) > 0 {
			line, _ = d.csv.FieldPos(0)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &LineError{pe.StartLine, pe.Err}
			}
			// An over-long physical line leaves the CSV reader unsynchronised:
			// stop here rather than guess where the next record starts.
			return nil, fmt.Errorf("near line %d: %w", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		p, err := d.decodeRecord(rec)
		if err != nil {
			return nil, &LineError{line, err}
		}
		p.Line = line
		return p, nil
	}
}

func (d *Decoder) decodeRecord(rec []string) (*Post, error) {
	if len(rec) != d.ncols {
		return nil, fmt.Errorf("record has %d fields, the header has %d", len(rec), d.ncols)
	}
	get := func(name string) string {
		if i, ok := d.header[name]; ok {
			return rec[i]
		}
		return ""
	}
	p := &Post{ID: strings.TrimSpace(get("id")), Platform: get("platform"), URL: get("url"), Text: get("text"), Lang: get("lang")}
	if s := strings.TrimSpace(get("posted_at")); s != "" {
		t, err := ParseTime(s)
		if err != nil {
			return nil, fmt.Errorf("column posted_at: %w", err)
		}
		p.PostedAt = &t
	}
	// The media column holds JSON ([{"url":…}]) or whitespace-separated
	// URLs and paths.
	if s := strings.TrimSpace(get("media")); s != "" {
		if s[0] == '[' {
			if err := json.Unmarshal([]byte(s), &p.Media); err != nil {
				return nil, fmt.Errorf("column media: %v", err)
			}
		} else {
			for _, f := range strings.Fields(s) {
				if strings.Contains(f, "://") {
					p.Media = append(p.Media, Media{URL: f})
				} else {
					p.Media = append(p.Media, Media{Path: f})
				}
			}
		}
	}
	for name, i := range d.header {
		if !knownFields[name] && rec[i] != "" {
			if p.Extra == nil {
				p.Extra = map[string]json.RawMessage{}
			}
			b, _ := json.Marshal(rec[i])
			p.Extra[name] = b
		}
	}
	return p, d.finish(p, get("author"))
}

// limitedLineReader feeds the CSV reader while refusing physical lines
// over max bytes, so an unterminated quote cannot swallow the whole file
// into memory.
type limitedLineReader struct {
	br      *bufio.Reader
	max     int
	lineLen int
}

func (l *limitedLineReader) Read(p []byte) (int, error) {
	n, err := l.br.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.lineLen = 0
			continue
		}
		l.lineLen++
		if l.lineLen > l.max {
			return 0, fmt.Errorf("a line is longer than %d bytes: %w", l.max, ErrTooLong)
		}
	}
	return n, err
}
