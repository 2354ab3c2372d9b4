package hashmatch

import (
	"fmt"
	"sort"
	"time"

	"github.com/basira-org/basira/vpdq"
)

// MaxVPDQFrames bounds one vPDQ entry so that it fits a bank's CSV record
// (MaxRecordBytes): about 13 minutes at one frame a second, fewer frames
// once repeats and low-quality frames are dropped (they never match).
const MaxVPDQFrames = MaxRecordBytes/80 - 8

// normalizeVPDQ checks a vPDQ signal string and returns it in canonical
// form: the frames matching can use (quality at least
// vpdq.DefaultQuality, each distinct hash once, as python-threatexchange
// prepares them), in order.
func normalizeVPDQ(v string) (string, error) {
	fs, err := vpdq.ParseSignal(v)
	if err != nil {
		return "", err
	}
	kept := vpdq.Compact(fs)
	if len(kept) == 0 {
		return "", fmt.Errorf("vPDQ hash of %d frames: none of quality %d or more to match", len(fs), vpdq.DefaultQuality)
	}
	if len(kept) > MaxVPDQFrames {
		return "", fmt.Errorf("vPDQ hash of %d distinct frames: over %d (hash at a lower rate)", len(kept), MaxVPDQFrames)
	}
	return vpdq.FormatSignal(kept), nil
}

// LookupVPDQ returns the enabled entries whose video the query video
// matches: at least the bank's threshold (a percentage) of the query's
// frames found in the entry's, best first. Distance is then 100 minus the
// query's percentage, rounded down, so that 0 is a full match.
func (b *Bank) LookupVPDQ(frames []vpdq.Feature) []Match { return b.lookupVPDQ(frames, false) }

// lookupVPDQ is LookupVPDQ; all also answers for a disabled bank and for
// entries disabled until later (HMA's raw_lookup).
func (b *Bank) lookupVPDQ(frames []vpdq.Feature, all bool) []Match {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.info.Type != VPDQ || (b.info.Disabled && !all) {
		return nil
	}
	now := time.Now().Unix()
	var out []Match
	for slot, fs := range b.videos {
		if !all && b.slots[slot].until > now {
			continue
		}
		r := vpdq.Match(frames, fs, vpdq.Options{})
		if !r.IsMatch(b.info.Threshold, vpdq.DefaultIndexPercent) {
			continue
		}
		m := b.match(slot, int(100-r.QueryPercent), 0)
		m.Video = &r
		out = append(out, m)
	}
	sortVideo(out)
	return out
}

func sortVideo(out []Match) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Video.QueryPercent != out[j].Video.QueryPercent {
			return out[i].Video.QueryPercent > out[j].Video.QueryPercent
		}
		return out[i].Entry.ID < out[j].Entry.ID
	})
}

// LookupVPDQ matches a video's frame hashes against every vPDQ bank.
func (m *Matcher) LookupVPDQ(frames []vpdq.Feature) []Match {
	var out []Match
	for _, b := range m.banks {
		out = append(out, b.LookupVPDQ(frames)...)
	}
	sortVideo(out)
	return out
}
