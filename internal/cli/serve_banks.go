package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/hashmatch"
)

// sharedBanks is one set of workspace banks in memory for both the API
// and the banks detector, so that a bank change made through the API
// reaches the detector at once, without reading any file again.
//
// When serve runs the banks detector on the workspace bank folder (serve
// --demo, serve --banks $BASIRA_HOME/banks), the API serves the very
// *hashmatch.Bank objects the detector matches against. An entry added or
// removed through the API (/c/bank/…, /v1/banks/…) updates that bank's
// index in place, under the bank's own lock (lookups from the workers take
// its read lock), and the next post is matched against it. When the set of
// banks changes (a bank or a companion bank is created, or the folder is
// read again) the API's change hook swaps a new Matcher over the same
// banks into the detector: pointers, no copy.
//
// The file watcher then no longer rebuilds the detector on the API's own
// saves: the API writes through trackedStore, which records each file's
// size and modification time as written, and the watcher reads the folder
// again only when a file differs from what this process last loaded or
// wrote (e.g. 'basira bank import' run beside serve). Such a re-read gives
// the new banks to the API and the detector together. An API change that
// lands while a re-read is in progress may be missing from memory for one
// watch interval: it is on disk, differs from what was read, and the next
// check reads it. The API's entry changes go to the bank's journal
// (hashmatch.DirStore.Append) rather than a rewrite of its CSV file;
// trackedStore records the journal as it records the other files.
type sharedBanks struct {
	dir   string
	store *hashmatch.DirStore
	det   *hashmatch.Detector
	api   *hashmatch.Registry

	mu    sync.Mutex
	known map[string]string // file name → "size:mtime" as last loaded or written here
}

// shareBanks wires the pipeline's banks detector to the API when it reads
// the bank folder dir, and returns nil when it does not (no --banks, or
// another folder: that detector keeps its own copy and reloads from its
// files).
func shareBanks(pipe *detect.Pipeline, dir string) (*sharedBanks, error) {
	var r *reloadable
	for _, d := range pipe.Detectors() {
		if rr, ok := d.(*reloadable); ok && rr.name == "banks" {
			r = rr
		}
	}
	if r == nil || len(r.paths) != 1 || !sameDir(r.paths[0], dir) {
		return nil, nil
	}
	var s *sharedBanks
	var err error
	r.takeOver(func(d detect.Detector) func(context.Context) (bool, error) {
		det, ok := d.(*hashmatch.Detector)
		if !ok {
			return nil
		}
		var known map[string]string
		if known, err = bankFileStamps(dir); err != nil {
			return nil
		}
		if filesStamp(r.paths) != r.stamp {
			known = map[string]string{} // changed since the detector was built: read again at the first check
		}
		s = &sharedBanks{dir: dir, store: &hashmatch.DirStore{Dir: dir}, det: det, known: known}
		s.api = hashmatch.NewRegistry(trackedStore{s}, det.Matcher().Banks(), func(banks []*hashmatch.Bank) {
			det.SetMatcher(hashmatch.NewMatcher(banks...))
		})
		return s.reread
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func sameDir(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
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

// reread reads the folder again if another process changed it, and
// reports whether it did. It is the banks detector's reload check.
func (s *sharedBanks) reread(ctx context.Context) (bool, error) {
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
	banks, err := hashmatch.LoadAll(ctx, s.store)
	s.mu.Lock()
	s.known = cur // a broken file is reported once, not every tick
	s.mu.Unlock()
	if err != nil {
		return false, fmt.Errorf("reading the banks in %s again: %w", s.dir, err)
	}
	s.api.Replace(banks) // and the detector, through the change hook
	return true, nil
}

// note records the files of bank name as they are now (the caller holds
// s.mu).
func (s *sharedBanks) noteLocked(name string) {
	for _, f := range []string{name + ".json", name + ".csv", name + ".journal"} {
		if info, err := os.Stat(filepath.Join(s.dir, f)); err == nil {
			s.known[f] = fmt.Sprintf("%d:%d", info.Size(), info.ModTime().UnixNano())
		} else {
			delete(s.known, f)
		}
	}
}

// trackedStore is the bank folder as the API writes it: each save is
// recorded, so the watcher knows it is not another process's change.
type trackedStore struct{ s *sharedBanks }

var _ hashmatch.Appender = trackedStore{}

func (t trackedStore) List(ctx context.Context) ([]hashmatch.Info, error) {
	return t.s.store.List(ctx)
}

func (t trackedStore) Load(ctx context.Context, name string) (*hashmatch.Bank, error) {
	return t.s.store.Load(ctx, name)
}

func (t trackedStore) Save(ctx context.Context, b *hashmatch.Bank) error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if err := t.s.store.Save(ctx, b); err != nil {
		return err
	}
	t.s.noteLocked(b.Info().Name)
	return nil
}

// Append records the API's journal writes (and the compactions they may
// cause) as Save does, so the watcher does not take them for another
// process's change.
func (t trackedStore) Append(ctx context.Context, b *hashmatch.Bank, changes ...hashmatch.Change) error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if err := t.s.store.Append(ctx, b, changes...); err != nil {
		return err
	}
	t.s.noteLocked(b.Info().Name)
	return nil
}

func (t trackedStore) Delete(ctx context.Context, name string) error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if err := t.s.store.Delete(ctx, name); err != nil {
		return err
	}
	t.s.noteLocked(name)
	return nil
}
