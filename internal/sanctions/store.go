package sanctions

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/basira-org/basira/internal/atomicfile"
)

// Store keeps imported lists as one gzipped JSON file per list in a
// folder (the workspace's sanctions folder).
type Store struct{ Dir string }

func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

// Save writes l, replacing a list of the same name. The file is written
// to a temporary name and renamed, so a crash leaves the old list intact.
func (s Store) Save(l *List) error {
	if slug(l.Name) == "" {
		return errors.New("list has no name")
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return err
	}
	path := filepath.Join(s.Dir, slug(l.Name)+".json.gz")
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		if err := json.NewEncoder(zw).Encode(l); err != nil {
			return err
		}
		return zw.Close()
	})
}

// Load reads every list in the folder, ordered by name. A missing folder
// holds no lists.
func (s Store) Load() ([]*List, error) {
	files, err := filepath.Glob(filepath.Join(s.Dir, "*.json.gz"))
	if err != nil {
		return nil, err
	}
	var lists []*List
	for _, path := range files {
		l, err := loadList(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (re-import the list to repair it)", path, err)
		}
		lists = append(lists, l)
	}
	sort.Slice(lists, func(i, j int) bool { return lists[i].Name < lists[j].Name })
	return lists, nil
}

func loadList(path string) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var l List
	if err := json.NewDecoder(zr).Decode(&l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Remove deletes the list of that name.
func (s Store) Remove(name string) error {
	err := os.Remove(filepath.Join(s.Dir, slug(name)+".json.gz"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no list named %q", name)
	}
	return err
}
