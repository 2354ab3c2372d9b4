// Package hashmatch keeps banks of known content hashes (PDQ, MD5, SHA-256,
// and near-duplicate text signatures) and matches content against them.
//
// A Bank is a named set of entries of one signal type, each with a label
// (the taxonomy category), source, note and enabled flag, and a threshold
// for the whole bank. A bank can be a safe list: content that matches a
// safe list is never flagged, whatever else it matches (third-party lists
// hold false positives, such as news footage and common logos).
//
// Banks are kept behind the Store interface (DirStore keeps them as files
// in a folder); a Matcher answers lookups across banks, and the import and
// export functions read and write CSV/TSV and Tech Against Terrorism's
// hash-list JSON.
package hashmatch

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/textsig"
	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/vpdq"
)

// SignalType is the kind of value a bank holds.
type SignalType string

// Signal types.
const (
	PDQ    SignalType = "pdq"
	MD5    SignalType = "md5"
	SHA256 SignalType = "sha256"
	// SHA512 is the SHA-512 of a file, as Tech Against Terrorism's hash
	// list carries for some files.
	SHA512 SignalType = "sha512"
	Text   SignalType = "text"
	// VideoMD5 is the MD5 of a video file's bytes (HMA's video_md5).
	VideoMD5 SignalType = "video_md5"
	// VPDQ is a video's vPDQ frame hashes (package vpdq), as
	// python-threatexchange's signal string.
	VPDQ SignalType = "vpdq"
)

// SignalTypes lists every signal type, in the order commands show them.
var SignalTypes = []SignalType{PDQ, MD5, SHA256, SHA512, Text, VideoMD5, VPDQ}

// ParseSignalType reads a signal type name (any case; "sha-256" allowed).
func ParseSignalType(s string) (SignalType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pdq":
		return PDQ, nil
	case "md5":
		return MD5, nil
	case "sha256", "sha-256":
		return SHA256, nil
	case "sha512", "sha-512":
		return SHA512, nil
	case "text":
		return Text, nil
	case "video_md5", "video-md5":
		return VideoMD5, nil
	case "vpdq":
		return VPDQ, nil
	}
	return "", fmt.Errorf("unknown signal type %q: use pdq, md5, sha256, sha512, text, video_md5 or vpdq", s)
}

// DefaultThreshold returns the usual threshold of a signal type: the
// largest PDQ distance (31), the smallest text similarity (0.5); exact
// hashes have none (0).
func DefaultThreshold(t SignalType) float64 {
	switch t {
	case PDQ:
		return pdq.DefaultRadius
	case Text:
		return textsig.DefaultThreshold
	case VPDQ:
		return vpdq.DefaultQueryPercent
	}
	return 0
}

