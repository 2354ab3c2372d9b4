package sanctions

import (
	"math/bits"
	"sort"
	"strings"
	"sync"

	"github.com/basira-org/basira/internal/sanctions/namematch"
)

// Ref points at an entry of an indexed list.
type Ref struct{ List, Entry int32 }

// Match is one hit of a search.
type Match struct {
	List  string `json:"list"`
	Date  string `json:"list_date"`
	Entry *Entry `json:"entry"`
	// Name is the name or alias that matched.
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	// Wallet is the listed address, for a wallet match.
	Wallet *Wallet `json:"wallet,omitempty"`
}

type indexedName struct {
	ref  Ref
	text string
	n    namematch.Name
}

// vocab maps the distinct tokens (or keys) of the indexed names to the
// names holding them, and groups the tokens by first-letter class and
// length so a query token is compared only with plausible partners.
type vocab struct {
	ids     map[string]int32
	words   []string
	masks   []uint64 // letters present in each word, for a cheap bound
	post    [][]int32
	buckets map[[2]byte][]int32
}

func newVocab() *vocab {
	return &vocab{ids: map[string]int32{}, buckets: map[[2]byte][]int32{}}
}

func (v *vocab) add(word string, name int32) {
	if word == "" {
		return
	}
	id, ok := v.ids[word]
	if !ok {
		id = int32(len(v.words))
		v.ids[word] = id
		v.words = append(v.words, word)
		v.masks = append(v.masks, letterMask(word))
		v.post = append(v.post, nil)
		k := [2]byte{namematch.FirstClass(word), byte(min(len(word), 255))}
		v.buckets[k] = append(v.buckets[k], id)
	}
	if p := v.post[id]; len(p) == 0 || p[len(p)-1] != name {
		v.post[id] = append(v.post[id], name)
	}
}

// similar calls fn for each vocabulary word whose Jaro-Winkler similarity
// to w is at least min (exact words included).
func (v *vocab) similar(w string, minSim float64, fn func(id int32)) {
	if w == "" {
		return
	}
	lo, hi := len(w)*7/10, len(w)*10/7+1
	c := namematch.FirstClass(w)
	for l := max(1, lo); l <= min(hi, 255); l++ {
		for _, id := range v.buckets[[2]byte{c, byte(l)}] {
			// Jaro-Winkler can reach minSim only if enough of w's letters
			// occur in the word: bound it before computing it.
			m := 0
			mv := v.masks[id]
			for i := 0; i < len(w); i++ {
				if mv&(1<<(w[i]&63)) != 0 {
					m++
				}
			}
			fm := float64(min(m, l))
			jaro := (fm/float64(len(w)) + fm/float64(l) + 1) / 3
			if jaro+0.4*(1-jaro) < minSim {
				continue
			}
			if namematch.JaroWinkler(w, v.words[id]) >= minSim {
				fn(id)
			}
		}
	}
}

// letterMask sets bit (c & 63) for each byte c of w.
func letterMask(w string) uint64 {
	var m uint64
	for i := 0; i < len(w); i++ {
		m |= 1 << (w[i] & 63)
	}
	return m
}

// Index answers wallet and name queries over a set of lists.
type Index struct {
	lists   []*List
	wallets map[string][]walletHit
	names   []indexedName
	// Latin-script names: tokens and keys; Arabic-script names: romanized
	// tokens and keys.
	latin, latinKeys, arabic, arabicKeys *vocab
	hitsPool                             sync.Pool
}

// hitSet records, per candidate name, which query tokens found it; it is
// dense (one word per indexed name) and reused across searches.
type hitSet struct {
	mask    []uint32
	touched []int32
}

func (h *hitSet) reset(n int) {
	if len(h.mask) < n {
		h.mask = make([]uint32, n)
	}
	for _, id := range h.touched {
		h.mask[id] = 0
	}
	h.touched = h.touched[:0]
}

