package hashmatch

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Shared is one set of workspace banks in memory for both the API and the
// banks detector, so that a bank change made through the API reaches the
// detector at once, without reading any file again.
//
// The API serves Registry(); a banks detector provisioned on the same
// folder (serve --demo, serve --banks $BASIRA_HOME/banks) matches against
// the very *Bank objects the registry holds. An entry added or removed
// through the API updates that bank's index in place, under the bank's own
// lock (lookups from the workers take its read lock), and the next post is
// matched against it. When the set of banks changes (a bank or a companion
// bank is created, or the folder is read again) the registry's change hook
// swaps a new Matcher over the same banks into the detector in force:
// pointers, no copy. Every detector generation holds the same banks
// detector (its matcher is swapped, never its configuration).
//
// The API writes through trackedStore, which records each file's size and
// modification time as written, so Reread reads the folder again only when
// a file differs from what this process last loaded or wrote (e.g. 'basira
// bank import' run beside serve). An API change that lands while a re-read
// is in progress may be missing from memory for one check: it is on disk,
// differs from what was read, and the next check reads it. The API's entry
// changes go to the bank's journal (DirStore.Append) rather than a rewrite
// of its CSV file; trackedStore records the journal as it records the
// other files.
type Shared struct {
	dir   string
	store *DirStore
	api   *Registry

	mu    sync.Mutex
	known map[string]string // file name → "size:mtime" as last loaded or written here

	// detMu guards det, the folder's banks detector. The registry calls
	// changed with its own lock held, so detMu is never held while
	// calling the registry.
	detMu sync.Mutex
	det   *Detector
}

// NewShared loads the banks of dir (which must exist) for the API and the
// banks detector.
func NewShared(ctx context.Context, dir string) (*Shared, error) {
	known, err := bankFileStamps(dir)
	if err != nil {
		return nil, err
	}
	s := &Shared{dir: dir, store: &DirStore{Dir: dir}, known: known}
	banks, err := LoadAll(ctx, s.store)
	if err != nil {
		return nil, fmt.Errorf("loading the banks in %s: %w", dir, err)
	}
	s.api = NewRegistry(trackedStore{s}, banks, s.changed)
	return s, nil
}

// Registry is the bank registry the API serves.
func (s *Shared) Registry() *Registry { return s.api }

// Serves reports whether s holds the banks of dir (false for a nil s).
func (s *Shared) Serves(dir string) bool {
	if s == nil {
		return false
	}
	sa, err := os.Stat(s.dir)
	if err != nil {
		return false
	}
	sb, err := os.Stat(dir)
	return err == nil && os.SameFile(sa, sb)
}

// detector returns the banks detector of the folder: made (and set up
// by init) on the first call, the same one for every later generation,
// so it follows the registry's changes whichever generation is in force,
// and a generation that fails to build cannot take it away from the one
// in force.
func (s *Shared) detector(init func(*Detector)) *Detector {
	s.detMu.Lock()
	d := s.det
	s.detMu.Unlock()
	if d != nil {
		return d
	}
	d = NewDetector(NewMatcher(s.api.All()...), "")
	init(d)
	s.detMu.Lock()
	if s.det != nil { // made meanwhile by another caller
		d = s.det
	} else {
		s.det = d
	}
	s.detMu.Unlock()
	// A change between the first read and the attachment went nowhere:
	// read the banks again.
	d.SetMatcher(NewMatcher(s.api.All()...))
	return d
}

// changed is the registry's change hook: the detector in force matches
// against the new set of banks.
func (s *Shared) changed(banks []*Bank) {
	s.detMu.Lock()
	d := s.det
	s.detMu.Unlock()
	if d != nil {
		d.SetMatcher(NewMatcher(banks...))
	}
}

// Reread reads the folder again if another process changed it, and
// reports whether it did; the new banks reach the API and the detector
// together.
func (s *Shared) Reread(ctx context.Context) (bool, error) {
	cur, err := bankFileStamps(s.dir)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	same := maps.Equal(cur, s.known)
	s.mu.Unlock()
	if same {
		return false, nil
	}
	banks, err := LoadAll(ctx, s.store)
	s.mu.Lock()
	s.known = cur // a broken file is reported once, not every check
	s.mu.Unlock()
	if err != nil {
		return false, fmt.Errorf("reading the banks in %s again: %w", s.dir, err)
	}
	s.api.Replace(banks) // and the detector, through the change hook
	return true, nil
}

// bankFileStamps fingerprints the files of a bank folder (names, sizes,
// modification times), leaving out the hidden temporary files of a save in
// progress.
func bankFileStamps(dir string) (map[string]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the bank folder %s: %w", dir, err)
	}
	out := make(map[string]string, len(ents))
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if info, err := e.Info(); err == nil {
			out[e.Name()] = fmt.Sprintf("%d:%d", info.Size(), info.ModTime().UnixNano())
		}
	}
	return out, nil
}

// noteLocked records the files of bank name as they are now (the caller
// holds s.mu).
func (s *Shared) noteLocked(name string) {
	for _, f := range []string{name + ".json", name + ".csv", name + ".journal"} {
		if info, err := os.Stat(filepath.Join(s.dir, f)); err == nil {
			s.known[f] = fmt.Sprintf("%d:%d", info.Size(), info.ModTime().UnixNano())
		} else {
			delete(s.known, f)
		}
	}
}

// trackedStore is the bank folder as the API writes it: each save is
// recorded, so Reread knows it is not another process's change.
type trackedStore struct{ s *Shared }

var _ Appender = trackedStore{}

func (t trackedStore) List(ctx context.Context) ([]Info, error) { return t.s.store.List(ctx) }

func (t trackedStore) Load(ctx context.Context, name string) (*Bank, error) {
	return t.s.store.Load(ctx, name)
}

func (t trackedStore) Save(ctx context.Context, b *Bank) error {
	return t.write(b.Info().Name, func() error { return t.s.store.Save(ctx, b) })
}

// Append records the API's journal writes (and the compactions they may
// cause) as Save does.
func (t trackedStore) Append(ctx context.Context, b *Bank, changes ...Change) error {
	return t.write(b.Info().Name, func() error { return t.s.store.Append(ctx, b, changes...) })
}

func (t trackedStore) Delete(ctx context.Context, name string) error {
	return t.write(name, func() error { return t.s.store.Delete(ctx, name) })
}

func (t trackedStore) write(name string, f func() error) error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if err := f(); err != nil {
		return err
	}
	t.s.noteLocked(name)
	return nil
}
