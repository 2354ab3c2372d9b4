package hma

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/pdq"
)

// Banks serves Basira's hash banks (internal/hashmatch) to the API.
//
// HMA and Basira model banks differently, and Banks bridges the two:
//   - An HMA bank holds content of several signal types; a hashmatch bank
//     holds one. An API bank NAME is the hashmatch bank NAME (created as a
//     PDQ bank), and signals of another type go to a companion bank
//     "NAME.md5" or "NAME.sha256", created when first needed and listed
//     under NAME.
//   - HMA content ids are integers; hashmatch entry ids are strings. A
//     content added through the API gets one entry id for all its signals,
//     and its integer id is a 53-bit hash of (bank, entry id): stable across
//     restarts, exact in JSON.
//   - HMA's matching_enabled_ratio is a share of lookups; a hashmatch bank
//     is on or off, so the ratio is 1 or 0.
//
// Every change is saved to the store before it is acknowledged: appended
// to the bank's journal when the store keeps one (hashmatch.Appender, as
// DirStore does), else by saving the whole bank; OnChange
// is called when the set of banks changes (a bank is created), so the
// service can give its matcher the new bank. Entries added to an existing
// bank are matched at once by every matcher that holds the bank.
type Banks struct {
	store    hashmatch.Store
	onChange func([]*hashmatch.Bank)

	mu      sync.RWMutex
	banks   map[string]*hashmatch.Bank
	builtTo time.Time
}

var _ server.Banks = (*Banks)(nil)

// NewBanks serves banks (already loaded from store, e.g. with
// hashmatch.LoadAll) and saves changes to store. onChange may be nil.
func NewBanks(store hashmatch.Store, banks []*hashmatch.Bank, onChange func([]*hashmatch.Bank)) *Banks {
	b := &Banks{store: store, onChange: onChange, banks: map[string]*hashmatch.Bank{}, builtTo: time.Now()}
	for _, bk := range banks {
		b.banks[bk.Info().Name] = bk
	}
	return b
}

// All returns every bank, companions included, sorted by name (for a
// hashmatch.Matcher).
func (b *Banks) All() []*hashmatch.Bank {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.allLocked()
}

func (b *Banks) allLocked() []*hashmatch.Bank {
	out := make([]*hashmatch.Bank, 0, len(b.banks))
	for _, bk := range b.banks {
		out = append(out, bk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Info().Name < out[j].Info().Name })
	return out
}

// SignalTypes implements server.Banks.
func (b *Banks) SignalTypes() []string { return []string{SignalPDQ, SignalMD5, SignalSHA256} }

// baseName returns the API bank a hashmatch bank belongs to.
func (b *Banks) baseName(name string) string {
	for _, t := range []string{SignalMD5, SignalSHA256} {
		if base, ok := strings.CutSuffix(name, "."+t); ok {
			if _, exists := b.banks[base]; exists {
				return base
			}
		}
	}
	return name
}

// ContentID is the integer id of entry id in API bank bank.
func ContentID(bank, id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(bank))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return int64(h.Sum64() & (1<<53 - 1))
}

func ratioOf(i hashmatch.Info) float64 {
	if i.Disabled {
		return 0
	}
	return 1
}

