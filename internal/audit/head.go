package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// The chain alone cannot tell that entries were cut from the end of the
// log, or that the whole log was emptied: what is left still verifies. A
// Head kept outside the log anchors it: the log must still hold the head's
// first entry and the entry it names, unchanged. A server keeps the head
// file up to date (Keeper) and checks it at start; `audit verify` checks
// it without being told a hash.

// Head is where a log stood when last seen.
type Head struct {
	// Store names the log (a store address without its password).
	Store string `json:"store"`
	// First is the hash of entry 1: another log (or a rebuilt one) has
	// another first entry.
	First string    `json:"first,omitempty"`
	Seq   int64     `json:"seq"`
	Hash  string    `json:"hash,omitempty"`
	Time  time.Time `json:"time"`
}

// HeadPath returns the head file of the log of store in dir: one file per
// store, so a machine serving several stores keeps several anchors.
func HeadPath(dir, store string) string {
	sum := sha256.Sum256([]byte(store))
	return filepath.Join(dir, "audit-heads", hex.EncodeToString(sum[:8])+".json")
}

// LoadHead reads a head file; a missing file gives a zero Head and false.
func LoadHead(path string) (Head, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Head{}, false, nil
	}
	if err != nil {
		return Head{}, false, err
	}
	var h Head
	if err := json.Unmarshal(b, &h); err != nil {
		return Head{}, false, fmt.Errorf("%s: %w (the audit head file is damaged: compare it with a copy kept elsewhere before replacing it)", path, err)
	}
	return h, true, nil
}

// SaveHead writes h atomically (a reader never sees half a file), 0600.
func SaveHead(path string, h Head) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Reader reads a log's entries after a sequence number, in order.
type Reader interface {
	AuditEntries(ctx context.Context, after int64, n int) ([]Entry, error)
}

func entryAt(ctx context.Context, r Reader, seq int64) (*Entry, error) {
	es, err := r.AuditEntries(ctx, seq-1, 1)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 || es[0].Seq != seq {
		return nil, nil
	}
	return &es[0], nil
}

// CheckHead verifies the log still holds h: its first entry and the entry
// h names, with the same hashes. A zero Head checks nothing.
func CheckHead(ctx context.Context, r Reader, h Head) error {
	if h.Seq == 0 {
		return nil
	}
	first, err := entryAt(ctx, r, 1)
	if err != nil {
		return err
	}
	if first == nil {
		return &BrokenError{1, fmt.Sprintf("the log is empty, but it held %d entries (head of %s): it was emptied", h.Seq, h.Time.Format(time.RFC3339))}
	}
	if h.First != "" && first.Hash != h.First {
		return &BrokenError{1, "the first entry is not the one the head file anchors: the log was replaced or rebuilt"}
	}
	e, err := entryAt(ctx, r, h.Seq)
	if err != nil {
		return err
	}
	if e == nil {
		return &BrokenError{h.Seq, fmt.Sprintf("entry missing: the log held %d entries (head of %s); entries were cut from its end", h.Seq, h.Time.Format(time.RFC3339))}
	}
	if e.Hash != h.Hash {
		return &BrokenError{h.Seq, "the entry differs from the one the head file anchors: the end of the log was rewritten"}
	}
	return nil
}

// Floor is the highest sequence number a process has seen committed. A
// store checks it before chaining a new entry: a log whose last entry is
// below the floor was truncated under the running process, and chaining
// onto it would re-use sequence numbers.
type Floor struct{ seq atomic.Int64 }

// ErrTruncated is returned by Floor.Check for a log cut below the floor.
var ErrTruncated = errors.New("the audit log was truncated while this process ran: refusing to chain onto its tail (restore the log; 'basira audit verify' names what is missing)")

// Check returns ErrTruncated when last (nil: an empty log) is below the
// floor, and raises the floor to last otherwise.
func (f *Floor) Check(last *Entry) error {
	var seq int64
	if last != nil {
		seq = last.Seq
	}
	if seq < f.seq.Load() {
		return fmt.Errorf("%w: its last entry is %d, this process saw %d", ErrTruncated, seq, f.seq.Load())
	}
	f.Raise(seq)
	return nil
}

// Raise lifts the floor to seq (never lowers it).
func (f *Floor) Raise(seq int64) {
	for {
		cur := f.seq.Load()
		if seq <= cur || f.seq.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// Keeper keeps one log's head file: Start checks the log against it and
// verifies the entries added since; Advance (called regularly) verifies
// new entries and moves the head on.
type Keeper struct {
	Path  string
	Store string
	Log   Reader
	// Floor, when set, is raised to every head, so the store refuses to
	// chain onto a log truncated below it.
	Floor *Floor

	mu   sync.Mutex
	head Head
	last *Entry
}

// Start loads the head file and checks the log still holds its head, then
// verifies and anchors what was added since (the whole log, the first
// time). A *BrokenError means the log was emptied, cut or rewritten.
func (k *Keeper) Start(ctx context.Context) error {
	h, ok, err := LoadHead(k.Path)
	if err != nil {
		return err
	}
	if ok {
		if err := CheckHead(ctx, k.Log, h); err != nil {
			return err
		}
		if h.Seq > 0 {
			if k.last, err = entryAt(ctx, k.Log, h.Seq); err != nil {
				return err
			}
		}
	}
	k.head = h
	k.head.Store = k.Store
	if k.Floor != nil {
		k.Floor.Raise(h.Seq)
	}
	_, err = k.Advance(ctx)
	return err
}

// Head returns the head as last anchored.
func (k *Keeper) Head() Head {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.head
}

// Advance verifies the entries after the head, moves the head to the last
// of them and saves it. It returns how many entries it verified; a
// *BrokenError when the chain does not hold or the head entry vanished.
func (k *Keeper) Advance(ctx context.Context) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var v Verifier
	if k.last != nil {
		v.Resume(*k.last)
	}
	after := k.head.Seq
	for {
		es, err := k.Log.AuditEntries(ctx, after, 5000)
		if err != nil {
			return int(v.Count()), err
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				return int(v.Count()), err
			}
		}
		after = es[len(es)-1].Seq
	}
	if v.Count() == 0 {
		// Nothing new: the head entry must still be there.
		if k.head.Seq > 0 {
			if err := CheckHead(ctx, k.Log, k.head); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	last := v.Last()
	if k.head.First == "" {
		first, err := entryAt(ctx, k.Log, 1)
		if err != nil {
			return int(v.Count()), err
		}
		if first != nil {
			k.head.First = first.Hash
		}
	}
	k.last = last
	k.head.Seq, k.head.Hash, k.head.Time = last.Seq, last.Hash, last.Time
	if k.Floor != nil {
		k.Floor.Raise(last.Seq)
	}
	return int(v.Count()), SaveHead(k.Path, k.head)
}

// Run calls Advance every interval until ctx is done, and once more then.
// It returns the first *BrokenError (the caller stops writing); other
// errors (the store unreachable a moment) are passed to onError and Run
// goes on.
func (k *Keeper) Run(ctx context.Context, every time.Duration, onError func(error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_, err := k.Advance(context.WithoutCancel(ctx))
			if errors.Is(err, ErrBroken) {
				return err
			}
			return nil
		case <-t.C:
		}
		if _, err := k.Advance(ctx); err != nil {
			if errors.Is(err, ErrBroken) {
				return err
			}
			if ctx.Err() == nil && onError != nil {
				onError(err)
			}
		}
	}
}
