package claims

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Format is an input format for fact-checks.
type Format string

// The formats Decode reads.
const (
	// JSON is one JSON document: a ClaimReview object, an array of them, or
	// a JSON-LD document with an @graph. Flat objects (see JSONL) are
	// accepted too.
	JSON Format = "json"
	// JSONL is one object per line: a ClaimReview object or a flat record
	// {"id","text","title","rating","correction","url","publisher","lang","date"}
	// (CheckThat! names vclaim_id, vclaim, truth_label are understood).
	JSONL Format = "jsonl"
	// CSV and TSV have a header row with the flat record's names.
	CSV Format = "csv"
	TSV Format = "tsv"
)

// Default size limits of Decode.
const (
	DefaultMaxBytes     = 256 << 20 // a whole file
	DefaultMaxJSONBytes = 64 << 20  // one JSON document (format json)
	DefaultMaxLineBytes = 1 << 20   // one JSONL line or CSV record
	DefaultMaxTextBytes = 64 << 10  // one field (claim, correction, title)
)

// Options tune Decode. Zero values mean the defaults above.
type Options struct {
	MaxBytes     int64
	MaxJSONBytes int64
	MaxLineBytes int
	MaxTextBytes int
}

func (o *Options) fill() {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxJSONBytes <= 0 {
		o.MaxJSONBytes = DefaultMaxJSONBytes
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = DefaultMaxTextBytes
	}
}

// ItemError reports one fact-check that could not be read, or, with Kept
// set, a part of one that was imported without it (a date Basira cannot
// read, which stays in Extra as given). Item is the line (JSONL), record
// (CSV/TSV, counting the header as 1) or, for a JSON document, the position
// among its ClaimReview (or untyped) objects, from 1. The other items are
// still returned.
type ItemError struct {
	Item int
	Kind string // "line", "record" or "item"
	Err  error
	Kept bool
}

func (e *ItemError) Error() string {
	if e.Kept {
		return fmt.Sprintf("%s %d: imported, but %v", e.Kind, e.Item, e.Err)
	}
	return fmt.Sprintf("%s %d: %v", e.Kind, e.Item, e.Err)
}
func (e *ItemError) Unwrap() error { return e.Err }

// Rejected counts the items of errs that were not imported (Kept unset).
func Rejected(errs []*ItemError) int {
	n := 0
	for _, e := range errs {
		if !e.Kept {
			n++
		}
	}
	return n
}

func appendWarnings(errs []*ItemError, item int, kind string, warns []string) []*ItemError {
	for _, w := range warns {
		errs = append(errs, &ItemError{Item: item, Kind: kind, Err: errors.New(w), Kept: true})
	}
	return errs
}

// ErrTooLarge is wrapped by errors about input over a size limit.
var ErrTooLarge = errors.New("over the size limit")

// SniffFormat guesses the format from the file name, or from the first
// bytes of the content when the name says nothing.
func SniffFormat(name string, head []byte) Format {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".csv"):
		return CSV
	case strings.HasSuffix(lower, ".tsv"), strings.HasSuffix(lower, ".txt"):
		return TSV
	case strings.HasSuffix(lower, ".jsonl"), strings.HasSuffix(lower, ".ndjson"):
		return JSONL
	case strings.HasSuffix(lower, ".json"), strings.HasSuffix(lower, ".jsonld"):
		return JSON
	}
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch {
	case len(head) == 0:
		return JSONL
	case head[0] == '[':
		return JSON
	case head[0] == '{':
		// One object per line, or one document spread over lines.
		if i := bytes.IndexByte(head, '\n'); i > 0 && json.Valid(bytes.TrimSpace(head[:i])) {
			return JSONL
		}
		return JSON
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.Count(head, []byte{'\t'}) >= bytes.Count(head, []byte{','}) {
		return TSV
	}
	return CSV
}

