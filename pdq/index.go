package pdq

import (
	"errors"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Index finds every stored hash within a Hamming radius of a query, with
// the same answer as comparing the query with every stored hash.
//
// It is a multi-index hash (Norouzi, Punjani and Fleet, 2012): the 256 bits
// are cut into 16 chunks of 16 bits, and each chunk value has a bucket of
// the ids whose hash holds that value at that chunk. Two hashes within
// distance r differ by at most r/16 bits (rounded down) in at least one
// chunk (pigeonhole), so a query only visits, in each of the 16 tables, the
// buckets of chunk values within that many bits of its own chunk (17
// buckets at r=31) and checks the full distance of the ids found there.
//
// Most ids found that way are far from the query (on random data, 4,000 per
// query at 1M hashes, 41,000 at 10M), and checking each one reads its hash
// from a random place in memory. A sharper pigeonhole avoids most of those
// reads: the 8 pairs of neighbouring chunks (32 bits) hold at most r/8
// differing bits in at least one pair, and within that pair one chunk holds
// at most r/16. So an id only needs checking through table t if its pair is
// also within r/8 bits. Each bucket entry keeps a 13-bit XOR fold of the
// other chunk of the pair; folding never increases a distance, so comparing
// folds is a safe filter, without leaving the bucket, that passes about 1
// id in 70 on random data.
//
// Room for the fold comes from the ids: a bucket keeps its ids in
// increasing order, each written as the difference from the previous one
// in 19 bits (the differences average 65,536 whatever the size of the
// index, since a bucket holds 1/65,536 of the ids), with the rare larger
// one written in a second word. An entry is thus one 32-bit word.
//
// Adding and removing are incremental: a hash goes into (or out of) one
// bucket per table, with no rebuild. Small indexes are scanned flat until
// they reach flatLimit hashes, when the tables are built once.
//
// An Index is not safe for concurrent use by writers; concurrent queries
// with no writer are safe.
type Index struct {
	hashes []Hash
	dead   []uint64 // bitset over ids: removed
	free   []uint32 // removed ids, reused by Add
	live   int
	tables *[chunks]table
	// scratch for re-encoding one bucket
	ids, folds, words []uint32
}

// Entry encoding: a word is delta<<foldBits | fold; delta == escape means
// the id is in the next word.
const (
	foldBits = 13
	foldMask = 1<<foldBits - 1
	escape   = 1<<(32-foldBits) - 1
)

// table holds the buckets of one chunk in one array (arena): a bucket is
// the words arena[off:off+n], with room for cap words. A bucket that
// outgrows its room moves to the end of the arena; the arena is compacted
// when more than half of it is abandoned space. Heads cost 12 bytes per
// bucket (768 KiB per table) instead of 24 for a slice header, and all of
// a table's entries are one allocation.
type table struct {
	heads [1 << chunkBits]head
	arena []uint32
	waste int
}

type head struct{ off, n, cap uint32 }

func (tb *table) bucket(v uint16) []uint32 {
	h := tb.heads[v]
	return tb.arena[h.off : h.off+h.n : h.off+h.n]
}

// set replaces the words of bucket v.
func (tb *table) set(v uint16, words []uint32) {
	h := &tb.heads[v]
	n := uint32(len(words))
	if n > h.cap {
		newCap := max(4, h.cap*2, n)
		if len(tb.arena)+int(newCap) > cap(tb.arena) && tb.waste > len(tb.arena)/2 {
			tb.compact()
		}
		off := uint32(len(tb.arena))
		tb.arena = append(tb.arena, make([]uint32, newCap)...)
		tb.waste += int(h.cap)
		h.off, h.cap = off, newCap
	}
	copy(tb.arena[h.off:h.off+n], words)
	h.n = n
}

// compact rewrites the arena with every bucket at its used size plus a
// quarter of room.
func (tb *table) compact() {
	total := 0
	for _, h := range tb.heads {
		total += int(h.n + h.n/4)
	}
	arena := make([]uint32, 0, total+total/4)
	adviseHuge(arena)
	for v := range tb.heads {
		h := &tb.heads[v]
		off := uint32(len(arena))
		arena = append(arena, tb.arena[h.off:h.off+h.n]...)
		arena = arena[:len(arena)+int(h.n/4)]
		h.off, h.cap = off, h.n+h.n/4
	}
	tb.arena, tb.waste = arena, 0
}

// appendEntry encodes id (greater than prev, the previous id of the
// bucket, or 0 for the first) with its fold.
func appendEntry(words []uint32, prev, id, fold uint32) []uint32 {
	if d := id - prev; d < escape {
		return append(words, d<<foldBits|fold)
	}
	return append(words, escape<<foldBits|fold, id)
}

// decode appends the ids and folds of a bucket's words.
func decode(words []uint32, ids, folds []uint32) ([]uint32, []uint32) {
	prev := uint32(0)
	for i := 0; i < len(words); i++ {
		w := words[i]
		id := prev + w>>foldBits
		if w>>foldBits == escape {
			i++
			id = words[i]
		}
		prev = id
		ids = append(ids, id)
		folds = append(folds, w&foldMask)
	}
	return ids, folds
}

// insert adds id (with fold) to bucket v of table t, keeping ids sorted.
func (x *Index) insert(t int, v uint16, id, fold uint32) {
	tb := &x.tables[t]
	ids, folds := decode(tb.bucket(v), x.ids[:0], x.folds[:0])
	i, _ := slices.BinarySearch(ids, id)
	ids, folds = slices.Insert(ids, i, id), slices.Insert(folds, i, fold)
	x.reencode(tb, v, ids, folds)
}

// drop removes id from bucket v of table t.
func (x *Index) drop(t int, v uint16, id uint32) {
	tb := &x.tables[t]
	ids, folds := decode(tb.bucket(v), x.ids[:0], x.folds[:0])
	i, ok := slices.BinarySearch(ids, id)
	if !ok {
		return
	}
	ids, folds = slices.Delete(ids, i, i+1), slices.Delete(folds, i, i+1)
	x.reencode(tb, v, ids, folds)
}

func (x *Index) reencode(tb *table, v uint16, ids, folds []uint32) {
	words := x.words[:0]
	prev := uint32(0)
	for i, id := range ids {
		words = appendEntry(words, prev, id, folds[i])
		prev = id
	}
	tb.set(v, words)
	x.ids, x.folds, x.words = ids, folds, words
}

const (
	chunks    = 16
	chunkBits = 16
	// flatLimit is the size under which a flat scan is as fast as the
	// tables, which cost 12 MB of bucket heads even when nearly empty.
	flatLimit = 4096
	// MaxLen is the most hashes one Index holds; larger collections are
	// split over several indexes.
	MaxLen = 1 << 24
)

// ErrFull is returned by Add when the index holds MaxLen hashes.
var ErrFull = errors.New("pdq index full (16,777,216 hashes): split the bank")

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{} }

