// Package retrieve ranks fact-checked claims by how likely a post repeats
// them: a first stage of BM25 over words and stems from the arabic text
// engine, then lexical features (per-field BM25, character n-grams,
// coverage, numbers, names, dates) scored by a learned re-ranker.
package retrieve

import (
	"container/heap"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/basira-org/basira/internal/claims"
)

// BM25 parameters (the usual ones; the re-ranker learns how to weigh each
// field's score, so these are not tuned per collection).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Forward fields kept per claim, for the features of a candidate.
const (
	fClaimW = iota // words of the claim text
	fTitleW        // words of the title
	fClaimS        // stems of the claim text
	fTitleS        // stems of the title
	fNum           // numbers
	fCaps          // capitalised Latin words
	nFields
)

// Options tune an index.
type Options struct {
	// GramSize is the character n-gram length (runes, with word
	// boundaries marked); 0 means 4.
	GramSize int
	// Candidates is how many claims the first stage hands to the
	// re-ranker; 0 means 50.
	Candidates int
}

// Index is an immutable retrieval index over a set of claims. It is safe
// for concurrent use.
type Index struct {
	claims []claims.Claim
	opts   Options

	dict  map[string]uint32
	terms []string
	// grams[t] are the character n-gram ids of term t.
	grams [][]uint32

	// First stage: postings over all words / all stems of claim and
	// title, entries doc<<8 | min(tf, 255).
	wordPost, stemPost [][]uint32
	normW, normS       []float32 // per doc k1*(1-b+b*len/avg)

	// Forward index: terms of each field of each doc, in text order.
	slab []uint32
	off  []uint32 // doc*nFields+f → start in slab; len ndocs*nFields+1

	// idfW[t], idfS[t]: BM25 idf of term t as a word and as a stem.
	idfW, idfS []float64

	avgLen  [nFields]float64
	gramDF  []uint32
	avgGram float64

	pool sync.Pool
}

const gramBuckets = 1 << 20

// NewIndex builds an index over cs. The claims are kept (not copied deeply)
// and must not be changed afterwards. The text analysis of the claims, most
// of the work, runs on all cores; the index is the same as built on one.
func NewIndex(cs []claims.Claim, opts Options) *Index {
	return newIndex(cs, opts, runtime.GOMAXPROCS(0))
}

// analyzedClaim is the analysis of one claim's text and title.
type analyzedClaim struct{ text, title *Text }

// analyzeChunk is how many claims are analysed ahead of the (sequential)
// indexing: enough to keep the workers busy, little memory.
const analyzeChunk = 1024

// analyzeClaims analyses cs on workers goroutines, into out (len(cs)).
func analyzeClaims(cs []claims.Claim, out []analyzedClaim, workers int) {
	if workers <= 1 || len(cs) < 64 {
		for d := range cs {
			out[d] = analyzedClaim{Analyze(cs[d].Text, cs[d].Published), Analyze(cs[d].Title, nil)}
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				// Blocks of 16 claims: few atomic operations, even spread.
				d0 := int(next.Add(16)) - 16
				if d0 >= len(cs) {
					return
				}
				for d := d0; d < min(d0+16, len(cs)); d++ {
					out[d] = analyzedClaim{Analyze(cs[d].Text, cs[d].Published), Analyze(cs[d].Title, nil)}
				}
			}
		})
	}
	wg.Wait()
}

