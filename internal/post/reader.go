package post

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// Reader reads the posts of one input file (or stdin for "-"), the one
// record reader of the commands that read posts (scan, ingest, rules test,
// claims trending): the size limits of Options apply, a line that cannot
// be read is passed to Report as "NAME: line N: reason" and counted, and
// reading goes on with the next line.
type Reader struct {
	dec  *Decoder
	file *os.File // nil for stdin
	// Prefix comes before messages: "NAME: " for a file, "" for stdin
	// (commands that must name stdin set it to "-: ").
	Prefix string
	// Report receives each rejected line's message; Rejected counts them.
	Report   func(msg string)
	Rejected int
}

// ErrFormat is returned for an input format no decoder reads.
var ErrFormat = errors.New("unknown input format")

// Open opens name (stdin for "-") for reading posts in format, or in the
// format its name and first bytes suggest when format is "".
func Open(name string, stdin io.Reader, format Format, opts Options, report func(string)) (*Reader, error) {
	switch format {
	case "", JSONL, CSV, TSV:
	default:
		return nil, fmt.Errorf("%w %q: want jsonl, csv or tsv", ErrFormat, string(format))
	}
	pr := &Reader{Report: report}
	r := stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		pr.file, r = file, file
		pr.Prefix = name + ": "
	}
	br := bufio.NewReaderSize(r, 256<<10)
	if format == "" {
		format = SniffFormat(name, br)
	}
	pr.dec = NewDecoder(br, format, opts)
	return pr, nil
}

// Next returns the next post, io.EOF at the end, or an error (prefixed
// with the file's name) that stops reading the file.
func (pr *Reader) Next() (*Post, error) {
	for {
		p, err := pr.dec.Next()
		var le *LineError
		if errors.As(err, &le) {
			pr.Reject(le)
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s%w", pr.Prefix, err)
		}
		return p, err
	}
}

// NextRaw reads the next record without decoding it (Decoder.NextRaw),
// for callers that decode on several goroutines (Decode): io.EOF at the
// end, or an error (prefixed with the file's name) that stops reading.
func (pr *Reader) NextRaw() (Raw, error) {
	r, err := pr.dec.NextRaw()
	if err != nil && !errors.Is(err, io.EOF) {
		return r, fmt.Errorf("%s%w", pr.Prefix, err)
	}
	return r, err
}

// Decode decodes a record NextRaw read (Decoder.Decode); a *LineError
// goes to Reject.
func (pr *Reader) Decode(r Raw) (*Post, error) { return pr.dec.Decode(r) }

// Reject reports and counts a line that could not be read, as Next does.
func (pr *Reader) Reject(le *LineError) {
	pr.Rejected++
	pr.Report(fmt.Sprintf("%s%v", pr.Prefix, le))
}

// Close closes the file (not stdin).
func (pr *Reader) Close() error {
	if pr.file != nil {
		return pr.file.Close()
	}
	return nil
}
