package hashmatch

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// HMA's disable_until_ts magic values.
const (
	DisabledTS int64 = 0 // disabled for good
	EnabledTS  int64 = 1 // enabled
)

// ContentInfo is one content of an API bank (all its signals), as HMA's
// GET /c/bank/NAME/content/ID shows it.
type ContentInfo struct {
	ID        int64
	Bank      string
	BankRatio float64
	Signals   map[string]string
	Note      string
	// Metadata is the JSON object kept with the content ("" for none).
	Metadata string
	// DisableUntilTS is HMA's disable_until_ts: DisabledTS, EnabledTS, or
	// the Unix time until which the content does not match.
	DisableUntilTS int64
}

// ContentUpdate changes a content; nil fields stay as they are.
type ContentUpdate struct {
	DisableUntilTS *int64
	Note           *string
	Metadata       *string
}

// ContentMeta describes a content being added.
type ContentMeta struct {
	Label, Note string
	// Metadata is a JSON object, as text ("" for none).
	Metadata string
}

func disableTS(e Entry) int64 {
	switch {
	case !e.Enabled:
		return DisabledTS
	case e.DisableUntil > 1:
		return e.DisableUntil
	}
	return EnabledTS
}

// contentEntriesLocked returns the hashmatch banks and entries of a
// content of API bank base (nil when there is none).
func (b *Registry) contentEntriesLocked(base string, contentID int64) (banks []*Bank, entries []Entry) {
	idName := b.idNameLocked(base)
	names := make([]string, 0, 3)
	for name := range b.banks {
		if b.baseName(name) == base {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		bk := b.banks[name]
		for _, e := range bk.Entries() {
			if ContentID(idName, e.ID) == contentID {
				banks = append(banks, bk)
				entries = append(entries, e)
			}
		}
	}
	return banks, entries
}

// Content returns a content of API bank bank; the error wraps
// ErrNoSuchBank or ErrNoSuchContent.
func (b *Registry) Content(ctx context.Context, bank string, contentID int64) (ContentInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	bk, ok := b.banks[bank]
	if !ok {
		return ContentInfo{}, fmt.Errorf("%w: '%s'", ErrNoSuchBank, bank)
	}
	banks, entries := b.contentEntriesLocked(bank, contentID)
	if len(entries) == 0 {
		return ContentInfo{}, fmt.Errorf("%w: '%d'", ErrNoSuchContent, contentID)
	}
	ci := ContentInfo{ID: contentID, Bank: bank, BankRatio: ratioOf(bk.Info()), Signals: map[string]string{}}
	for i, e := range entries {
		ci.Signals[string(banks[i].Info().Type)] = e.Value
		if i == 0 {
			ci.Note, ci.Metadata, ci.DisableUntilTS = e.Note, e.Metadata, disableTS(e)
		}
	}
	return ci, nil
}

// AddContent is AddSignals with the content's note and metadata.
func (b *Registry) AddContent(ctx context.Context, bank string, signals map[string]string, meta ContentMeta) (int64, error) {
	if meta.Metadata != "" && !json.Valid([]byte(meta.Metadata)) {
		return 0, fmt.Errorf("%w: metadata is not JSON", ErrInvalidSignal)
	}
	return b.addSignals(ctx, bank, signals, Entry{Label: meta.Label, Note: meta.Note, Metadata: meta.Metadata})
}

// UpdateContent changes a content (every signal of it) and saves it.
func (b *Registry) UpdateContent(ctx context.Context, bank string, contentID int64, u ContentUpdate) (ContentInfo, error) {
	if u.Metadata != nil && *u.Metadata != "" && !json.Valid([]byte(*u.Metadata)) {
		return ContentInfo{}, fmt.Errorf("%w: metadata is not JSON", ErrInvalidSignal)
	}
	if u.DisableUntilTS != nil && *u.DisableUntilTS < 0 {
		return ContentInfo{}, fmt.Errorf("%w: disable_until_ts must be a non-negative integer", ErrInvalidSignal)
	}
	b.mu.Lock()
	if _, ok := b.banks[bank]; !ok {
		b.mu.Unlock()
		return ContentInfo{}, fmt.Errorf("%w: '%s'", ErrNoSuchBank, bank)
	}
	banks, entries := b.contentEntriesLocked(bank, contentID)
	if len(entries) == 0 {
		b.mu.Unlock()
		return ContentInfo{}, fmt.Errorf("%w: '%d'", ErrNoSuchContent, contentID)
	}
	for i, e := range entries {
		if u.Note != nil {
			e.Note = *u.Note
		}
		if u.Metadata != nil {
			e.Metadata = *u.Metadata
		}
		if u.DisableUntilTS != nil {
			switch ts := *u.DisableUntilTS; ts {
			case DisabledTS:
				e.Enabled, e.DisableUntil = false, 0
			case EnabledTS:
				e.Enabled, e.DisableUntil = true, 0
			default:
				e.Enabled, e.DisableUntil = true, ts
			}
		}
		bk := banks[i]
		if err := bk.Remove(e.ID); err != nil {
			b.mu.Unlock()
			return ContentInfo{}, err
		}
		stored, err := bk.Add(e)
		if err != nil {
			b.mu.Unlock()
			return ContentInfo{}, err
		}
		// An add of an existing id replaces it when the journal replays.
		if err := b.record(ctx, bk, Change{Op: ChangeAdd, Entry: &stored}); err != nil {
			b.mu.Unlock()
			return ContentInfo{}, fmt.Errorf("saving bank %s: %w", bk.Info().Name, err)
		}
	}
	b.builtTo = time.Now()
	b.mu.Unlock()
	return b.Content(ctx, bank, contentID)
}

// UpdateBank renames an API bank (with its companions) and/or sets its
// matching enabled ratio; nil fields stay. Content ids do not change.
func (b *Registry) UpdateBank(ctx context.Context, name string, newName *string, ratio *float64) (BankInfo, error) {
	if ratio != nil && !(*ratio >= 0 && *ratio <= 1) {
		return BankInfo{}, fmt.Errorf("%w: the matching enabled ratio must be between 0 and 1, not %v", ErrInvalidBank, *ratio)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	base, ok := b.banks[name]
	if !ok {
		return BankInfo{}, fmt.Errorf("%w: '%s'", ErrNoSuchBank, name)
	}
	target := name
	if newName != nil && *newName != name {
		target = *newName
		if _, exists := b.banks[target]; exists {
			return BankInfo{}, fmt.Errorf("%w: '%s'", ErrBankExists, target)
		}
	}
	idName := b.idNameLocked(name)
	var members []*Bank
	for n, bk := range b.banks {
		if b.baseName(n) == name {
			members = append(members, bk)
		}
	}
	sort.Slice(members, func(i, j int) bool { return members[i].Info().Name < members[j].Info().Name })
	if target == name {
		for _, bk := range members {
			if ratio != nil {
				if err := bk.Update(func(i *Info) { setRatio(i, *ratio) }); err != nil {
					return BankInfo{}, fmt.Errorf("%w: %v", ErrInvalidBank, err)
				}
			}
			if err := b.store.Save(ctx, bk); err != nil {
				return BankInfo{}, fmt.Errorf("saving bank %s: %w", bk.Info().Name, err)
			}
		}
		b.changedLocked()
		return BankInfo{Name: name, MatchingEnabledRatio: ratioOf(base.Info())}, nil
	}
	// A rename: new banks under the new names, saved before the old ones
	// are deleted (a crash in between leaves both, never neither).
	renamed := make([]*Bank, 0, len(members))
	for _, bk := range members {
		info := bk.Info()
		info.Name = target + info.Name[len(name):]
		info.IDName = idName
		if ratio != nil {
			setRatio(&info, *ratio)
		}
		nb, err := NewBank(info)
		if err != nil {
			return BankInfo{}, fmt.Errorf("%w: %v", ErrInvalidBank, err)
		}
		if _, errs := nb.AddMany(bk.Entries()); len(errs) > 0 {
			return BankInfo{}, fmt.Errorf("copying bank %s: %w", info.Name, errs[0])
		}
		if err := b.store.Save(ctx, nb); err != nil {
			return BankInfo{}, fmt.Errorf("saving bank %s: %w", info.Name, err)
		}
		renamed = append(renamed, nb)
	}
	for _, bk := range members {
		if err := b.store.Delete(ctx, bk.Info().Name); err != nil {
			return BankInfo{}, fmt.Errorf("removing bank %s: %w", bk.Info().Name, err)
		}
		delete(b.banks, bk.Info().Name)
	}
	for _, nb := range renamed {
		b.banks[nb.Info().Name] = nb
	}
	b.changedLocked()
	return BankInfo{Name: target, MatchingEnabledRatio: ratioOf(renamed[0].Info())}, nil
}

// DeleteBank removes an API bank with its companions and their content.
// It reports whether there was such a bank.
func (b *Registry) DeleteBank(ctx context.Context, name string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.banks[name]; !ok {
		return false, nil
	}
	var names []string
	for n := range b.banks {
		if b.baseName(n) == name {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	// Companions first: the base bank is what makes them companions.
	for i := len(names) - 1; i >= 0; i-- {
		if err := b.store.Delete(ctx, names[i]); err != nil {
			return true, fmt.Errorf("removing bank %s: %w", names[i], err)
		}
		delete(b.banks, names[i])
	}
	b.changedLocked()
	return true, nil
}