func newIndex(cs []claims.Claim, opts Options, workers int) *Index {
	if opts.GramSize <= 0 {
		opts.GramSize = 4
	}
	if opts.Candidates <= 0 {
		opts.Candidates = 50
	}
	ix := &Index{
		claims: cs,
		opts:   opts,
		dict:   make(map[string]uint32),
		off:    make([]uint32, 0, len(cs)*nFields+1),
		normW:  make([]float32, len(cs)),
		normS:  make([]float32, len(cs)),
		gramDF: make([]uint32, gramBuckets),
	}
	allW := make([]int, len(cs))
	allS := make([]int, len(cs))
	var gramLenSum float64
	var seen []uint32
	chunk := make([]analyzedClaim, min(len(cs), analyzeChunk))
	for d := range cs {
		if d%analyzeChunk == 0 {
			end := min(d+analyzeChunk, len(cs))
			clear(chunk)
			analyzeClaims(cs[d:end], chunk[:end-d], workers)
		}
		ct, tt := chunk[d%analyzeChunk].text, chunk[d%analyzeChunk].title
		fields := [nFields][]string{ct.Words, tt.Words, ct.Stems, tt.Stems, append(ct.Numbers, tt.Numbers...), append(ct.Caps, tt.Caps...)}
		for f, ws := range fields {
			ix.off = append(ix.off, uint32(len(ix.slab)))
			for _, w := range ws {
				ix.slab = append(ix.slab, ix.termID(w))
			}
			ix.avgLen[f] += float64(len(ws))
		}
		allW[d] = len(ct.Words) + len(tt.Words)
		allS[d] = len(ct.Stems) + len(tt.Stems)
		ix.post(&ix.wordPost, d, ix.field(d, fClaimW), ix.field(d, fTitleW))
		ix.post(&ix.stemPost, d, ix.field(d, fClaimS), ix.field(d, fTitleS))
		seen = seen[:0]
		for _, f := range []int{fClaimW, fTitleW} {
			for _, t := range ix.field(d, f) {
				seen = append(seen, ix.grams[t]...)
			}
		}
		gramLenSum += float64(len(seen))
		slices.Sort(seen)
		for i, g := range seen {
			if i == 0 || g != seen[i-1] {
				ix.gramDF[g]++
			}
		}
	}
	ix.off = append(ix.off, uint32(len(ix.slab)))
	n := float64(max(len(cs), 1))
	for f := range ix.avgLen {
		ix.avgLen[f] = max(ix.avgLen[f]/n, 1)
	}
	ix.avgGram = max(gramLenSum/n, 1)
	var sumW, sumS float64
	for d := range cs {
		sumW += float64(allW[d])
		sumS += float64(allS[d])
	}
	avgW, avgS := max(sumW/n, 1), max(sumS/n, 1)
	for d := range cs {
		ix.normW[d] = float32(bm25K1 * (1 - bm25B + bm25B*float64(allW[d])/avgW))
		ix.normS[d] = float32(bm25K1 * (1 - bm25B + bm25B*float64(allS[d])/avgS))
	}
	ix.idfW = make([]float64, len(ix.terms))
	ix.idfS = make([]float64, len(ix.terms))
	for t := range ix.terms {
		ix.idfW[t] = idf(n, float64(len(ix.wordPost[t])))
		ix.idfS[t] = idf(n, float64(len(ix.stemPost[t])))
	}
	ix.slab = slices.Clip(ix.slab)
	ix.pool.New = func() any { return &scratch{acc: make([]float32, len(cs))} }
	return ix
}

// Len returns the number of claims in the index.
func (ix *Index) Len() int { return len(ix.claims) }

// Claim returns the claim at position doc.
func (ix *Index) Claim(doc int) *claims.Claim { return &ix.claims[doc] }

func (ix *Index) termID(w string) uint32 {
	if id, ok := ix.dict[w]; ok {
		return id
	}
	id := uint32(len(ix.terms))
	ix.dict[w] = id
	ix.terms = append(ix.terms, w)
	ix.grams = append(ix.grams, gramsOf(w, ix.opts.GramSize, nil))
	ix.wordPost = append(ix.wordPost, nil)
	ix.stemPost = append(ix.stemPost, nil)
	return id
}

func (ix *Index) field(doc, f int) []uint32 {
	i := doc*nFields + f
	return ix.slab[ix.off[i]:ix.off[i+1]]
}

// post appends doc to the postings of the terms of fields, with their
// counts.
func (ix *Index) post(postings *[][]uint32, doc int, fields ...[]uint32) {
	var ts []uint32
	for _, f := range fields {
		ts = append(ts, f...)
	}
	slices.Sort(ts)
	for i := 0; i < len(ts); {
		j := i
		for j < len(ts) && ts[j] == ts[i] {
			j++
		}
		p := &(*postings)[ts[i]]
		*p = append(*p, uint32(doc)<<8|uint32(min(j-i, 255)))
		i = j
	}
}

// gramsOf appends the character n-gram ids of word w (with ^ and $ marking
// its ends) to dst. A word shorter than n gives one gram.
func gramsOf(w string, n int, dst []uint32) []uint32 {
	rs := make([]rune, 0, len(w)+2)
	rs = append(rs, '^')
	rs = append(rs, []rune(w)...)
	rs = append(rs, '$')
	if len(rs) <= n {
		return append(dst, hashRunes(rs))
	}
	for i := 0; i+n <= len(rs); i++ {
		dst = append(dst, hashRunes(rs[i:i+n]))
	}
	return dst
}

func hashRunes(rs []rune) uint32 {
	h := uint32(2166136261)
	for _, r := range rs {
		h ^= uint32(r)
		h *= 16777619
		h ^= uint32(r >> 8)
		h *= 16777619
	}
	return h & (gramBuckets - 1)
}

