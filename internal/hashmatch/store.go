package hashmatch

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/basira-org/basira/internal/atomicfile"
)

// Store keeps banks. DirStore keeps them as files; the service keeps them
// in its database behind the same interface.
type Store interface {
	// List describes every bank, sorted by name.
	List(ctx context.Context) ([]Info, error)
	// Load reads a bank with its entries; the error wraps ErrNotFound
	// when there is no such bank.
	Load(ctx context.Context, name string) (*Bank, error)
	// Save writes a bank with its entries, replacing what was stored.
	Save(ctx context.Context, b *Bank) error
	// Delete removes a bank.
	Delete(ctx context.Context, name string) error
}

// DirStore keeps each bank as files in a folder: NAME.json (the bank's
// description), NAME.csv (its entries, in the CSV form of WriteCSV) and,
// when entries changed one at a time since, NAME.journal (those changes,
// see Append). Saving writes new files and renames them over the old ones,
// so a crash leaves either the old bank or the new one, then empties the
// journal; Load replays the journal over the CSV file. A DirStore must not
// be copied after first use.
type DirStore struct {
	Dir string

	mu sync.Mutex // serializes this store's writes (Save, Append, Delete)
}

var (
	_ Store    = (*DirStore)(nil)
	_ Appender = (*DirStore)(nil)
)

// List implements Store.
func (s *DirStore) List(ctx context.Context) ([]Info, error) {
	files, err := filepath.Glob(filepath.Join(s.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, f := range files {
		i, err := readInfo(f)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

func readInfo(path string) (Info, error) {
	var i Info
	data, err := os.ReadFile(path)
	if err != nil {
		return i, err
	}
	if err := json.Unmarshal(data, &i); err != nil {
		return i, fmt.Errorf("%s: %v (fix or remove the file)", path, err)
	}
	if err := i.Validate(); err != nil {
		return i, fmt.Errorf("%s: %w", path, err)
	}
	return i, nil
}

func (s *DirStore) paths(name string) (info, entries string, err error) {
	if !nameRe.MatchString(name) {
		return "", "", fmt.Errorf("bank name %q: use letters, digits, '_', '.' or '-'", name)
	}
	return filepath.Join(s.Dir, name+".json"), filepath.Join(s.Dir, name+".csv"), nil
}

// Load implements Store.
func (s *DirStore) Load(ctx context.Context, name string) (*Bank, error) {
	ip, ep, err := s.paths(name)
	if err != nil {
		return nil, err
	}
	info, err := readInfo(ip)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bank %q %w in %s", name, ErrNotFound, s.Dir)
	}
	if err != nil {
		return nil, err
	}
	b, err := NewBank(info)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(ep)
	if errors.Is(err, fs.ErrNotExist) {
		if err := replayJournal(journalPath(ep), b); err != nil {
			return nil, err
		}
		return b, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := ParseCSV(f, ',', info.Type)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ep, err)
	}
	if len(res.Errors) > 0 {
		return nil, fmt.Errorf("%s: %v", ep, res.Errors[0])
	}
	if _, errs := b.AddMany(res.Entries); len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", ep, errs[0])
	}
	if err := replayJournal(journalPath(ep), b); err != nil {
		return nil, err
	}
	return b, nil
}

// Save implements Store. It also compacts: the journal, whose changes the
// new CSV file holds, is removed once that file is on disk.
func (s *DirStore) Save(ctx context.Context, b *Bank) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked(b)
}

func (s *DirStore) saveLocked(b *Bank) error {
	info := b.Info()
	ip, ep, err := s.paths(info.Name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return err
	}
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	entries := b.Entries()
	if err := atomicfile.Write(ep, 0o600, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := WriteCSV(bw, ',', entries); err != nil {
			return err
		}
		return bw.Flush()
	}); err != nil {
		return err
	}
	if err := atomicfile.Write(ip, 0o600, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	}); err != nil {
		return err
	}
	// The renames must be on disk before the journal goes: a crash in
	// between replays the journal over the new file, which changes
	// nothing (every change is keyed by entry id).
	if err := syncDir(s.Dir); err != nil {
		return err
	}
	if err := os.Remove(journalPath(ep)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Delete implements Store.
func (s *DirStore) Delete(ctx context.Context, name string) error {
	ip, ep, err := s.paths(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(ip); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bank %q %w in %s", name, ErrNotFound, s.Dir)
	} else if err != nil {
		return err
	}
	for _, p := range []string{ep, journalPath(ep)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Count returns how many entries a stored bank has, and how many are
// enabled, without loading it (no index is built) unless it has a journal.
func (s *DirStore) Count(ctx context.Context, name string) (total, enabled int, err error) {
	_, ep, err := s.paths(name)
	if err != nil {
		return 0, 0, err
	}
	if _, err := os.Stat(journalPath(ep)); err == nil {
		// Changes since the CSV file: only a replay tells what they left.
		b, err := s.Load(ctx, name)
		if err != nil {
			return 0, 0, err
		}
		for _, e := range b.Entries() {
			if e.Enabled {
				enabled++
			}
		}
		return b.Len(), enabled, nil
	}
	f, err := os.Open(ep)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	col := -1
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			return total, enabled, nil
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", ep, err)
		}
		if first {
			for i, v := range rec {
				if v == "enabled" {
					col = i
				}
			}
			continue
		}
		total++
		if col < 0 || col >= len(rec) || rec[col] != "false" {
			enabled++
		}
	}
}

// LoadAll loads every bank of a store.
func LoadAll(ctx context.Context, s Store) ([]*Bank, error) {
	infos, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	banks := make([]*Bank, 0, len(infos))
	for _, i := range infos {
		b, err := s.Load(ctx, i.Name)
		if err != nil {
			return nil, err
		}
		banks = append(banks, b)
	}
	return banks, nil
}