// Len returns the number of hashes in the index.
func (x *Index) Len() int { return x.live }

// Hash returns the hash stored under id.
func (x *Index) Hash(id uint32) Hash { return x.hashes[id] }

// Has reports whether id holds a hash (it was added and not removed).
func (x *Index) Has(id uint32) bool {
	return int(id) < len(x.hashes) && x.dead[id>>6]>>(id&63)&1 == 0
}

func chunkOf(h *Hash, t int) uint16 {
	return uint16(h[t>>2] >> (48 - 16*(t&3)))
}

// foldOf is the 13-bit XOR fold of the chunk paired with chunk t (t^1):
// bit i is the XOR of chunk bits i and i+13 (for i < 3) or chunk bit i.
// Each chunk bit lands in one fold bit, so the fold's distance never
// exceeds the chunk's.
func foldOf(h *Hash, t int) uint32 {
	c := uint32(chunkOf(h, t^1))
	return (c ^ c>>foldBits) & foldMask
}

// Add stores h and returns its id. Ids of removed hashes are reused.
func (x *Index) Add(h Hash) (uint32, error) { return x.add(h, true) }

func (x *Index) add(h Hash, reuse bool) (uint32, error) {
	var id uint32
	if n := len(x.free); n > 0 && reuse {
		id = x.free[n-1]
		x.free = x.free[:n-1]
		x.hashes[id] = h
		x.dead[id>>6] &^= 1 << (id & 63)
	} else {
		if len(x.hashes) >= MaxLen {
			return 0, ErrFull
		}
		id = uint32(len(x.hashes))
		x.hashes = append(x.hashes, h)
		if int(id>>6) >= len(x.dead) {
			x.dead = append(x.dead, 0)
		}
	}
	x.live++
	if x.tables != nil {
		for t := range chunks {
			x.insert(t, chunkOf(&h, t), id, foldOf(&h, t))
		}
	} else if x.live >= flatLimit {
		x.build()
	}
	return id, nil
}

