package hashmatch

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

	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/vpdq"
)

// Registry is the one set of hash banks a service shares: the API reads
// and changes it (internal/server/hma translates HTTP to it) and the banks
// detector matches against the very same *Bank values, so a change made
// through the API reaches the detector at once.
//
// HMA and Basira model banks differently, and Registry bridges the two:
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
//     is on or off. A ratio of 0 disables the bank; a ratio strictly
//     between 0 and 1 is kept in Info.Ratio and applied to HMA lookups
//     (the API's coinflip), while Basira's detectors match the bank.
//   - A renamed bank keeps the name its content ids were derived from
//     (Info.IDName), so ids stay stable.
//
// Every change is saved to the store before it is acknowledged: appended
// to the bank's journal when the store keeps one (Appender, as
// DirStore does), else by saving the whole bank; OnChange
// is called when the set of banks changes (a bank is created), so the
// service can give its matcher the new bank. Entries added to an existing
// bank are matched at once by every matcher that holds the bank.
type Registry struct {
	store    Store
	onChange func([]*Bank)

	mu      sync.RWMutex
	banks   map[string]*Bank
	builtTo time.Time
}

// NewRegistry serves banks (already loaded from store, e.g. with
// LoadAll) and saves changes to store. onChange may be nil.
func NewRegistry(store Store, banks []*Bank, onChange func([]*Bank)) *Registry {
	b := &Registry{store: store, onChange: onChange, banks: map[string]*Bank{}, builtTo: time.Now()}
	for _, bk := range banks {
		b.banks[bk.Info().Name] = bk
	}
	return b
}

// All returns every bank, companions included, sorted by name (for a
// Matcher).
func (b *Registry) All() []*Bank {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.allLocked()
}

func (b *Registry) allLocked() []*Bank {
	out := make([]*Bank, 0, len(b.banks))
	for _, bk := range b.banks {
		out = append(out, bk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Info().Name < out[j].Info().Name })
	return out
}

// APISignalTypes are the signal types the HMA API serves, in its order:
// one table, so that routes, lookups and comparisons agree.
var APISignalTypes = []SignalType{PDQ, MD5, SHA256, SHA512, VideoMD5, VPDQ}

// SignalTypes implements Registry.
func (b *Registry) SignalTypes() []string {
	out := make([]string, len(APISignalTypes))
	for i, t := range APISignalTypes {
		out[i] = string(t)
	}
	return out
}