func (h *hitSet) mark(name int32, qi int) {
	if h.mask[name] == 0 {
		h.touched = append(h.touched, name)
	}
	h.mask[name] |= 1 << qi
}

type walletHit struct {
	ref Ref
	w   int32
}

// NewIndex builds the index of lists.
func NewIndex(lists []*List) *Index {
	x := &Index{lists: lists, wallets: map[string][]walletHit{},
		latin: newVocab(), latinKeys: newVocab(), arabic: newVocab(), arabicKeys: newVocab()}
	x.hitsPool.New = func() any { return &hitSet{} }
	for li, l := range lists {
		for ei := range l.Entries {
			e := &l.Entries[ei]
			ref := Ref{int32(li), int32(ei)}
			for wi, w := range e.Wallets {
				k := WalletKey(w.Address)
				x.wallets[k] = append(x.wallets[k], walletHit{ref, int32(wi)})
			}
			if e.Type == "wallet" {
				continue // an address-only entry: its name is a placeholder
			}
			for _, name := range append([]string{e.Name}, e.Aliases...) {
				x.addName(ref, name)
			}
		}
	}
	return x
}

func (x *Index) addName(ref Ref, text string) {
	n := namematch.Prepare(text)
	if len(n.Tokens) == 0 {
		return
	}
	id := int32(len(x.names))
	x.names = append(x.names, indexedName{ref, text, n})
	tv, kv := x.latin, x.latinKeys
	if n.Arabic {
		tv, kv = x.arabic, x.arabicKeys
	}
	for i, t := range n.Tokens {
		tv.add(t, id)
		kv.add(n.Keys[i], id)
		if i < len(n.AltKeys) {
			kv.add(n.AltKeys[i], id)
		}
	}
}

// Lists returns the indexed lists.
func (x *Index) Lists() []*List { return x.lists }

// Names returns the number of indexed names and aliases.
func (x *Index) Names() int { return len(x.names) }

func (x *Index) entry(r Ref) (*List, *Entry) {
	l := x.lists[r.List]
	return l, &l.Entries[r.Entry]
}

// Wallet returns the entries listing address (exact match; EVM and bech32
// case-insensitive).
func (x *Index) Wallet(address string) []Match {
	var out []Match
	for _, h := range x.wallets[WalletKey(address)] {
		l, e := x.entry(h.ref)
		out = append(out, Match{List: l.Name, Date: l.Date, Entry: e, Name: e.Name, Score: 1, Wallet: &e.Wallets[h.w]})
	}
	return out
}

// tokenSim is the Jaro-Winkler similarity from which a vocabulary token
// makes its names candidates.
const tokenSim = 0.8

