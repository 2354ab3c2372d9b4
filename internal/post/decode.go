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
	"unsafe"
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
	// lineBuf gathers a line longer than the reader's buffer.
	lineBuf []byte

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
	r, err := d.NextRaw()
	if err != nil {
		return nil, err
	}
	return d.Decode(r)
}

// Raw is one record read by NextRaw and not decoded yet (a JSONL line), or
// already decoded (CSV, whose records are read and decoded together).
type Raw struct {
	line int
	data string // the JSONL line
	p    *Post
	err  error // a *LineError
}

// NextRaw reads the next record without decoding it, so that Decode can
// run on other goroutines while reading goes on in order. At the end of
// input it returns io.EOF; any error it returns is fatal, as for Next.
func (d *Decoder) NextRaw() (Raw, error) {
	if d.csv != nil {
		p, err := d.nextCSV()
		var le *LineError
		if errors.As(err, &le) {
			return Raw{line: le.Line, err: err}, nil
		}
		if err != nil {
			return Raw{}, err
		}
		return Raw{line: p.Line, p: p}, nil
	}
	for {
		line, tooLong, err := d.readLine()
		if err != nil {
			return Raw{}, err
		}
		d.line++
		if tooLong {
			return Raw{line: d.line, err: &LineError{d.line, fmt.Errorf("line is longer than %d bytes: %w", d.opts.MaxLineBytes, ErrTooLong)}}, nil
		}
		line = bytes.TrimSpace(line)
		if d.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if len(line) == 0 {
			continue
		}
		// One copy of the line, as a string: the post's strings are slices
		// of it.
		return Raw{line: d.line, data: string(line)}, nil
	}
}

// Decode decodes a record read by NextRaw: the post, or a *LineError. It
// is safe to call from several goroutines at once.
func (d *Decoder) Decode(r Raw) (*Post, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.p != nil {
		return r.p, nil
	}
	if r.data == "" { // a zero Raw, not one NextRaw returned
		return nil, &LineError{r.line, errors.New("no record")}
	}
	// A read-only view of the string's bytes: nothing writes through it
	// (the scanner and encoding/json only read, unknown members are copied).
	p, err := d.decodeJSON(unsafe.Slice(unsafe.StringData(r.data), len(r.data)), r.data)
	if err != nil {
		return nil, &LineError{r.line, err}
	}
	p.Line = r.line
	return p, nil
}