// Decode reads fact-checks in format f. Items that cannot be read are
// returned as ItemErrors while the rest are kept; err is set only when the
// input as a whole cannot be read (I/O error, over MaxBytes, JSON that does
// not parse). Claims without an ID get one from DeriveID.
func Decode(r io.Reader, f Format, opts Options) (cs []Claim, itemErrs []*ItemError, err error) {
	opts.fill()
	lr := &limitReader{r: r, n: opts.MaxBytes}
	switch f {
	case JSON:
		cs, itemErrs, err = decodeJSON(lr, opts)
	case JSONL:
		cs, itemErrs, err = decodeJSONL(lr, opts)
	case CSV:
		cs, itemErrs, err = decodeCSV(lr, ',', opts)
	case TSV:
		cs, itemErrs, err = decodeCSV(lr, '\t', opts)
	default:
		return nil, nil, fmt.Errorf("unknown fact-check format %q: use json, jsonl, csv or tsv", f)
	}
	if lr.over {
		return cs, itemErrs, fmt.Errorf("input %w of %d bytes: split the file", ErrTooLarge, opts.MaxBytes)
	}
	return cs, itemErrs, err
}

// limitReader fails once more than n bytes were read, so an over-long file
// is an error rather than a silent truncation.
type limitReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		l.over = true
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	if l.n < 0 {
		l.over = true
		return k, ErrTooLarge
	}
	return k, err
}

func decodeJSON(r io.Reader, opts Options) ([]Claim, []*ItemError, error) {
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxJSONBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > opts.MaxJSONBytes {
		return nil, nil, fmt.Errorf("JSON document %w of %d bytes: split it, or write one object per line (jsonl)", ErrTooLarge, opts.MaxJSONBytes)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("not a JSON document (%v); for one object per line use the jsonl format", err)
	}
	var objs []map[string]any
	collectObjects(v, &objs, 0, true)
	if len(objs) == 0 {
		return nil, nil, errors.New("the JSON document holds no ClaimReview or claim object")
	}
	var cs []Claim
	var errs []*ItemError
	for i, o := range objs {
		c, warns, err := fromObject(o, opts)
		errs = appendWarnings(errs, i+1, "item", warns)
		if err != nil {
			errs = append(errs, &ItemError{Item: i + 1, Kind: "item", Err: err})
			continue
		}
		cs = append(cs, c)
	}
	return cs, errs, nil
}

func decodeJSONL(r io.Reader, opts Options) ([]Claim, []*ItemError, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var cs []Claim
	var errs []*ItemError
	for line := 1; ; line++ {
		b, tooLong, err := readLine(br, opts.MaxLineBytes)
		if err != nil && !errors.Is(err, io.EOF) {
			return cs, errs, err
		}
		if len(b) == 0 && errors.Is(err, io.EOF) && !tooLong {
			return cs, errs, nil
		}
		switch {
		case tooLong:
			errs = append(errs, &ItemError{Item: line, Kind: "line", Err: fmt.Errorf("line %w of %d bytes", ErrTooLarge, opts.MaxLineBytes)})
		case len(bytes.TrimSpace(b)) == 0:
		default:
			var v any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if derr := dec.Decode(&v); derr != nil {
				errs = append(errs, &ItemError{Item: line, Kind: "line", Err: fmt.Errorf("not a JSON object: %v", derr)})
				break
			}
			o, ok := v.(map[string]any)
			if !ok {
				errs = append(errs, &ItemError{Item: line, Kind: "line", Err: errors.New("not a JSON object: write one {…} per line")})
				break
			}
			c, warns, cerr := fromObject(o, opts)
			errs = appendWarnings(errs, line, "line", warns)
			if cerr != nil {
				errs = append(errs, &ItemError{Item: line, Kind: "line", Err: cerr})
				break
			}
			cs = append(cs, c)
		}
		if errors.Is(err, io.EOF) {
			return cs, errs, nil
		}
	}
}

// readLine returns the next line without its newline. A line longer than
// max is consumed and reported with tooLong set.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, e := br.ReadLine()
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if e != nil {
			return line, tooLong, e
		}
		if !isPrefix {
			return line, tooLong, nil
		}
	}
}