// Search returns the entries whose name or an alias scores at least
// minScore against query, best first, one match per entry, at most limit.
// Candidates come from token blocks (first-letter class and length);
// a candidate must share similar tokens with at least two query tokens
// (one for a one-token query), since a name matching fewer cannot reach a
// useful score.
func (x *Index) Search(query string, minScore float64, limit int) []Match {
	q := namematch.Prepare(query)
	if len(q.Tokens) == 0 || len(q.Tokens) > 32 {
		return nil
	}
	h := x.hitsPool.Get().(*hitSet)
	defer x.hitsPool.Put(h)
	h.reset(len(x.names))
	mark := func(v *vocab, qi int) func(id int32) {
		return func(id int32) {
			for _, n := range v.post[id] {
				h.mark(n, qi)
			}
		}
	}
	nq := 0
	for i, t := range q.Tokens {
		if len(t) < 2 {
			continue // initials and "S.A." letters: kept for scoring, too common to find candidates
		}
		nq++
		if q.Arabic {
			x.arabic.similar(t, tokenSim, mark(x.arabic, i))
			x.latinKeys.similar(q.Keys[i], tokenSim, mark(x.latinKeys, i))
			if alt := q.AltKeys[i]; alt != "" {
				x.latinKeys.similar(alt, tokenSim, mark(x.latinKeys, i))
			}
		} else {
			x.latin.similar(t, tokenSim, mark(x.latin, i))
			if id, ok := x.latinKeys.ids[q.Keys[i]]; ok {
				mark(x.latinKeys, i)(id) // Mohammed finds Muhammad
			}
			x.arabicKeys.similar(q.Keys[i], tokenSim, mark(x.arabicKeys, i))
		}
	}
	need := min(2, nq)
	if need == 0 {
		return nil
	}
	// A name whose similar tokens cover too little of the query cannot
	// reach minScore: with best-pairs averaging, matched query tokens of
	// total length m out of t, and listed tokens at most twice as long
	// (the blocking admits 1.43), the score is at most 3m/(t+2m).
	total := 0
	for _, t := range q.Tokens {
		total += len(t)
	}
	minCover := float64(total) * minScore / (3 - 2*minScore)
	best := bestMatches{}
	for _, id := range h.touched {
		mask := h.mask[id]
		if bits.OnesCount32(mask) < need {
			continue
		}
		cover := 0
		for m := mask; m != 0; m &= m - 1 {
			cover += len(q.Tokens[bits.TrailingZeros32(m)])
		}
		if float64(cover) < minCover {
			continue
		}
		n := &x.names[id]
		s := namematch.Score(q, n.n)
		if s < minScore {
			continue
		}
		best.keep(x, n, s)
	}
	out := best.list()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].List != out[j].List {
			return out[i].List < out[j].List
		}
		return out[i].Entry.ID < out[j].Entry.ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// bestMatches keeps each entry's best-scoring name.
type bestMatches map[Ref]Match

// keep records name n with score s unless its entry already has a match
// scoring at least s.
func (best bestMatches) keep(x *Index, n *indexedName, s float64) {
	if m, ok := best[n.ref]; ok && m.Score >= s {
		return
	}
	l, e := x.entry(n.ref)
	best[n.ref] = Match{List: l.Name, Date: l.Date, Entry: e, Name: n.text, Score: s}
}

