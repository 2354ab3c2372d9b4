package hashmatch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// ChangeOp is what a Change does to a bank.
type ChangeOp string

// The changes a journal records. Each is keyed by entry id, so replaying
// a change over a bank that already holds it changes nothing.
const (
	// ChangeAdd puts Entry in the bank, replacing an entry of the same id.
	ChangeAdd ChangeOp = "add"
	// ChangeRemove deletes entry ID if the bank holds it.
	ChangeRemove ChangeOp = "remove"
	// ChangeEnable turns entry ID on if the bank holds it.
	ChangeEnable ChangeOp = "enable"
	// ChangeDisable turns entry ID off if the bank holds it.
	ChangeDisable ChangeOp = "disable"
)

// Change is one change to a bank's entries, as a journal records it.
type Change struct {
	Op ChangeOp `json:"op"`
	// ID names the entry of a remove, enable or disable.
	ID string `json:"id,omitempty"`
	// Entry is the entry of an add, as the bank stored it (with its id
	// and normalized value).
	Entry *Entry `json:"entry,omitempty"`
}

// Appender is a Store that can record changes to a bank without writing
// the whole bank again. Callers that change a bank one entry at a time
// (the API) use it when the store has it, and Save otherwise.
type Appender interface {
	// Append durably records changes already made to b (in memory):
	// when it returns nil, a Load of the bank sees them. It may compact,
	// i.e. Save b whole, when the record has grown large.
	Append(ctx context.Context, b *Bank, changes ...Change) error
}

// journalHeader is the first line of every journal; its version changes
// if the line format ever does.
const journalHeader = "basira-bank-journal v1"

// maxJournalLine is the longest journal line ParseJournal accepts (1 MiB;
// a variable so that tests can lower it).
var maxJournalLine = 1 << 20

// Compaction thresholds: a bank's journal is folded into its CSV file
// when it is larger than a tenth of that file (and at least
// compactMinBytes), or than compactMaxBytes whatever the bank's size.
// (Variables so that tests can lower them.)
var (
	compactMinBytes int64 = 256 << 10
	compactMaxBytes int64 = 64 << 20
)

// Journal is a parsed journal.
type Journal struct {
	Changes []Change
	// Partial is set when the journal ends in a line without its newline:
	// a write cut short by a crash, never acknowledged, and ignored.
	Partial bool
	// Lines is the number of complete lines, header included.
	Lines int
}

// ParseJournal reads a journal: the header line, then one change a line
// as a JSON object. A last line without its newline is left out (Partial);
// any other bad line is an error naming its line number.
func ParseJournal(r io.Reader) (*Journal, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	j := &Journal{}
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if len(long)+len(chunk) > maxJournalLine {
				return nil, fmt.Errorf("line %d: longer than %d bytes (not a journal written by Basira?)", j.Lines+1, maxJournalLine)
			}
			long = append(long, chunk...)
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if len(line) > maxJournalLine {
			return nil, fmt.Errorf("line %d: longer than %d bytes (not a journal written by Basira?)", j.Lines+1, maxJournalLine)
		}
		if err == io.EOF {
			j.Partial = len(line) > 0
			return j, nil
		}
		if err != nil {
			return nil, err
		}
		j.Lines++
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if j.Lines == 1 {
			if string(line) != journalHeader {
				return nil, fmt.Errorf("line 1: %.40q is not the header %q (a journal of a newer Basira, or not a journal)", line, journalHeader)
			}
			continue
		}
		c, err := parseChange(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", j.Lines, err)
		}
		j.Changes = append(j.Changes, c)
	}
}

func parseChange(line []byte) (Change, error) {
	var c Change
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("not a change: %v", err)
	}
	if dec.More() {
		return c, errors.New("not a change: text after the JSON object")
	}
	switch c.Op {
	case ChangeAdd:
		if c.Entry == nil || c.Entry.ID == "" {
			return c, errors.New(`an "add" needs an "entry" with an "id"`)
		}
	case ChangeRemove, ChangeEnable, ChangeDisable:
		if c.ID == "" {
			return c, fmt.Errorf("a %q needs an \"id\"", c.Op)
		}
	default:
		return c, fmt.Errorf("unknown op %q (use add, remove, enable or disable)", c.Op)
	}
	return c, nil
}