func decodeCSV(r io.Reader, comma rune, opts Options) ([]Claim, []*ItemError, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.Comma = comma
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("reading the header row: %w", err)
	}
	cols := make([]string, len(head))
	known := 0
	for i, h := range head {
		cols[i] = canonicalField(strings.TrimPrefix(h, "\ufeff"))
		if cols[i] != "" {
			known++
		}
	}
	if !containsString(cols, "text") {
		return nil, nil, fmt.Errorf("the header row %q names no claim text column: name one text, claim, vclaim or claimReviewed", strings.Join(head, string(comma)))
	}
	var cs []Claim
	var errs []*ItemError
	for rec := 2; ; rec++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return cs, errs, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, &ItemError{Item: rec, Kind: "record", Err: err})
				continue
			}
			return cs, errs, err
		}
		size := 0
		for _, f := range row {
			size += len(f)
		}
		if size > opts.MaxLineBytes {
			errs = append(errs, &ItemError{Item: rec, Kind: "record", Err: fmt.Errorf("record %w of %d bytes", ErrTooLarge, opts.MaxLineBytes)})
			continue
		}
		o := make(map[string]any, len(row))
		for i, f := range row {
			if i < len(cols) && cols[i] != "" && f != "" {
				o[cols[i]] = f
			}
		}
		c, warns, cerr := fromObject(o, opts)
		errs = appendWarnings(errs, rec, "record", warns)
		if cerr != nil {
			errs = append(errs, &ItemError{Item: rec, Kind: "record", Err: cerr})
			continue
		}
		cs = append(cs, c)
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// fieldNames maps lower-cased outside names onto the flat record's names.
var fieldNames = map[string]string{
	"id": "id", "claim_id": "id", "vclaim_id": "id", "identifier": "id",
	"text": "text", "claim": "text", "vclaim": "text", "claimreviewed": "text", "claim_text": "text",
	"title": "title", "headline": "title", "subtitle": "subtitle",
	"rating": "rating", "verdict": "rating", "truth_label": "rating", "textualrating": "rating",
	"correction": "correction", "what_is_true": "correction", "whatistrue": "correction", "reviewbody": "correction", "explanation": "correction",
	"url": "url", "review_url": "url",
	"publisher": "publisher", "author": "publisher", "source": "publisher",
	"lang": "lang", "language": "lang", "inlanguage": "lang",
	"date": "date", "published": "date", "datepublished": "date", "date_published": "date",
}

func canonicalField(name string) string {
	return fieldNames[strings.ToLower(strings.TrimSpace(name))]
}

// fromObject reads a ClaimReview object or a flat record. warns are the
// parts it kept without reading (a date in an unknown layout).
func fromObject(o map[string]any, opts Options) (c Claim, warns []string, err error) {
	warn := func(s string) { warns = append(warns, s) }
	if _, ok := o["@type"]; ok || o["claimReviewed"] != nil || o["reviewRating"] != nil {
		c = fromClaimReview(o, warn)
	} else {
		c = fromFlat(o, warn)
	}
	c.Text = strings.TrimSpace(c.Text)
	if c.Text == "" && c.Title != "" {
		// Some publishers only headline the claim.
		c.Text, c.Title = c.Title, ""
	}
	if c.Text == "" {
		return c, warns, errors.New("no claim text: give claimReviewed (ClaimReview) or text/claim/vclaim, or at least a title")
	}
	for name, f := range map[string]*string{"claim text": &c.Text, "title": &c.Title, "correction": &c.Correction, "url": &c.URL, "publisher": &c.Publisher, "rating": &c.RatingText, "id": &c.ID} {
		if len(*f) > opts.MaxTextBytes {
			return c, warns, fmt.Errorf("%s %w of %d bytes", name, ErrTooLarge, opts.MaxTextBytes)
		}
		if !utf8.ValidString(*f) {
			*f = strings.ToValidUTF8(*f, "\uFFFD")
		}
	}
	if c.Rating == "" {
		c.Rating = NormalizeRating(c.RatingText)
	}
	if c.ID == "" {
		c.ID = DeriveID(&c)
	}
	if c.Authors != nil || c.Item != nil || c.Review != nil || c.Extra != nil {
		// Everything else a review carries counts against the record limit.
		b, merr := json.Marshal(&c)
		if merr != nil {
			return c, warns, merr
		}
		if len(b) > opts.MaxLineBytes {
			return c, warns, fmt.Errorf("fact-check %w of %d bytes with its authors, item reviewed and other properties", ErrTooLarge, opts.MaxLineBytes)
		}
	}
	return c, warns, nil
}