// list returns the matches, unordered.
func (best bestMatches) list() []Match {
	out := make([]Match, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	return out
}

// TextThreshold is the score from which a name found inside running text
// is reported: higher than for a search, since nobody chose the words as a
// name.
const TextThreshold = 0.92

// FindInText finds listed names mentioned in a text. Only a name's rare
// tokens (held by at most rareLimit names of the index; "al-Zawahiri",
// not "Mohammed") find it, by spelling or, across scripts, by phonetic key
// of three letters or more; then the windows of words around the rare
// word, up to the name's length + 2, are scored as a whole and the best
// one counts from TextThreshold. So the listed alias "Ali Mohammed" — two
// of the commonest names — never fires on ordinary text, and a one-word
// name counts only in its own script and with five letters or more.
func (x *Index) FindInText(text string) []Match {
	words := strings.Fields(text)
	if len(words) == 0 || len(x.names) == 0 {
		return nil
	}
	if len(words) > 2000 {
		words = words[:2000]
	}
	rare := x.rareLimit()
	prepared := make([]namematch.Name, len(words))
	type hit struct {
		name int32
		at   int
		same bool
	}
	var hits []hit
	add := func(ids []int32, i int, same bool) {
		if len(ids) > rare {
			return
		}
		for _, id := range ids {
			hits = append(hits, hit{id, i, same})
		}
	}
	for i, w := range words {
		p := namematch.Prepare(w)
		prepared[i] = p
		for j, t := range p.Tokens {
			// Keys shorter than three letters ("l" for Ali, على…) are too
			// common to find names across scripts in running text.
			key := p.Keys[j]
			if len(key) < 3 {
				key = ""
			}
			if p.Arabic {
				add(postOf(x.arabic, t), i, true)
				add(postOf(x.latinKeys, key), i, false)
				if alt := p.AltKeys[j]; len(alt) >= 3 {
					add(postOf(x.latinKeys, alt), i, false)
				}
			} else {
				add(postOf(x.latin, t), i, true)
				add(postOf(x.arabicKeys, key), i, false)
			}
		}
	}
	// Where each spelling and each key of three letters or more occurs.
	where := map[string][]int{}
	for i, p := range prepared {
		for j, t := range p.Tokens {
			where[scriptKey(p.Arabic, t)] = append(where[scriptKey(p.Arabic, t)], i)
			if k := p.Keys[j]; len(k) >= 3 {
				where["k:"+k] = append(where["k:"+k], i)
			}
			if j < len(p.AltKeys) {
				if k := p.AltKeys[j]; len(k) >= 3 {
					where["k:"+k] = append(where["k:"+k], i)
				}
			}
		}
	}
	nearest := func(list []int, p, reach int) int {
		best := -1
		for _, q := range list {
			if d := abs(q - p); d <= reach && (best < 0 || d < abs(best-p)) {
				best = q
			}
		}
		return best
	}
	var q namematch.Name // reused window buffer
	window := func(first, last int) namematch.Name {
		q.Arabic, q.Tokens, q.Keys = false, q.Tokens[:0], q.Keys[:0]
		for i := first; i <= last; i++ {
			q.Arabic = q.Arabic || prepared[i].Arabic
			q.Tokens = append(q.Tokens, prepared[i].Tokens...)
			q.Keys = append(q.Keys, prepared[i].Keys...)
		}
		return q
	}
	best := bestMatches{}
	type tried struct {
		name int32
		at   int
	}
	done := map[tried]bool{}
	for _, h := range hits {
		if done[tried{h.name, h.at}] {
			continue
		}
		done[tried{h.name, h.at}] = true
		n := &x.names[h.name]
		size := len(n.n.Tokens)
		if size == 1 && (!h.same || len(n.n.Tokens[0]) < 5 || len(n.n.Keys[0]) < 3) {
			continue
		}
		// The name's other tokens near the rare one: two must be there.
		lo, hi, count := h.at, h.at, 0
		for k, t := range n.n.Tokens {
			at := nearest(where[scriptKey(n.n.Arabic, t)], h.at, size+2)
			if key := n.n.Keys[k]; at < 0 && len(key) >= 3 {
				at = nearest(where["k:"+key], h.at, size+2)
			}
			if k < len(n.n.AltKeys) {
				if key := n.n.AltKeys[k]; at < 0 && len(key) >= 3 {
					at = nearest(where["k:"+key], h.at, size+2)
				}
			}
			if at >= 0 {
				count++
				lo, hi = min(lo, at), max(hi, at)
			}
		}
		if count < min(2, size) {
			continue
		}
		// Grow the window over name words that found nothing (أبو, whose
		// key is one letter).
		grow := min(size-count, 3)
		s := 0.0
		for l := 0; l <= grow; l++ {
			for r := 0; r <= grow-l; r++ {
				if a, b := lo-l, hi+r; a >= 0 && b < len(words) {
					s = max(s, namematch.Score(window(a, b), n.n))
				}
			}
		}
		if s < TextThreshold {
			continue
		}
		best.keep(x, n, s)
	}
	out := best.list()
	sort.Slice(out, func(i, j int) bool {
		return out[i].Score > out[j].Score || out[i].Score == out[j].Score && out[i].Entry.ID < out[j].Entry.ID
	})
	return out
}

// rareLimit is the most names a token may belong to and still find names
// in running text.
func (x *Index) rareLimit() int { return 20 + len(x.names)/2000 }

func scriptKey(arabic bool, t string) string {
	if arabic {
		return "a:" + t
	}
	return "l:" + t
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func postOf(v *vocab, w string) []int32 {
	if id, ok := v.ids[w]; ok && w != "" {
		return v.post[id]
	}
	return nil
}