// apply makes one change to b. Every change is idempotent: applying it to
// a bank that already reflects it leaves the bank as it was.
func (b *Bank) apply(c Change) error {
	switch c.Op {
	case ChangeAdd:
		if _, ok := b.Entry(c.Entry.ID); ok {
			if err := b.Remove(c.Entry.ID); err != nil {
				return err
			}
		}
		_, err := b.Add(*c.Entry)
		return err
	case ChangeRemove:
		if err := b.Remove(c.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	case ChangeEnable, ChangeDisable:
		if err := b.SetEnabled(c.ID, c.Op == ChangeEnable); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// replayJournal applies the journal at path, if any, to b.
func replayJournal(path string, b *Bank) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	j, err := ParseJournal(f)
	if err != nil {
		return fmt.Errorf("%s: %w (the bank's changes since its CSV file was last written; move the file aside to load the bank without them)", path, err)
	}
	if j.Partial {
		slog.Warn("bank journal ends in a partial line, left out (a write cut short, never acknowledged)", "file", path, "line", j.Lines+1)
	}
	// Runs of adds of new ids go in with one AddMany, which indexes PDQ
	// hashes in one pass (a journal is mostly adds).
	var batch []Entry
	ids := map[string]bool{}
	first := 0 // index of the batch's first change
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, errs := b.AddMany(batch); len(errs) > 0 {
			return fmt.Errorf("%s: after line %d: %w", path, first+2, errs[0])
		}
		batch, ids = batch[:0], map[string]bool{}
		return nil
	}
	for i, c := range j.Changes {
		if c.Op == ChangeAdd && !ids[c.Entry.ID] {
			if _, held := b.Entry(c.Entry.ID); !held {
				if len(batch) == 0 {
					first = i
				}
				batch = append(batch, *c.Entry)
				ids[c.Entry.ID] = true
				continue
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if err := b.apply(c); err != nil {
			return fmt.Errorf("%s: line %d: %w", path, i+2, err)
		}
	}
	return flush()
}

// Append implements Appender: the changes go to NAME.journal beside the
// bank's files, one line each, synced to disk before it returns. A bank
// that has no files yet, or a change longer than maxJournalLine, is saved
// whole instead.
func (s *DirStore) Append(ctx context.Context, b *Bank, changes ...Change) error {
	if len(changes) == 0 {
		return nil
	}
	name := b.Info().Name
	ip, ep, err := s.paths(name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tooLong := false
	for _, c := range changes {
		line, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := parseChange(line); err != nil {
			return fmt.Errorf("bank %s: %w", name, err)
		}
		tooLong = tooLong || len(line) >= maxJournalLine
		buf.Write(line)
		buf.WriteByte('\n')
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Stat(ip); errors.Is(err, fs.ErrNotExist) || tooLong {
		// No files yet, or a line a replay would refuse: save it whole.
		return s.saveLocked(b)
	}
	jp := journalPath(ep)
	size, err := appendJournal(jp, buf.Bytes())
	if err != nil {
		return fmt.Errorf("bank %s: writing its journal %s: %w", name, jp, err)
	}
	if size < compactMinBytes {
		return nil
	}
	base := int64(0)
	if fi, err := os.Stat(ep); err == nil {
		base = fi.Size()
	}
	if size > base/10 || size > compactMaxBytes {
		// The changes are safe in the journal already: a failed
		// compaction is retried at the next append, not reported as a
		// failure of this one.
		if err := s.saveLocked(b); err != nil {
			slog.Warn("compacting a bank journal failed; retried at the next change", "bank", name, "journal", jp, "err", err)
		}
	}
	return nil
}

// Compact writes a bank whole and empties its journal; Save does the same.
func (s *DirStore) Compact(ctx context.Context, b *Bank) error { return s.Save(ctx, b) }

func journalPath(csvPath string) string {
	return csvPath[:len(csvPath)-len(".csv")] + ".journal"
}

// appendJournal writes lines at the end of the journal at path (creating
// it with its header), syncs it, and returns its size. A partial last line
// left by a crash is cut off first, so that the new lines start a line.
func appendJournal(path string, lines []byte) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
		created = true
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if end > 0 {
		if end, err = completeLines(f, end); err != nil {
			return 0, err
		}
	}
	if end == 0 {
		lines = append([]byte(journalHeader+"\n"), lines...)
	}
	if _, err := f.WriteAt(lines, end); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	if created {
		// The new file's name must be on disk too.
		if err := syncDir(filepath.Dir(path)); err != nil {
			return 0, err
		}
	}
	return end + int64(len(lines)), nil
}

// completeLines returns where the last complete line of f (of size end)
// ends, cutting off a partial line after it.
func completeLines(f *os.File, end int64) (int64, error) {
	var last [1]byte
	if _, err := f.ReadAt(last[:], end-1); err != nil {
		return 0, err
	}
	if last[0] == '\n' {
		return end, nil
	}
	buf := make([]byte, 64<<10)
	for off := end; off > 0; {
		n := min(int64(len(buf)), off)
		off -= n
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			cut := off + int64(i) + 1
			slog.Warn("bank journal ended in a partial line (a write cut short, never acknowledged): cut off", "file", f.Name(), "bytes", end-cut)
			return cut, f.Truncate(cut)
		}
	}
	return 0, f.Truncate(0) // not even the header is whole
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
