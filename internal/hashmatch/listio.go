package hashmatch

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/basira-org/basira/pdq"
)

// ListFormat picks a hash-list format: csv, tsv or tat (Tech Against
// Terrorism JSON). An empty format is taken from the file name (.json is
// tat, .tsv and .tab tsv, anything else csv).
func ListFormat(format, path string) (string, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json":
			return "tat", nil
		case ".tsv", ".tab":
			return "tsv", nil
		default:
			return "csv", nil
		}
	}
	switch format {
	case "csv", "tsv", "tat":
		return format, nil
	}
	return "", fmt.Errorf("--format must be csv, tsv or tat, not %q", format)
}

// ParseList reads a hash list in format (see ListFormat) for a bank of
// type t.
func ParseList(r io.Reader, format string, t SignalType) (*ListResult, error) {
	switch format {
	case "tat":
		return ParseTAT(r, t)
	case "tsv":
		return ParseCSV(r, '\t', t)
	default:
		return ParseCSV(r, ',', t)
	}
}

// WriteList writes a bank's entries in format (see ListFormat).
func WriteList(w io.Writer, format string, b *Bank) error {
	switch format {
	case "tat":
		return WriteTAT(w, b.Info().Type, b.Entries())
	case "tsv":
		return WriteCSV(w, '\t', b.Entries())
	default:
		return WriteCSV(w, ',', b.Entries())
	}
}

// ImportCounts says what an import did to a bank.
type ImportCounts struct {
	Added, Updated, Present, Removed int
	// Errors are entries the bank refused.
	Errors []error
}

// Import merges a parsed list into b: an entry without an id whose value
// is already in the bank is skipped (a list imported twice must not
// double the bank), an id already in the bank replaces that entry, empty
// labels, sources and notes take defaults', and the list's withdrawn ids
// are removed. The caller saves the bank.
func Import(b *Bank, res *ListResult, defaults Entry) ImportCounts {
	var c ImportCounts
	fresh := res.Entries[:0]
	for i := range res.Entries {
		e := &res.Entries[i]
		if e.ID == "" && b.Contains(e.Value) {
			c.Present++
			continue
		}
		fresh = append(fresh, *e)
		e = &fresh[len(fresh)-1]
		if e.Label == "" {
			e.Label = defaults.Label
		}
		if e.Source == "" {
			e.Source = defaults.Source
		}
		if e.Note == "" {
			e.Note = defaults.Note
		}
		if e.ID != "" {
			if _, ok := b.Entry(e.ID); ok {
				_ = b.Remove(e.ID)
				c.Updated++
			}
		}
	}
	c.Added, c.Errors = b.AddMany(fresh)
	c.Added -= c.Updated
	for _, id := range res.Deleted {
		if b.Remove(id) == nil {
			c.Removed++
		}
	}
	return c
}

// FileValue is the value a file adds to a bank of type t: its text, its
// PDQ hash (refused below pdq.MinQuality, too flat to match reliably) or
// its MD5 or SHA-256.
func FileValue(t SignalType, path string, h *pdq.Hasher) (string, error) {
	switch t {
	case Text:
		data, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		return string(data), nil
	case PDQ:
		r, err := h.HashFile(path)
		if err != nil {
			return "", err
		}
		if r.Quality < pdq.MinQuality {
			return "", fmt.Errorf("%s: PDQ quality %d is below %d: the picture is too flat to match reliably", path, r.Quality, pdq.MinQuality)
		}
		return r.Hash.String(), nil
	}
	fh, err := HashFile(path, nil)
	if err != nil {
		return "", err
	}
	switch t {
	case MD5, VideoMD5:
		return fh.MD5, nil
	case SHA512:
		return fh.SHA512, nil
	}
	return fh.SHA256, nil
}