// ListBanks implements server.Banks: API banks, companions folded in.
func (b *Banks) ListBanks(ctx context.Context) ([]server.BankInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	byName := map[string]*server.BankInfo{}
	for name, bk := range b.banks {
		base := b.baseName(name)
		bi, ok := byName[base]
		if !ok {
			bi = &server.BankInfo{Name: base}
			byName[base] = bi
		}
		if base == name {
			bi.MatchingEnabledRatio = ratioOf(bk.Info())
		}
		bi.Entries += bk.Len()
	}
	out := make([]server.BankInfo, 0, len(byName))
	for _, bi := range byName {
		out = append(out, *bi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Bank implements server.Banks.
func (b *Banks) Bank(ctx context.Context, name string) (server.BankInfo, error) {
	bs, err := b.ListBanks(ctx)
	if err != nil {
		return server.BankInfo{}, err
	}
	for _, bi := range bs {
		if bi.Name == name {
			return bi, nil
		}
	}
	return server.BankInfo{}, fmt.Errorf("%w: '%s'", server.ErrNoSuchBank, name)
}

// CreateBank implements server.Banks: a PDQ bank with the usual threshold.
func (b *Banks) CreateBank(ctx context.Context, name string, ratio float64) (server.BankInfo, error) {
	if ratio != 0 && ratio != 1 {
		return server.BankInfo{}, fmt.Errorf("%w: Basira banks are on or off, so the matching enabled ratio must be 0 or 1, not %v", server.ErrInvalidBank, ratio)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.banks[name]; ok {
		return server.BankInfo{}, fmt.Errorf("%w: '%s'", server.ErrBankExists, name)
	}
	bk, err := hashmatch.NewBank(hashmatch.Info{Name: name, Type: hashmatch.PDQ, Threshold: pdq.DefaultRadius, Disabled: ratio == 0, Description: "created through the API"})
	if err != nil {
		return server.BankInfo{}, fmt.Errorf("%w: %v", server.ErrInvalidBank, err)
	}
	if err := b.store.Save(ctx, bk); err != nil {
		return server.BankInfo{}, fmt.Errorf("saving bank %s: %w", name, err)
	}
	b.banks[name] = bk
	b.changedLocked()
	return server.BankInfo{Name: name, MatchingEnabledRatio: ratio}, nil
}

// Replace serves banks instead of those held so far, e.g. after the bank
// folder was changed by another process and read again; OnChange is called
// with them.
func (b *Banks) Replace(banks []*hashmatch.Bank) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.banks = make(map[string]*hashmatch.Bank, len(banks))
	for _, bk := range banks {
		b.banks[bk.Info().Name] = bk
	}
	b.changedLocked()
}

func (b *Banks) changedLocked() {
	b.builtTo = time.Now()
	if b.onChange != nil {
		b.onChange(b.allLocked())
	}
}

// target returns the hashmatch bank of API bank base for signal type t,
// creating the companion bank when needed (the caller holds the lock).
func (b *Banks) targetLocked(ctx context.Context, base string, t hashmatch.SignalType) (*hashmatch.Bank, bool, error) {
	bk, ok := b.banks[base]
	if !ok {
		return nil, false, fmt.Errorf("%w: '%s'", server.ErrNoSuchBank, base)
	}
	if bk.Info().Type == t {
		return bk, false, nil
	}
	name := base + "." + string(t)
	if c, ok := b.banks[name]; ok {
		return c, false, nil
	}
	c, err := hashmatch.NewBank(hashmatch.Info{Name: name, Type: t, Threshold: hashmatch.DefaultThreshold(t), Disabled: bk.Info().Disabled, Description: "companion of " + base})
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

func newEntryID() string {
	var r [8]byte
	_, _ = rand.Read(r[:])
	return "c" + hex.EncodeToString(r[:])
}

// AddSignals implements server.Banks: one content, one entry per signal,
// all with the same entry id; each touched bank is saved before it returns.
func (b *Banks) AddSignals(ctx context.Context, bank string, signals map[string]string, label, note string) (int64, error) {
	if len(signals) == 0 {
		return 0, fmt.Errorf("%w: no signals given", server.ErrInvalidSignal)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.banks[bank]; !ok {
		return 0, fmt.Errorf("%w: '%s'", server.ErrNoSuchBank, bank)
	}
	// Validate everything first, so a bad signal adds nothing.
	type add struct {
		bk    *hashmatch.Bank
		isNew bool
		value string
	}
	var adds []add
	types := make([]string, 0, len(signals))
	for t := range signals {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, ts := range types {
		if !slices.Contains(b.SignalTypes(), ts) {
			return 0, fmt.Errorf("%w: '%s' (use %s)", server.ErrUnknownSignalType, ts, strings.Join(b.SignalTypes(), ", "))
		}
		t := hashmatch.SignalType(ts)
		v, err := hashmatch.NormalizeValue(t, signals[ts])
		if err != nil {
			return 0, fmt.Errorf("%w: %s: %v", server.ErrInvalidSignal, ts, err)
		}
		bk, isNew, err := b.targetLocked(ctx, bank, t)
		if err != nil {
			return 0, err
		}
		adds = append(adds, add{bk, isNew, v})
	}
	id := newEntryID()
	created := false
	for _, a := range adds {
		e, err := a.bk.Add(hashmatch.Entry{ID: id, Value: a.value, Label: label, Note: note, Source: "api", Enabled: true})
		if err != nil {
			return 0, fmt.Errorf("%w: %v", server.ErrInvalidSignal, err)
		}
		if a.isNew {
			err = b.store.Save(ctx, a.bk)
		} else {
			err = b.record(ctx, a.bk, hashmatch.Change{Op: hashmatch.ChangeAdd, Entry: &e})
		}
		if err != nil {
			return 0, fmt.Errorf("saving bank %s: %w", a.bk.Info().Name, err)
		}
		if a.isNew {
			b.banks[a.bk.Info().Name] = a.bk
			created = true
		}
	}
	if created {
		b.changedLocked()
	} else {
		b.builtTo = time.Now()
	}
	return ContentID(bank, id), nil
}

// Lookup implements server.Banks over every bank of the signal type.
func (b *Banks) Lookup(ctx context.Context, signalType, value string) ([]server.IndexMatch, error) {
	t := hashmatch.SignalType(signalType)
	if !slices.Contains(b.SignalTypes(), signalType) {
		return nil, fmt.Errorf("%w: '%s'", server.ErrUnknownSignalType, signalType)
	}
	m := hashmatch.NewMatcher(b.All()...)
	ms, err := m.Lookup(t, value)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", server.ErrInvalidSignal, err)
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]server.IndexMatch, 0, len(ms))
	for _, x := range ms {
		if x.Safe {
			// Safe lists say "never flag this": HMA has no such notion,
			// and a lookup must not report them as hits.
			continue
		}
		base := b.baseName(x.Bank)
		out = append(out, server.IndexMatch{ContentID: ContentID(base, x.Entry.ID), Bank: base, Distance: x.Distance, Enabled: x.Entry.Enabled})
	}
	return out, nil
}

// Compare implements server.Banks: PDQ by Hamming distance (match at
// <= 31), exact hashes by equality (distance -1: none).
func (b *Banks) Compare(signalType, x, y string) (bool, int, error) {
	switch signalType {
	case SignalPDQ:
		hx, err := pdq.ParseHash(x)
		if err != nil {
			return false, 0, err
		}
		hy, err := pdq.ParseHash(y)
		if err != nil {
			return false, 0, err
		}
		d := pdq.Distance(hx, hy)
		return d <= pdq.DefaultRadius, d, nil
	case SignalMD5, SignalSHA256:
		t := hashmatch.SignalType(signalType)
		vx, err := hashmatch.NormalizeValue(t, x)
		if err != nil {
			return false, 0, err
		}
		vy, err := hashmatch.NormalizeValue(t, y)
		if err != nil {
			return false, 0, err
		}
		return vx == vy, -1, nil
	}
	return false, 0, fmt.Errorf("%w: '%s'", server.ErrUnknownSignalType, signalType)
}

// IndexStatus implements server.Banks. built_to is the time of the last
// change the API saw (hashmatch indexes are updated in place, never rebuilt).
func (b *Banks) IndexStatus(ctx context.Context) (map[string]server.IndexStatus, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := map[string]server.IndexStatus{}
	for _, t := range b.SignalTypes() {
		out[t] = server.IndexStatus{BuiltTo: -1}
	}
	for _, bk := range b.banks {
		i := bk.Info()
		st, ok := out[string(i.Type)]
		if !ok {
			continue
		}
		st.Present = true
		st.Size += bk.Len()
		st.BuiltTo = b.builtTo.Unix()
		out[string(i.Type)] = st
	}
	return out, nil
}

// RemoveContent implements server.Banks: the entries of the content in the
// bank and its companions are removed and the banks saved.
func (b *Banks) RemoveContent(ctx context.Context, bank string, contentID int64) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.banks[bank]; !ok {
		return 0, fmt.Errorf("%w: '%s'", server.ErrNoSuchBank, bank)
	}
	n := 0
	for name, bk := range b.banks {
		if b.baseName(name) != bank {
			continue
		}
		var removed []hashmatch.Change
		for _, e := range bk.Entries() {
			if ContentID(bank, e.ID) != contentID {
				continue
			}
			if err := bk.Remove(e.ID); err != nil {
				return n, err
			}
			removed = append(removed, hashmatch.Change{Op: hashmatch.ChangeRemove, ID: e.ID})
			n++
		}
		if len(removed) > 0 {
			if err := b.record(ctx, bk, removed...); err != nil {
				return n, fmt.Errorf("saving bank %s: %w", name, err)
			}
		}
	}
	if n > 0 {
		b.builtTo = time.Now()
	}
	return n, nil
}

// record saves changes already made to bk: appended to the store's journal
// when it keeps one (a few hundred bytes and one fsync), else by saving the
// whole bank (the cost of rewriting all its entries).
func (b *Banks) record(ctx context.Context, bk *hashmatch.Bank, changes ...hashmatch.Change) error {
	if a, ok := b.store.(hashmatch.Appender); ok {
		return a.Append(ctx, bk, changes...)
	}
	return b.store.Save(ctx, bk)
}