// readLine reads one line without its newline, discarding the rest of a
// line over the limit so a single bad line cannot exhaust memory. The
// line may be a slice of the reader's buffer: it is valid until the next
// read.
func (d *Decoder) readLine() (line []byte, tooLong bool, err error) {
	chunk, err := d.br.ReadSlice('\n')
	if err == nil && len(chunk) <= d.opts.MaxLineBytes+2 {
		return chunk, false, nil // the whole line was in the buffer
	}
	buf := d.lineBuf[:0]
	defer func() { d.lineBuf = buf[:0] }()
	for {
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
			chunk, err = d.br.ReadSlice('\n')
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

// Known members of a JSONL post, in the order they are read: when several
// are wrong, the message names the first of them in this order.
const (
	fID = iota
	fAuthor
	fPlatform
	fURL
	fLang
	fText
	fPostedAt
	fMedia
	nKnown
)

// knownFields are the CSV columns read into a Post's fields.
var knownFields = map[string]bool{
	"id": true, "platform": true, "url": true, "author": true, "text": true,
	"lang": true, "posted_at": true, "media": true,
}

func knownField(key []byte) int {
	switch string(key) {
	case "id":
		return fID
	case "author":
		return fAuthor
	case "platform":
		return fPlatform
	case "url":
		return fURL
	case "lang":
		return fLang
	case "text":
		return fText
	case "posted_at":
		return fPostedAt
	case "media":
		return fMedia
	}
	return -1
}

// postAndTime allocates a post and its posted_at time together.
type postAndTime struct {
	p Post
	t time.Time
}

// decodeJSON splits the line into its top-level members in one pass (a
// hand-written scanner; encoding/json only for lines it does not handle,
// see splitObject), then reads the known ones from their raw bytes:
// unknown members are kept as they came. Strings without escapes are
// slices of one copy of the line, so a post costs a few allocations
// whatever its number of fields. It is safe to call from several
// goroutines on different lines.
func (d *Decoder) decodeJSON(line []byte, src string) (*Post, error) {
	if line[0] != '{' {
		return nil, errors.New("not a JSON object (each line must be one post as {\"id\":…, \"text\":…})")
	}
	msp := memberPool.Get().(*[]member)
	defer func() {
		clear(*msp)
		memberPool.Put(msp)
	}()
	ms, ok := splitObject(line, (*msp)[:0])
	if !ok {
		// The members are copies made by encoding/json: src does not hold
		// them.
		src = ""
		var err error
		if ms, err = splitWithJSON(line, ms[:0]); err != nil {
			*msp = ms
			return nil, describeJSONError(err)
		}
	}
	*msp = ms
	var known [nKnown][]byte
	var extra map[string]json.RawMessage
	for _, m := range ms {
		if f := knownField(m.key); f >= 0 {
			known[f] = m.val
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage, len(ms)-1)
		}
		extra[string(m.key)] = m.val
	}
	str := strSource{line: line, src: src}
	pt := &postAndTime{}
	p := &pt.p
	var author string
	var err error
	for f, v := range known {
		if v == nil {
			continue
		}
		switch f {
		case fID:
			p.ID, err = scalarString("id", v, str)
		case fAuthor:
			author, err = scalarString("author", v, str)
		case fPlatform:
			p.Platform, err = stringField("platform", v, str)
		case fURL:
			p.URL, err = stringField("url", v, str)
		case fLang:
			p.Lang, err = stringField("lang", v, str)
		case fText:
			if string(v) == "null" {
				return nil, errors.New(`field "text" must be a string, not null`)
			}
			p.Text, err = stringField("text", v, str)
		case fPostedAt:
			if string(v) != "null" {
				var ts string
				if ts, err = scalarString("posted_at", v, str); err == nil {
					if pt.t, err = ParseTime(ts); err != nil {
						err = fmt.Errorf("field \"posted_at\": %w", err)
					} else {
						p.PostedAt = &pt.t
					}
				}
			}
		case fMedia:
			if string(v) != "null" {
				if err = json.Unmarshal(v, &p.Media); err != nil {
					err = fmt.Errorf(`field "media" must be a list of {"url"} or {"path"} objects: %v`, describeJSONError(err))
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if known[fText] == nil {
		return nil, errors.New(`missing field "text"`)
	}
	if extra != nil {
		// The values are slices of the decoder's line: copy them out, all
		// in one allocation.
		n := 0
		for _, v := range extra {
			n += len(v)
		}
		buf := make([]byte, 0, n)
		for k, v := range extra {
			s := len(buf)
			buf = append(buf, v...)
			extra[k] = buf[s:len(buf):len(buf)]
		}
		p.Extra = extra
	}
	return p, d.finish(p, author)
}

// strSource turns raw string members of line into Go strings: a member
// without escapes is a slice of src (one string for the whole line) when
// there is one, a copy otherwise.
type strSource struct {
	line []byte
	src  string
}

func (s strSource) get(raw []byte) string {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') >= 0 {
		return unquote(raw)
	}
	if s.src != "" && cap(inner) <= cap(s.line) {
		// inner is a slice of line: its offset is the difference of caps.
		off := cap(s.line) - cap(inner)
		return s.src[off : off+len(inner)]
	}
	return string(inner)
}

// stringField reads a JSON string member with str; null reads as "".
func stringField(field string, raw []byte, str strSource) (string, error) {
	if string(raw) == "null" {
		return "", nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("field %q must be string, not %s", field, truncate(string(raw), 40))
	}
	return str.get(raw), nil
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

func scalarString(field string, raw []byte, str strSource) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		return stringField(field, raw, str)
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