func idf(n, df float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// scratch is per-search working memory, pooled.
type scratch struct {
	acc     []float32
	touched []uint32
}

// query is an analysed post, mapped onto the index's terms.
type query struct {
	text  *Text
	words map[uint32]int // term → count
	stems map[uint32]int
	// wordList and stemList are the keys of words and stems, sorted, so
	// that scores are summed in the same order on every run.
	wordList, stemList []uint32
	grams              map[uint32]int
	bigram             map[uint64]bool
	nums               map[uint32]bool
	caps               map[uint32]bool
	nGrams             int
}

func (ix *Index) newQuery(t *Text) *query {
	q := &query{
		text:   t,
		words:  make(map[uint32]int, len(t.Words)),
		stems:  make(map[uint32]int, len(t.Stems)),
		grams:  make(map[uint32]int, len(t.Words)*6),
		bigram: make(map[uint64]bool, len(t.Stems)),
		nums:   make(map[uint32]bool),
		caps:   make(map[uint32]bool),
	}
	var gs []uint32
	for _, w := range t.Words {
		if id, ok := ix.dict[w]; ok {
			q.words[id]++
			gs = append(gs, ix.grams[id]...)
		} else {
			gs = gramsOf(w, ix.opts.GramSize, gs)
		}
	}
	for _, g := range gs {
		q.grams[g]++
	}
	q.nGrams = len(gs)
	prev, hasPrev := uint32(0), false
	for _, s := range t.Stems {
		id, ok := ix.dict[s]
		if ok {
			q.stems[id]++
			if hasPrev {
				q.bigram[uint64(prev)<<32|uint64(id)] = true
			}
		}
		prev, hasPrev = id, ok
	}
	q.wordList = sortedKeys(q.words)
	q.stemList = sortedKeys(q.stems)
	for _, s := range t.Numbers {
		if id, ok := ix.dict[s]; ok {
			q.nums[id] = true
		}
	}
	for _, s := range t.Caps {
		if id, ok := ix.dict[s]; ok {
			q.caps[id] = true
		}
	}
	return q
}

func sortedKeys(m map[uint32]int) []uint32 {
	ks := make([]uint32, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// firstStage returns up to k docs by BM25 over words plus BM25 over stems.
func (ix *Index) firstStage(q *query, k int, exclude map[string]bool) []Candidate {
	s := ix.pool.Get().(*scratch)
	defer ix.pool.Put(s)
	// Terms in more than a fifth of a large collection carry almost no
	// weight and cost the most; skip them.
	maxDF := len(ix.claims)
	if len(ix.claims) > 2000 {
		maxDF = len(ix.claims) / 5
	}
	add := func(terms []uint32, postings [][]uint32, idfs []float64, norm []float32) {
		for _, t := range terms {
			p := postings[t]
			if len(p) == 0 || len(p) > maxDF {
				continue
			}
			w := float32(idfs[t] * (bm25K1 + 1))
			for _, e := range p {
				d := e >> 8
				tf := float32(e & 0xff)
				if s.acc[d] == 0 {
					s.touched = append(s.touched, d)
				}
				s.acc[d] += w * tf / (tf + norm[d])
			}
		}
	}
	add(q.wordList, ix.wordPost, ix.idfW, ix.normW)
	add(q.stemList, ix.stemPost, ix.idfS, ix.normS)
	h := candHeap(make([]Candidate, 0, k+1))
	for _, d := range s.touched {
		sc := float64(s.acc[d])
		s.acc[d] = 0
		if exclude != nil && exclude[ix.claims[d].ID] {
			continue
		}
		if len(h) < k {
			heap.Push(&h, Candidate{Doc: int(d), First: sc})
		} else if sc > h[0].First || (sc == h[0].First && int(d) < h[0].Doc) {
			h[0] = Candidate{Doc: int(d), First: sc}
			heap.Fix(&h, 0)
		}
	}
	s.touched = s.touched[:0]
	out := []Candidate(h)
	slices.SortFunc(out, func(a, b Candidate) int {
		switch {
		case a.First > b.First:
			return -1
		case a.First < b.First:
			return 1
		}
		return a.Doc - b.Doc
	})
	return out
}

// candHeap is a min-heap on First score (ties: higher doc first out, so
// the lower doc number is kept).
type candHeap []Candidate

func (h candHeap) Len() int { return len(h) }
func (h candHeap) Less(i, j int) bool {
	if h[i].First != h[j].First {
		return h[i].First < h[j].First
	}
	return h[i].Doc > h[j].Doc
}
func (h candHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)   { *h = append(*h, x.(Candidate)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
