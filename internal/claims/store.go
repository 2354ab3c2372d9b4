package claims

import (
	"bufio"
	"context"
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

// Store keeps fact-checks. The CLI uses FileStore in the workspace; the
// service can put the same interface over its database.
type Store interface {
	// All returns every claim, ordered by ID.
	All(ctx context.Context) ([]Claim, error)
	// Put adds claims or replaces those with the same ID.
	Put(ctx context.Context, cs []Claim) (added, replaced int, err error)
	// Get returns one claim.
	Get(ctx context.Context, id string) (Claim, bool, error)
}

// FileStore is a Store in one JSONL file, rewritten atomically on Put. It
// suits the tens of thousands of claims a desk holds; it is safe for
// concurrent use within one process.
type FileStore struct {
	path string
	mu   sync.Mutex
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns a store kept in path (created on first Put).
func NewFileStore(path string) *FileStore { return &FileStore{path: path} }

// Path returns the file the store is kept in.
func (s *FileStore) Path() string { return s.path }

// All implements Store. A missing file is an empty store.
func (s *FileStore) All(ctx context.Context) ([]Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load()
}

func (s *FileStore) load() ([]Claim, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cs []Claim
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), DefaultMaxLineBytes*4)
	for line := 1; sc.Scan(); line++ {
		var c Claim
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("the fact-check store %s is damaged at line %d (%v): restore it or re-import", s.path, line, err)
		}
		cs = append(cs, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the fact-check store %s: %w", s.path, err)
	}
	return cs, nil
}

// Get implements Store.
func (s *FileStore) Get(ctx context.Context, id string) (Claim, bool, error) {
	cs, err := s.All(ctx)
	if err != nil {
		return Claim{}, false, err
	}
	i := sort.Search(len(cs), func(i int) bool { return cs[i].ID >= id })
	if i < len(cs) && cs[i].ID == id {
		return cs[i], true, nil
	}
	return Claim{}, false, nil
}

// Put implements Store.
func (s *FileStore) Put(ctx context.Context, in []Claim) (added, replaced int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.load()
	if err != nil {
		return 0, 0, err
	}
	byID := make(map[string]int, len(cs))
	for i, c := range cs {
		byID[c.ID] = i
	}
	for _, c := range in {
		if c.ID == "" {
			c.ID = DeriveID(&c)
		}
		if i, ok := byID[c.ID]; ok {
			cs[i] = c
			replaced++
			continue
		}
		byID[c.ID] = len(cs)
		cs = append(cs, c)
		added++
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	if err := s.write(cs); err != nil {
		return 0, 0, err
	}
	return added, replaced, nil
}

// write replaces the file atomically: a crash leaves the old or the new
// store, never half of one.
func (s *FileStore) write(cs []Claim) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o750); err != nil {
		return err
	}
	return atomicfile.Write(s.path, 0o600, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range cs {
			if err := enc.Encode(&cs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