// AddAll stores many hashes at once and returns the id of the first; the
// others follow in order (ids of removed hashes are not reused here). A
// load that at least doubles the index builds its tables in one pass,
// sized exactly, so a bulk load wastes no capacity.
func (x *Index) AddAll(hs []Hash) (uint32, error) {
	first := uint32(len(x.hashes))
	if len(x.hashes)+len(hs) > MaxLen {
		return 0, ErrFull
	}
	if x.live+len(hs) < flatLimit || (x.tables != nil && len(hs) < x.live) {
		for _, h := range hs {
			if _, err := x.add(h, false); err != nil {
				return 0, err
			}
		}
		return first, nil
	}
	if cap(x.hashes) < len(x.hashes)+len(hs) {
		grown := make([]Hash, len(x.hashes), len(x.hashes)+len(hs))
		adviseHuge(grown)
		copy(grown, x.hashes)
		x.hashes = grown
	}
	x.hashes = append(x.hashes, hs...)
	for len(x.dead)*64 < len(x.hashes) {
		x.dead = append(x.dead, 0)
	}
	x.live += len(hs)
	x.build()
	return first, nil
}

// build creates the tables from the stored hashes, each table's buckets
// carved out of one exactly sized array: a first pass counts each bucket's
// words, a second writes them, ids in increasing order.
func (x *Index) build() {
	x.tables = new([chunks]table)
	last := make([]uint32, 1<<chunkBits)
	for t := range chunks {
		tb := &x.tables[t]
		clear(last)
		for id := range x.hashes {
			if !x.Has(uint32(id)) {
				continue
			}
			v := chunkOf(&x.hashes[id], t)
			tb.heads[v].cap++
			if uint32(id)-last[v] >= escape {
				tb.heads[v].cap++
			}
			last[v] = uint32(id)
		}
		off := uint32(0)
		for v := range tb.heads {
			tb.heads[v].off = off
			off += tb.heads[v].cap
		}
		tb.arena = make([]uint32, off)
		adviseHuge(tb.arena)
		clear(last)
		for id := range x.hashes {
			if !x.Has(uint32(id)) {
				continue
			}
			h := &x.hashes[id]
			v := chunkOf(h, t)
			hd := &tb.heads[v]
			w := appendEntry(tb.arena[hd.off+hd.n:hd.off+hd.n], last[v], uint32(id), foldOf(h, t))
			hd.n += uint32(len(w))
			last[v] = uint32(id)
		}
	}
}

// Remove deletes the hash stored under id; it reports false if there was
// none.
func (x *Index) Remove(id uint32) bool {
	if !x.Has(id) {
		return false
	}
	h := &x.hashes[id]
	if x.tables != nil {
		for t := range chunks {
			x.drop(t, chunkOf(h, t), id)
		}
	}
	x.dead[id>>6] |= 1 << (id & 63)
	x.free = append(x.free, id)
	x.live--
	return true
}

// Match is one stored hash found by a query.
type Match struct {
	ID       uint32
	Distance int
}