// Info describes a bank.
type Info struct {
	Name string     `json:"name"`
	Type SignalType `json:"type"`
	// Threshold is the largest Hamming distance for PDQ (0-255) or the
	// smallest similarity for text (0-1]; unused for exact hashes.
	Threshold   float64   `json:"threshold"`
	Safe        bool      `json:"safe_list,omitempty"`
	Disabled    bool      `json:"disabled,omitempty"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
	// Ratio is HMA's matching_enabled_ratio, the share of HMA lookups the
	// bank answers, when it is strictly between 0 and 1 (nil: 1, or 0
	// when Disabled). Basira's own detectors match an enabled bank always.
	Ratio *float64 `json:"matching_enabled_ratio,omitempty"`
	// IDName is the bank name content ids are derived from (ContentID):
	// the bank's first name, kept when it is renamed so ids stay stable.
	IDName string `json:"id_name,omitempty"`
	// TATCheckpoint is where the last fetch of Tech Against Terrorism's
	// hash list into this bank stopped ("UPDATED_ON,ID"): the next fetch
	// asks only for what changed after it.
	TATCheckpoint string `json:"tat_checkpoint,omitempty"`
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Validate checks a bank's description.
func (i *Info) Validate() error {
	if !nameRe.MatchString(i.Name) {
		return fmt.Errorf("bank name %q: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", i.Name)
	}
	if _, err := ParseSignalType(string(i.Type)); err != nil {
		return fmt.Errorf("bank %s: %w", i.Name, err)
	}
	switch i.Type {
	case PDQ:
		if i.Threshold < 0 || i.Threshold > 255 || i.Threshold != float64(int(i.Threshold)) {
			return fmt.Errorf("bank %s: a PDQ threshold is a whole distance 0-255 (usually 31), not %v", i.Name, i.Threshold)
		}
	case VPDQ:
		if i.Threshold <= 0 || i.Threshold > 100 {
			return fmt.Errorf("bank %s: a vPDQ threshold is the share of a video's frames that must match, in (0, 100] (usually %v), not %v", i.Name, vpdq.DefaultQueryPercent, i.Threshold)
		}
	case Text:
		if i.Threshold <= 0 || i.Threshold > 1 {
			return fmt.Errorf("bank %s: a text threshold is a similarity in (0, 1] (usually %.1f), not %v", i.Name, textsig.DefaultThreshold, i.Threshold)
		}
	}
	return nil
}

// Entry is one known item of a bank.
type Entry struct {
	// ID is unique within the bank: given by the source list, or made up
	// when the entry is added.
	ID string `json:"id"`
	// Value is the hash as lowercase hexadecimal, or for a text bank the
	// text itself or its signature ("mh1:…").
	Value   string `json:"value"`
	Label   string `json:"label,omitempty"`
	Source  string `json:"source,omitempty"`
	Note    string `json:"note,omitempty"`
	Enabled bool   `json:"enabled"`
	// DisableUntil, when set (Unix seconds), keeps an enabled entry from
	// matching until then (HMA's disable_until_ts).
	DisableUntil int64 `json:"disable_until_ts,omitempty"`
	// Metadata is a JSON object kept with the entry (HMA's content
	// metadata: content_id, content_uri, json), as its text.
	Metadata string `json:"metadata,omitempty"`
}

// Active reports whether the entry matches at time now: enabled and not
// disabled until later.
func (e Entry) Active(now time.Time) bool {
	return e.Enabled && e.DisableUntil <= now.Unix()
}

// Match is a bank entry that content matched.
type Match struct {
	Bank  string     `json:"bank"`
	Type  SignalType `json:"type"`
	Safe  bool       `json:"safe_list,omitempty"`
	Entry Entry      `json:"entry"`
	// Distance is the PDQ Hamming distance (0 for exact hashes).
	Distance int `json:"distance"`
	// Similarity is the estimated text similarity (text banks only).
	Similarity float64 `json:"similarity,omitempty"`
	// Video holds the vPDQ match percentages (vPDQ banks only).
	Video *vpdq.Result `json:"video,omitempty"`
	// Transform names the rotation or flip of the image that matched
	// (pdq.Dihedral names), when dihedral matching was asked for and the
	// image itself did not match.
	Transform string `json:"transform,omitempty"`
}

// Bank is a bank with its entries and index. It is safe for concurrent use.
//
// Entries are kept by column and slot rather than as Entry values: a PDQ
// hash as 32 bytes instead of 64 hexadecimal characters, and labels,
// sources and notes (which most entries share) interned, so that a bank of
// millions of hashes costs little more than its index.
type Bank struct {
	mu     sync.RWMutex
	info   Info
	slots  []slot     // removed entries have an empty id
	hashes []pdq.Hash // PDQ banks: the value of each slot
	values []string   // other banks: the value of each slot
	byID   map[string]int32
	strs   []string // interned labels, sources and notes; strs[0] is ""
	strIdx map[string]uint32
	live   int
	// indexes over enabled entries
	pdqIdx  *pdq.Index
	pdqSlot []int32                // pdq index id -> slot
	slotPDQ []int32                // slot -> pdq index id, -1 when not indexed
	exact   map[string][]int       // md5/sha256 value -> slots
	text    *textsig.Index         // keyed by slot
	videos  map[int][]vpdq.Feature // vPDQ banks: slot -> frames kept for matching
}

// NewBank returns an empty bank.
func NewBank(info Info) (*Bank, error) {
	if info.Threshold == 0 && (info.Type == Text || info.Type == VPDQ) {
		info.Threshold = DefaultThreshold(info.Type)
	}
	if err := info.Validate(); err != nil {
		return nil, err
	}
	if info.Created.IsZero() {
		info.Created = time.Now().UTC().Truncate(time.Second)
	}
	b := &Bank{info: info, byID: map[string]int32{}, strs: []string{""}, strIdx: map[string]uint32{"": 0}}
	switch info.Type {
	case PDQ:
		b.pdqIdx = pdq.NewIndex()
	case Text:
		b.text = textsig.NewIndex()
	case VPDQ:
		b.videos = map[int][]vpdq.Feature{}
	default:
		b.exact = map[string][]int{}
	}
	return b, nil
}

// Info returns the bank's description.
func (b *Bank) Info() Info {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.info
}

// Update changes the bank's description; the name and type stay.
func (b *Bank) Update(f func(*Info)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.info
	f(&i)
	i.Name, i.Type, i.Created = b.info.Name, b.info.Type, b.info.Created
	if err := i.Validate(); err != nil {
		return err
	}
	b.info = i
	return nil
}

// Len returns the number of entries (enabled or not).
func (b *Bank) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.live
}

// Entries returns a copy of the entries in the order they were added.
func (b *Bank) Entries() []Entry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]Entry, 0, b.live)
	for i := range b.slots {
		if b.slots[i].id != "" {
			out = append(out, b.entryLocked(i))
		}
	}
	return out
}

// Entry returns the entry with the given id.
func (b *Bank) Entry(id string) (Entry, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s, ok := b.byID[id]
	if !ok {
		return Entry{}, false
	}
	return b.entryLocked(int(s)), true
}

// slot is an entry without its value.
type slot struct {
	id                        string
	label, source, note, meta uint32 // indexes into strs
	enabled                   bool
	until                     int64 // DisableUntil
}

func (b *Bank) entryLocked(i int) Entry {
	s := &b.slots[i]
	e := Entry{ID: s.id, Label: b.strs[s.label], Source: b.strs[s.source], Note: b.strs[s.note], Enabled: s.enabled,
		DisableUntil: s.until, Metadata: b.strs[s.meta]}
	if b.info.Type == PDQ {
		e.Value = b.hashes[i].String()
	} else {
		e.Value = b.values[i]
	}
	return e
}

// ErrNotFound is returned for a bank or entry that does not exist.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when adding an entry whose id is already used.
var ErrDuplicate = errors.New("duplicate entry id")

// NormalizeValue checks a value for signal type t and returns its
// canonical form (lowercase hexadecimal for hashes; text is kept as given).
func NormalizeValue(t SignalType, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch t {
	case PDQ:
		h, err := pdq.ParseHash(v)
		if err != nil {
			return "", err
		}
		return h.String(), nil
	case VPDQ:
		return normalizeVPDQ(v)
	case MD5, SHA256, SHA512, VideoMD5:
		n := map[SignalType]int{MD5: 32, VideoMD5: 32, SHA256: 64, SHA512: 128}[t]
		if len(v) != n {
			return "", fmt.Errorf("%s hash %q: want %d hexadecimal characters, got %d", t, clip(v), n, len(v))
		}
		if _, err := hex.DecodeString(v); err != nil {
			return "", fmt.Errorf("%s hash %q: not hexadecimal", t, clip(v))
		}
		return strings.ToLower(v), nil
	case Text:
		if strings.HasPrefix(v, "mh1:") {
			if _, err := textsig.ParseSignature(v); err != nil {
				return "", err
			}
			return v, nil
		}
		if _, err := textsig.Of(v); err != nil {
			return "", fmt.Errorf("text %q: %w (at least %d words)", clip(v), err, textsig.MinWords)
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown signal type %q", t)
}

func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "e" + hex.EncodeToString(b[:])
}

// claimIDLocked gives e its own copy of its trimmed id (the caller's
// strings may be slices of a whole CSV record), or a new id if it has none,
// and refuses an id the bank already holds.
func (b *Bank) claimIDLocked(e *Entry) error {
	e.ID = strings.Clone(strings.TrimSpace(e.ID))
	if e.ID == "" {
		e.ID = newID()
	}
	if _, dup := b.byID[e.ID]; dup {
		return fmt.Errorf("bank %s: %w %q", b.info.Name, ErrDuplicate, e.ID)
	}
	return nil
}

// storeLocked puts e, its value normalized, in a new slot, not yet
// indexed, and returns the slot.
func (b *Bank) storeLocked(e Entry) int {
	slot := len(b.slots)
	b.slots = append(b.slots, slotOf(e, b.intern))
	if b.info.Type == PDQ {
		h, _ := pdq.ParseHash(e.Value)
		b.hashes = append(b.hashes, h)
	} else {
		b.values = append(b.values, strings.Clone(e.Value))
	}
	b.byID[e.ID] = int32(slot)
	b.live++
	return slot
}

// Add validates and adds an entry, making up an id if it has none. It
// returns the entry as stored.
func (b *Bank) Add(e Entry) (Entry, error) {
	if err := checkText(e); err != nil {
		return Entry{}, err
	}
	v, err := NormalizeValue(b.info.Type, e.Value)
	if err != nil {
		return Entry{}, err
	}
	e.Value = v
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.claimIDLocked(&e); err != nil {
		return Entry{}, err
	}
	slot := b.storeLocked(e)
	if e.Enabled {
		if err := b.indexLocked(slot); err != nil {
			b.slots = b.slots[:slot]
			if b.info.Type == PDQ {
				b.hashes = b.hashes[:slot]
			} else {
				b.values = b.values[:slot]
			}
			delete(b.byID, e.ID)
			b.live--
			return Entry{}, err
		}
	}
	return e, nil
}

// AddMany adds entries as Add does, but indexes the PDQ hashes in one pass,
// which is several times faster and leaves no spare room in the index for
// a large list. It returns how many were added and an error for each entry
// refused (wrapping its position in es).
func (b *Bank) AddMany(es []Entry) (int, []error) {
	var errs []error
	b.mu.Lock()
	defer b.mu.Unlock()
	var pending []int // enabled PDQ slots, indexed at the end
	added := 0
	for i, e := range es {
		if err := checkText(e); err != nil {
			errs = append(errs, fmt.Errorf("entry %d: %w", i+1, err))
			continue
		}
		v, err := NormalizeValue(b.info.Type, e.Value)
		if err != nil {
			errs = append(errs, fmt.Errorf("entry %d: %w", i+1, err))
			continue
		}
		e.Value = v
		if err := b.claimIDLocked(&e); err != nil {
			errs = append(errs, fmt.Errorf("entry %d: %w", i+1, err))
			continue
		}
		slot := b.storeLocked(e)
		added++
		switch {
		case !e.Enabled:
		case b.info.Type == PDQ:
			pending = append(pending, slot)
		default:
			if err := b.indexLocked(slot); err != nil {
				b.slots[slot].enabled = false
				errs = append(errs, fmt.Errorf("entry %d: %w (kept disabled)", i+1, err))
			}
		}
	}
	if len(pending) > 0 {
		hs := make([]pdq.Hash, len(pending))
		for k, slot := range pending {
			hs[k] = b.hashes[slot]
		}
		first, err := b.pdqIdx.AddAll(hs)
		if err != nil {
			for _, slot := range pending {
				b.slots[slot].enabled = false
			}
			return added, append(errs, fmt.Errorf("bank %s: %w (%d entries kept disabled)", b.info.Name, err, len(pending)))
		}
		for k, slot := range pending {
			b.linkPDQLocked(slot, first+uint32(k))
		}
	}
	return added, errs
}

func slotOf(e Entry, intern func(string) uint32) slot {
	return slot{id: e.ID, label: intern(e.Label), source: intern(e.Source), note: intern(e.Note), meta: intern(e.Metadata), enabled: e.Enabled, until: e.DisableUntil}
}

func (b *Bank) intern(s string) uint32 {
	if i, ok := b.strIdx[s]; ok {
		return i
	}
	s = strings.Clone(s)
	i := uint32(len(b.strs))
	b.strs = append(b.strs, s)
	b.strIdx[s] = i
	return i
}

// linkPDQLocked records that the PDQ index holds slot's hash as id.
func (b *Bank) linkPDQLocked(slot int, id uint32) {
	for int(id) >= len(b.pdqSlot) {
		b.pdqSlot = append(b.pdqSlot, -1)
	}
	b.pdqSlot[id] = int32(slot)
	for slot >= len(b.slotPDQ) {
		b.slotPDQ = append(b.slotPDQ, -1)
	}
	b.slotPDQ[slot] = int32(id)
}

func (b *Bank) indexLocked(slot int) error {
	switch b.info.Type {
	case PDQ:
		id, err := b.pdqIdx.Add(b.hashes[slot])
		if err != nil {
			return fmt.Errorf("bank %s: %w", b.info.Name, err)
		}
		b.linkPDQLocked(slot, id)
	case Text:
		sig, err := textSignature(b.values[slot])
		if err != nil {
			return err
		}
		b.text.Add(uint32(slot), sig)
	case VPDQ:
		fs, err := vpdq.ParseSignal(b.values[slot])
		if err != nil {
			return err
		}
		b.videos[slot] = fs
	default:
		v := b.values[slot]
		b.exact[v] = append(b.exact[v], slot)
	}
	return nil
}

func (b *Bank) unindexLocked(slot int) {
	switch b.info.Type {
	case PDQ:
		if slot < len(b.slotPDQ) && b.slotPDQ[slot] >= 0 {
			id := uint32(b.slotPDQ[slot])
			b.pdqIdx.Remove(id)
			b.pdqSlot[id] = -1
			b.slotPDQ[slot] = -1
		}
	case Text:
		b.text.Remove(uint32(slot))
	case VPDQ:
		delete(b.videos, slot)
	default:
		v := b.values[slot]
		s := b.exact[v]
		for i, x := range s {
			if x == slot {
				s = append(s[:i], s[i+1:]...)
				break
			}
		}
		if len(s) == 0 {
			delete(b.exact, v)
		} else {
			b.exact[v] = s
		}
	}
}

func textSignature(v string) (textsig.Signature, error) {
	if strings.HasPrefix(v, "mh1:") {
		return textsig.ParseSignature(v)
	}
	return textsig.Of(v)
}

// SetEnabled turns an entry on or off; a disabled entry stays in the bank
// but matches nothing.
func (b *Bank) SetEnabled(id string, on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	slot, ok := b.byID[id]
	if !ok {
		return fmt.Errorf("bank %s: entry %q %w", b.info.Name, id, ErrNotFound)
	}
	e := &b.slots[slot]
	if e.enabled == on {
		return nil
	}
	if on {
		if err := b.indexLocked(int(slot)); err != nil {
			return err
		}
	} else {
		b.unindexLocked(int(slot))
	}
	e.enabled = on
	return nil
}

// Remove deletes an entry.
func (b *Bank) Remove(id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	slot, ok := b.byID[id]
	if !ok {
		return fmt.Errorf("bank %s: entry %q %w", b.info.Name, id, ErrNotFound)
	}
	if b.slots[slot].enabled {
		b.unindexLocked(int(slot))
	}
	b.slots[slot] = slot0
	if b.info.Type != PDQ {
		b.values[slot] = ""
	}
	delete(b.byID, id)
	b.live--
	return nil
}

var slot0 slot

func (b *Bank) match(slot int, dist int, sim float64) Match {
	return Match{Bank: b.info.Name, Type: b.info.Type, Safe: b.info.Safe, Entry: b.entryLocked(slot), Distance: dist, Similarity: sim}
}

// Contains reports whether an enabled entry holds exactly value (for text
// banks: the same text or signature). Importers use it to skip hashes a
// bank already has.
func (b *Bank) Contains(value string) bool {
	v, err := NormalizeValue(b.info.Type, value)
	if err != nil {
		return false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	switch b.info.Type {
	case PDQ:
		h, _ := pdq.ParseHash(v)
		return len(b.pdqIdx.Query(h, 0, nil)) > 0
	case Text:
		sig, err := textSignature(v)
		if err != nil {
			return false
		}
		for _, m := range b.text.Query(&sig, 1) {
			if b.values[m.ID] == v {
				return true
			}
		}
		return false
	case VPDQ:
		for slot := range b.videos {
			if b.values[slot] == v {
				return true
			}
		}
		return false
	}
	return len(b.exact[v]) > 0
}

// LookupPDQ returns the enabled entries within the bank's threshold of h,
// nearest first. It returns nothing for a disabled bank or another type.
func (b *Bank) LookupPDQ(h pdq.Hash) []Match { return b.lookupPDQ(h, false) }

// lookupPDQ is LookupPDQ; with all it also answers for a disabled bank
// and returns entries disabled until later (HMA's raw_lookup).
func (b *Bank) lookupPDQ(h pdq.Hash, all bool) []Match {
	return b.lookupPDQWithin(h, -1, all)
}

// lookupPDQWithin is lookupPDQ within radius instead of the bank's
// threshold (radius < 0: the threshold).
func (b *Bank) lookupPDQWithin(h pdq.Hash, radius int, all bool) []Match {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.info.Type != PDQ || (b.info.Disabled && !all) {
		return nil
	}
	if radius < 0 {
		radius = int(b.info.Threshold)
	}
	now := time.Now().Unix()
	var out []Match
	for _, m := range b.pdqIdx.Query(h, radius, nil) {
		slot := int(b.pdqSlot[m.ID])
		if all || b.slots[slot].until <= now {
			out = append(out, b.match(slot, m.Distance, 0))
		}
	}
	sortMatches(out)
	return out
}

// LookupExact returns the enabled entries equal to a lowercase hex hash.
func (b *Bank) LookupExact(t SignalType, hexValue string) []Match {
	return b.lookupExact(t, hexValue, false)
}

func (b *Bank) lookupExact(t SignalType, hexValue string, all bool) []Match {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.info.Type != t || (b.info.Disabled && !all) || b.exact == nil {
		return nil
	}
	now := time.Now().Unix()
	var out []Match
	for _, slot := range b.exact[strings.ToLower(hexValue)] {
		if all || b.slots[slot].until <= now {
			out = append(out, b.match(slot, 0, 0))
		}
	}
	return out
}

// LookupText returns the enabled entries whose similarity to sig reaches
// the bank's threshold, most similar first.
func (b *Bank) LookupText(sig *textsig.Signature) []Match {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.info.Type != Text || b.info.Disabled {
		return nil
	}
	now := time.Now().Unix()
	var out []Match
	for _, m := range b.text.Query(sig, b.info.Threshold) {
		if b.slots[m.ID].until <= now {
			out = append(out, b.match(int(m.ID), 0, m.Similarity))
		}
	}
	return out
}

func sortMatches(m []Match) {
	for i := 1; i < len(m); i++ {
		for j := i; j > 0 && m[j].Distance < m[j-1].Distance; j-- {
			m[j], m[j-1] = m[j-1], m[j]
		}
	}
}