// baseName returns the API bank a hashmatch bank belongs to.
func (b *Registry) baseName(name string) string {
	for _, t := range APISignalTypes {
		if base, ok := strings.CutSuffix(name, "."+string(t)); ok {
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

func ratioOf(i Info) float64 {
	if i.Disabled {
		return 0
	}
	if i.Ratio != nil {
		return *i.Ratio
	}
	return 1
}

// idName is the name content ids of API bank base derive from.
func (b *Registry) idNameLocked(base string) string {
	if bk, ok := b.banks[base]; ok {
		if n := bk.Info().IDName; n != "" {
			return n
		}
	}
	return base
}

// setRatio sets i's matching enabled ratio.
func setRatio(i *Info, ratio float64) {
	i.Disabled = ratio == 0
	i.Ratio = nil
	if ratio > 0 && ratio < 1 {
		i.Ratio = &ratio
	}
}

// ListBanks implements Registry: API banks, companions folded in.
func (b *Registry) ListBanks(ctx context.Context) ([]BankInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	byName := map[string]*BankInfo{}
	for name, bk := range b.banks {
		base := b.baseName(name)
		bi, ok := byName[base]
		if !ok {
			bi = &BankInfo{Name: base}
			byName[base] = bi
		}
		if base == name {
			bi.MatchingEnabledRatio = ratioOf(bk.Info())
		}
		bi.Entries += bk.Len()
	}
	out := make([]BankInfo, 0, len(byName))
	for _, bi := range byName {
		out = append(out, *bi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Bank implements Registry.
func (b *Registry) Bank(ctx context.Context, name string) (BankInfo, error) {
	bs, err := b.ListBanks(ctx)
	if err != nil {
		return BankInfo{}, err
	}
	for _, bi := range bs {
		if bi.Name == name {
			return bi, nil
		}
	}
	return BankInfo{}, fmt.Errorf("%w: '%s'", ErrNoSuchBank, name)
}

// CreateBank implements Registry: a PDQ bank with the usual threshold.
func (b *Registry) CreateBank(ctx context.Context, name string, ratio float64) (BankInfo, error) {
	if !(ratio >= 0 && ratio <= 1) {
		return BankInfo{}, fmt.Errorf("%w: the matching enabled ratio must be between 0 and 1, not %v", ErrInvalidBank, ratio)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.banks[name]; ok {
		return BankInfo{}, fmt.Errorf("%w: '%s'", ErrBankExists, name)
	}
	info := Info{Name: name, Type: PDQ, Threshold: pdq.DefaultRadius, Description: "created through the API"}
	setRatio(&info, ratio)
	bk, err := NewBank(info)
	if err != nil {
		return BankInfo{}, fmt.Errorf("%w: %v", ErrInvalidBank, err)
	}
	if err := b.store.Save(ctx, bk); err != nil {
		return BankInfo{}, fmt.Errorf("saving bank %s: %w", name, err)
	}
	b.banks[name] = bk
	b.changedLocked()
	return BankInfo{Name: name, MatchingEnabledRatio: ratio}, nil
}

// Replace serves banks instead of those held so far, e.g. after the bank
// folder was changed by another process and read again; OnChange is called
// with them.
func (b *Registry) Replace(banks []*Bank) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.banks = make(map[string]*Bank, len(banks))
	for _, bk := range banks {
		b.banks[bk.Info().Name] = bk
	}
	b.changedLocked()
}

func (b *Registry) changedLocked() {
	b.builtTo = time.Now()
	if b.onChange != nil {
		b.onChange(b.allLocked())
	}
}

// target returns the hashmatch bank of API bank base for signal type t,
// creating the companion bank when needed (the caller holds the lock).
func (b *Registry) targetLocked(ctx context.Context, base string, t SignalType) (*Bank, bool, error) {
	bk, ok := b.banks[base]
	if !ok {
		return nil, false, fmt.Errorf("%w: '%s'", ErrNoSuchBank, base)
	}
	if bk.Info().Type == t {
		return bk, false, nil
	}
	name := base + "." + string(t)
	if c, ok := b.banks[name]; ok {
		return c, false, nil
	}
	c, err := NewBank(Info{Name: name, Type: t, Threshold: DefaultThreshold(t), Disabled: bk.Info().Disabled, Description: "companion of " + base})
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

// AddSignals implements Registry: one content, one entry per signal,
// all with the same entry id; each touched bank is saved before it returns.
func (b *Registry) AddSignals(ctx context.Context, bank string, signals map[string]string, label, note string) (int64, error) {
	return b.addSignals(ctx, bank, signals, Entry{Label: label, Note: note})
}

// addSignals adds one content whose entries are like tmpl.
func (b *Registry) addSignals(ctx context.Context, bank string, signals map[string]string, tmpl Entry) (int64, error) {
	if len(signals) == 0 {
		return 0, fmt.Errorf("%w: no signals given", ErrInvalidSignal)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.banks[bank]; !ok {
		return 0, fmt.Errorf("%w: '%s'", ErrNoSuchBank, bank)
	}
	// Validate everything first, so a bad signal adds nothing.
	type add struct {
		bk    *Bank
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
			return 0, fmt.Errorf("%w: '%s' (use %s)", ErrUnknownSignalType, ts, strings.Join(b.SignalTypes(), ", "))
		}
		t := SignalType(ts)
		v, err := NormalizeValue(t, signals[ts])
		if err != nil {
			return 0, fmt.Errorf("%w: %s: %v", ErrInvalidSignal, ts, err)
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
		e, err := a.bk.Add(Entry{ID: id, Value: a.value, Label: tmpl.Label, Note: tmpl.Note, Metadata: tmpl.Metadata, Source: "api", Enabled: true})
		if err != nil {
			return 0, fmt.Errorf("%w: %v", ErrInvalidSignal, err)
		}
		if a.isNew {
			err = b.store.Save(ctx, a.bk)
		} else {
			err = b.record(ctx, a.bk, Change{Op: ChangeAdd, Entry: &e})
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
	return ContentID(b.idNameLocked(bank), id), nil
}

// Lookup implements Registry over every bank of the signal type.
func (b *Registry) Lookup(ctx context.Context, signalType, value string) ([]IndexMatch, error) {
	return b.LookupWithin(ctx, signalType, value, -1)
}

// LookupWithin is Lookup with PDQ matches within radius instead of each
// bank's threshold (radius < 0: the thresholds; exact hashes ignore it).
// Matches are nearest first.
func (b *Registry) LookupWithin(ctx context.Context, signalType, value string, radius int) ([]IndexMatch, error) {
	t := SignalType(signalType)
	if !slices.Contains(b.SignalTypes(), signalType) {
		return nil, fmt.Errorf("%w: '%s'", ErrUnknownSignalType, signalType)
	}
	v, err := NormalizeValue(t, value)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSignal, err)
	}
	// Every bank, disabled ones and entries disabled until later included
	// (raw_lookup returns them, as HMA's index does); lookup filters.
	var ms []Match
	for _, bk := range b.All() {
		switch t {
		case PDQ:
			h, _ := pdq.ParseHash(v)
			ms = append(ms, bk.lookupPDQWithin(h, radius, true)...)
		case MD5, SHA256, SHA512, VideoMD5:
			ms = append(ms, bk.lookupExact(t, v, true)...)
		case VPDQ:
			fs, _ := vpdq.ParseSignal(v)
			ms = append(ms, bk.lookupVPDQ(fs, true)...)
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Distance < ms[j].Distance })
	now := time.Now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]IndexMatch, 0, len(ms))
	for _, x := range ms {
		if x.Safe {
			// Safe lists say "never flag this": HMA has no such notion,
			// and a lookup must not report them as hits.
			continue
		}
		base := b.baseName(x.Bank)
		out = append(out, IndexMatch{ContentID: ContentID(b.idNameLocked(base), x.Entry.ID), Bank: base, Distance: x.Distance,
			Enabled: x.Entry.Active(now), Exact: t != PDQ, Value: x.Entry.Value})
	}
	return out, nil
}

// Compare implements Registry: PDQ by Hamming distance (match at
// <= 31), vPDQ by python-threatexchange's rule (80% of the first video's
// frames found in the second; distance 100 minus that percentage), exact
// hashes by equality (distance -1: none).
func (b *Registry) Compare(signalType, x, y string) (bool, int, error) {
	switch signalType {
	case string(PDQ):
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
	case string(VPDQ):
		fx, err := vpdq.ParseSignal(x)
		if err != nil {
			return false, 0, err
		}
		fy, err := vpdq.ParseSignal(y)
		if err != nil {
			return false, 0, err
		}
		r := vpdq.Match(fx, fy, vpdq.Options{})
		return r.IsMatch(vpdq.DefaultQueryPercent, vpdq.DefaultIndexPercent), int(100 - r.QueryPercent), nil
	case string(MD5), string(SHA256), string(SHA512), string(VideoMD5):
		t := SignalType(signalType)
		vx, err := NormalizeValue(t, x)
		if err != nil {
			return false, 0, err
		}
		vy, err := NormalizeValue(t, y)
		if err != nil {
			return false, 0, err
		}
		return vx == vy, -1, nil
	}
	return false, 0, fmt.Errorf("%w: '%s'", ErrUnknownSignalType, signalType)
}

// IndexStatus implements Registry. built_to is the time of the last
// change the API saw (hashmatch indexes are updated in place, never rebuilt).
func (b *Registry) IndexStatus(ctx context.Context) (map[string]IndexStatus, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := map[string]IndexStatus{}
	for _, t := range b.SignalTypes() {
		out[t] = IndexStatus{BuiltTo: -1}
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

// RemoveContent implements Registry: the entries of the content in the
// bank and its companions are removed and the banks saved.
func (b *Registry) RemoveContent(ctx context.Context, bank string, contentID int64) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.banks[bank]; !ok {
		return 0, fmt.Errorf("%w: '%s'", ErrNoSuchBank, bank)
	}
	n := 0
	for name, bk := range b.banks {
		if b.baseName(name) != bank {
			continue
		}
		var removed []Change
		for _, e := range bk.Entries() {
			if ContentID(b.idNameLocked(bank), e.ID) != contentID {
				continue
			}
			if err := bk.Remove(e.ID); err != nil {
				return n, err
			}
			removed = append(removed, Change{Op: ChangeRemove, ID: e.ID})
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
func (b *Registry) record(ctx context.Context, bk *Bank, changes ...Change) error {
	if a, ok := b.store.(Appender); ok {
		return a.Append(ctx, bk, changes...)
	}
	return b.store.Save(ctx, bk)
}