// basiraFields are the structured fields of Basira's own records (claims
// list --format jsonl), read back as they were written.
var basiraFields = map[string]func(c *Claim) any{
	"authors":       func(c *Claim) any { return &c.Authors },
	"item_reviewed": func(c *Claim) any { return &c.Item },
	"review_rating": func(c *Claim) any { return &c.Review },
	"extra":         func(c *Claim) any { return &c.Extra },
}

func fromFlat(o map[string]any, warn func(string)) Claim {
	var c Claim
	var subtitle, rating string
	for k, v := range o {
		s := scalarString(v)
		if strings.EqualFold(k, "rating_text") {
			// Basira's own records: the publisher's words win over the
			// normalized rating stored beside them.
			c.RatingText = s
			continue
		}
		if field, ok := basiraFields[k]; ok {
			b, _ := json.Marshal(v)
			if err := json.Unmarshal(b, field(&c)); err != nil {
				warn(fmt.Sprintf("%s is not Basira's %s record: left out (%v)", k, k, err))
			}
			continue
		}
		switch canonicalField(k) {
		case "id":
			c.ID = s
		case "text":
			c.Text = s
		case "title":
			c.Title = s
		case "subtitle":
			subtitle = s
		case "rating":
			rating = s
		case "correction":
			c.Correction = s
		case "url":
			c.URL = s
		case "publisher":
			c.Publisher = nameOf(v)
		case "lang":
			c.Lang = nameOf(v)
		case "date":
			if c.Published = ParseDate(s); c.Published == nil && s != "" {
				warn(fmt.Sprintf("%s %q is not a date Basira reads: imported without a date", k, clip(s, 40)))
			}
		}
	}
	if c.RatingText == "" {
		c.RatingText = rating
	}
	if subtitle != "" {
		if c.Title != "" {
			c.Title += " — " + subtitle
		} else {
			c.Title = subtitle
		}
	}
	return c
}

func number(v any) (float64, bool) {
	s := scalarString(v)
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func firstString(o map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := scalarString(o[k]); s != "" {
			return s
		}
	}
	return ""
}

// scalarString renders a JSON scalar as text; objects and arrays give "".
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// nameOf reads a name from a string, a {"name": …} object, or the first of
// an array of either.
func nameOf(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return firstString(x, "name", "alternateName", "@id", "url")
	case []any:
		for _, e := range x {
			if s := nameOf(e); s != "" {
				return s
			}
		}
		return ""
	}
	return scalarString(v)
}

// dateLayouts are tried in order. Offsets are kept as written: "+0200",
// "+02:00", "+02" and "Z"; seconds and fractions may be left out.
var dateLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07",
	"2006-01-02T15:04Z07:00", "2006-01-02T15:04Z0700", "2006-01-02T15:04Z07",
	"2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05Z0700", "2006-01-02 15:04:05 Z0700", "2006-01-02 15:04:05",
	"2006-01-02 15:04Z07:00", "2006-01-02 15:04",
	"2006-01-02", time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700",
	"2 January 2006", "January 2, 2006", "2 Jan 2006", "Jan 2, 2006", "02/01/2006", "2006/01/02",
}

// ParseDate reads a date in the common layouts (ISO 8601 with any offset,
// with or without seconds; RFC 1123; "26 May 2015"; "May 26, 2015";
// DD/MM/YYYY) and returns nil when it cannot. The time keeps the offset
// it was written with; one without an offset is UTC.
func ParseDate(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return &t
		}
	}
	return nil
}
