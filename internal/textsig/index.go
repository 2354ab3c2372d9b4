package textsig

import (
	"sort"
	"sync"
)

// Index holds signatures under ids and finds those near a query. It is
// safe for concurrent use.
type Index struct {
	mu    sync.RWMutex
	sigs  map[uint32]*Signature
	bands [Bands]map[uint64][]uint32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	x := &Index{sigs: map[uint32]*Signature{}}
	for i := range x.bands {
		x.bands[i] = map[uint64][]uint32{}
	}
	return x
}

func bandKey(s *Signature, b int) uint64 {
	k := uint64(b) * 0x9e3779b97f4a7c15
	for _, v := range s[b*Rows : (b+1)*Rows] {
		k = mix(k ^ uint64(v))
	}
	return k
}

// Add stores sig under id, replacing what id held.
func (x *Index) Add(id uint32, sig Signature) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.sigs[id]; ok {
		x.removeLocked(id)
	}
	s := &sig
	x.sigs[id] = s
	for b := range x.bands {
		k := bandKey(s, b)
		x.bands[b][k] = append(x.bands[b][k], id)
	}
}

// Remove deletes id; it reports whether it was there.
func (x *Index) Remove(id uint32) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.removeLocked(id)
}

func (x *Index) removeLocked(id uint32) bool {
	s, ok := x.sigs[id]
	if !ok {
		return false
	}
	for b := range x.bands {
		k := bandKey(s, b)
		ids := x.bands[b][k]
		for i, v := range ids {
			if v == id {
				ids[i] = ids[len(ids)-1]
				ids = ids[:len(ids)-1]
				break
			}
		}
		if len(ids) == 0 {
			delete(x.bands[b], k)
		} else {
			x.bands[b][k] = ids
		}
	}
	delete(x.sigs, id)
	return true
}

// Len returns the number of stored signatures.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.sigs)
}

// Match is a stored signature near a query.
type Match struct {
	ID         uint32
	Similarity float64
}

// Query returns the stored signatures whose estimated similarity to sig is
// at least threshold, most similar first. LSH finds candidates; a pair
// with similarity J is a candidate with probability 1-(1-J^Rows)^Bands
// (0.87 at J=0.5, 0.98 at 0.6, 0.9998 at 0.8).
func (x *Index) Query(sig *Signature, threshold float64) []Match {
	x.mu.RLock()
	defer x.mu.RUnlock()
	seen := map[uint32]bool{}
	var out []Match
	for b := range x.bands {
		for _, id := range x.bands[b][bandKey(sig, b)] {
			if seen[id] {
				continue
			}
			seen[id] = true
			if s := Similarity(sig, x.sigs[id]); s >= threshold {
				out = append(out, Match{ID: id, Similarity: s})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Similarity != out[j].Similarity {
			return out[i].Similarity > out[j].Similarity
		}
		return out[i].ID < out[j].ID
	})
	return out
}