// Query appends to dst every stored hash within radius of q (0-256) and
// returns it, in no particular order.
func (x *Index) Query(q Hash, radius int, dst []Match) []Match {
	if radius < 0 {
		return dst
	}
	if x.tables == nil || radius >= chunks*chunkBits/2 {
		return x.scan(q, radius, dst)
	}
	s := radius / chunks
	p := radius / (chunks / 2)
	masks := neighbourMasks(s)
	var qc [chunks]uint16
	var qf [chunks]uint32
	for t := range chunks {
		qc[t] = chunkOf(&q, t)
		qf[t] = foldOf(&q, t)
	}
	// Phase 1 reads the buckets in order and keeps the entries whose fold
	// passes, without branching on them; phase 2 checks the full hashes.
	// Keeping the two apart lets the processor fetch many hashes from
	// memory at once instead of one at a time.
	bp := candPool.Get().(*[]uint32)
	cand := (*bp)[:0]
	// Touch the first entry of every bucket first: these loads do not
	// depend on each other, so the processor overlaps their cache misses,
	// where the scanning loop below would wait for them one by one.
	var touch uint32
	for t := range chunks {
		tab := &x.tables[t]
		for _, m := range masks {
			if h := tab.heads[qc[t]^m]; h.n > 0 {
				touch ^= tab.arena[h.off]
			}
		}
	}
	for t := range chunks {
		tab := &x.tables[t]
		qfold := qf[t]
		for _, m := range masks {
			// The pair holding chunk t may differ by p bits in all; the
			// chunk itself differs by dm, so the fold may differ by p-dm.
			budget := p - bits.OnesCount16(m)
			b := tab.bucket(qc[t] ^ m)
			n := len(cand)
			cand = slices.Grow(cand, len(b))[:n+len(b)]
			out := cand[n:]
			k := 0
			prev := uint32(0)
			for i := 0; i < len(b); i++ {
				w := b[i]
				id := prev + w>>foldBits
				if w>>foldBits == escape {
					i++
					id = b[i]
				}
				prev = id
				out[k] = id<<4 | uint32(t)
				// k advances when the fold passes, without a branch that
				// would be mispredicted for every passing entry.
				k += 1 + (budget-bits.OnesCount32((w^qfold)&foldMask))>>63
			}
			cand = cand[:n+k]
		}
	}
	hashes := x.hashes
	// The same for the candidates' hashes.
	var t2 uint64
	for _, c := range cand {
		t2 ^= hashes[c>>4][0]
	}
	touchSink.Store(touch ^ uint32(t2))
	for _, c := range cand {
		h := &hashes[c>>4]
		d := bits.OnesCount64(h[0]^q[0]) + bits.OnesCount64(h[1]^q[1]) +
			bits.OnesCount64(h[2]^q[2]) + bits.OnesCount64(h[3]^q[3])
		if d <= radius && firstTable(h, &qc, &qf, int(c&15), s, p) {
			dst = append(dst, Match{ID: c >> 4, Distance: d})
		}
	}
	*bp = cand
	candPool.Put(bp)
	return dst
}

// touchSink keeps the touching loads from being optimized away.
var touchSink atomic.Uint32

var candPool = sync.Pool{New: func() any { s := make([]uint32, 0, 4096); return &s }}

// firstTable reports whether t is the first table through which the query
// reaches h (chunk within s bits and fold within the pair's remaining
// budget), so each match is reported once.
func firstTable(h *Hash, qc *[chunks]uint16, qf *[chunks]uint32, t, s, p int) bool {
	for u := range t {
		dc := bits.OnesCount16(chunkOf(h, u) ^ qc[u])
		if dc <= s && bits.OnesCount32(foldOf(h, u)^qf[u]) <= p-dc {
			return false
		}
	}
	return true
}

// scan compares q with every stored hash.
func (x *Index) scan(q Hash, radius int, dst []Match) []Match {
	for id := range x.hashes {
		h := &x.hashes[id]
		d := bits.OnesCount64(h[0]^q[0]) + bits.OnesCount64(h[1]^q[1]) +
			bits.OnesCount64(h[2]^q[2]) + bits.OnesCount64(h[3]^q[3])
		if d <= radius && x.dead[id>>6]>>(id&63)&1 == 0 {
			dst = append(dst, Match{ID: uint32(id), Distance: d})
		}
	}
	return dst
}

// maskCache lists, per s, the 16-bit values with at most s bits set. It is
// built on first lookup (768 KB): commands that only hash never pay it.
var maskCache = sync.OnceValue(func() *[chunkBits/2 + 1][]uint16 {
	var c [chunkBits/2 + 1][]uint16
	for s := range c {
		var ms []uint16
		for v := range 1 << chunkBits {
			if bits.OnesCount16(uint16(v)) <= s {
				ms = append(ms, uint16(v))
			}
		}
		c[s] = ms
	}
	return &c
})

// neighbourMasks returns every 16-bit value with at most s bits set.
func neighbourMasks(s int) []uint16 { return maskCache()[min(s, chunkBits/2)] }

// MemoryBytes estimates the heap the index holds: hashes, id lists and
// bucket headers.
func (x *Index) MemoryBytes() int64 {
	n := int64(cap(x.hashes))*int64(unsafe.Sizeof(Hash{})) + int64(cap(x.dead))*8 + int64(cap(x.free))*4
	if x.tables != nil {
		n += int64(unsafe.Sizeof(*x.tables))
		for t := range chunks {
			n += int64(cap(x.tables[t].arena)) * 4
		}
	}
	return n
}
