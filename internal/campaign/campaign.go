// Package campaign is the rule that folds flagged posts into cases: which
// case each post joins (the case of its exact copies, or the stored case
// whose first post it nears) and what each case's summary becomes.
//
// It is pure. A store reads what the rule needs (the exact keys already
// placed, the stored cases near a post), calls Resolve, Rebase and Fold,
// and writes the result with one statement per case; so every backend
// folds the same way, concurrent workers need no lock on a case row to
// decide, and the rule is fuzzed without a database.
package campaign

import (
	"slices"
	"sort"
	"time"

	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
)

// Stored is a stored case a post may join: its id (older cases first),
// cluster key and the signature of the post that opened it.
type Stored struct {
	ID        int64
	Key       string
	Signature textsig.Signature
}

// MaxCandidates bounds the stored cases compared with one post: the
// oldest ones sharing an LSH band with it.
const MaxCandidates = 64

// order returns the indexes of posts in exact-key order (post key within
// one key), so that results never depend on the order of a batch.
func order(posts []store.Processing) []int {
	idx := make([]int, len(posts))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		pa, pb := &posts[idx[a]], &posts[idx[b]]
		if pa.ClusterKey != pb.ClusterKey {
			return pa.ClusterKey < pb.ClusterKey
		}
		return pa.PostKey < pb.PostKey
	})
	return idx
}

// Resolve settles the cluster key of each post of a batch (out[i] for
// posts[i]; "" for a post with no ClusterKey, which opens no case).
// posts[i].ClusterKey is the post's exact-copy key. A post whose exact key
// is placed already (placed, read from the store) follows it, so every
// later copy joins the case the first one chose. Otherwise a post with a
// signature joins the candidate of near[i] most similar to it (at least
// textsig.DefaultThreshold; on a tie the first), or else the earlier post
// of the batch it nears most; a post that joins nothing is a root: its
// case is keyed by its own exact key.
func Resolve(posts []store.Processing, placed map[string]string, near [][]Stored) []string {
	out := make([]string, len(posts))
	chosen := make(map[string]string, len(posts))
	var local *textsig.Index
	var roots []string // cluster keys of the batch's roots, by local index id
	for _, i := range order(posts) {
		p := &posts[i]
		exact := p.ClusterKey
		if exact == "" {
			continue
		}
		if k, ok := chosen[exact]; ok {
			out[i] = k
			continue
		}
		if k, ok := placed[exact]; ok {
			out[i], chosen[exact] = k, k
			continue
		}
		k := exact
		if p.Signature != nil {
			if best := nearest(p.Signature, near, i); best != "" {
				k = best
			} else {
				if local == nil {
					local = textsig.NewIndex()
				}
				if ms := local.Query(p.Signature, textsig.DefaultThreshold); len(ms) > 0 {
					k = roots[ms[0].ID]
				} else {
					local.Add(uint32(len(roots)), *p.Signature)
					roots = append(roots, exact)
				}
			}
		}
		out[i], chosen[exact] = k, k
	}
	return out
}

// nearest returns the key of the candidate of near[i] most similar to sig
// (at least the threshold), or "".
func nearest(sig *textsig.Signature, near [][]Stored, i int) string {
	if i >= len(near) {
		return ""
	}
	best, bestSim := "", textsig.DefaultThreshold
	for j := range near[i] {
		c := &near[i][j]
		if s := textsig.Similarity(sig, &c.Signature); s > bestSim || (s == bestSim && best == "") {
			best, bestSim = c.Key, s
		}
	}
	return best
}

// Rebase applies the placement the store kept once the batch's choices
// were written (first writer wins): final maps each exact key of the batch
// to the cluster key stored for it, this batch's or another worker's that
// placed it first. A post follows its exact key's final key, and a post
// that joined a root of the batch whose exact key went to another case
// follows that case. fix holds, for the exact keys this batch placed on
// such a root, the key to store instead.
func Rebase(posts []store.Processing, keys []string, final map[string]string) (out []string, fix map[string]string) {
	moved := map[string]string{}
	for i, p := range posts {
		if k, ok := final[p.ClusterKey]; ok && keys[i] == p.ClusterKey && k != p.ClusterKey {
			moved[p.ClusterKey] = k // a root of this batch lost its own key
		}
	}
	follow := func(k string) string {
		for range len(moved) + 1 {
			next, ok := moved[k]
			if !ok || next == k {
				break
			}
			k = next
		}
		return k
	}
	out = make([]string, len(keys))
	for i, p := range posts {
		if keys[i] == "" {
			continue
		}
		k, ok := final[p.ClusterKey]
		if !ok {
			k = keys[i]
		}
		out[i] = follow(k)
		if k == keys[i] && out[i] != k {
			if fix == nil {
				fix = map[string]string{}
			}
			fix[p.ClusterKey] = out[i]
		}
	}
	return out, fix
}

// Summary is what a group of posts contributes to its case, or a case's
// whole state: the counters a store adds (Count) or merges (the rest).
type Summary struct {
	Key   string
	Count int
	// FirstSeen and LastSeen are Unix microseconds, as stored.
	FirstSeen, LastSeen int64
	// Category and Severity are those of the strongest post (Strength).
	Category, Severity string
	Strength, Score    float64 // the strongest post's strength; the highest score
	Priority           int     // the highest priority
	Platforms          []string
	// Opener is the index in the batch of the post that opens the case
	// when it is new: the group's lowest post key.
	Opener int
}

// Strength orders posts for the case summary: severity first, then score.
func Strength(p *store.Processing) float64 {
	return float64(p.Priority) + p.Score/2
}

// Stronger reports whether a summary of strength s with category c and
// severity v replaces one of strength s0, c0, v0. Ties go to the smaller
// (category, severity), so the result does not depend on the order in
// which workers commit.
func Stronger(s float64, c, v string, s0 float64, c0, v0 string) bool {
	if s != s0 {
		return s > s0
	}
	if c != c0 {
		return c < c0
	}
	return v < v0
}

// Micro is t in Unix microseconds, as stores keep times.
func Micro(t time.Time) int64 { return t.UTC().UnixMicro() }

// Fold sums the posts of a batch per cluster key (keys[i] for posts[i],
// from Resolve; posts with "" are left out), in key order.
func Fold(posts []store.Processing, keys []string, now time.Time) []Summary {
	by := map[string]int{}
	var out []Summary
	for i := range posts {
		k := keys[i]
		if k == "" {
			continue
		}
		p := &posts[i]
		seen := Micro(p.Seen)
		if p.Seen.IsZero() {
			seen = Micro(now)
		}
		one := Summary{Key: k, Count: 1, FirstSeen: seen, LastSeen: seen, Category: p.Category, Severity: p.Severity,
			Strength: Strength(p), Score: p.Score, Priority: p.Priority, Platforms: []string{p.Platform}, Opener: i}
		j, ok := by[k]
		if !ok {
			by[k] = len(out)
			out = append(out, one)
			continue
		}
		opener := out[j].Opener
		if p.PostKey < posts[opener].PostKey {
			opener = i
		}
		out[j] = Merge(out[j], one)
		out[j].Opener = opener
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out
}

// Merge returns case a grown by b, as the store's UPDATE computes it:
// counts add up, the seen range widens, the strongest summary's category
// and severity win, score and priority take the highest. It is
// commutative and associative (but for Opener, kept from a), so batches
// folded by concurrent workers give the same case whatever the order.
func Merge(a, b Summary) Summary {
	m := a
	m.Count = a.Count + b.Count
	m.FirstSeen, m.LastSeen = min(a.FirstSeen, b.FirstSeen), max(a.LastSeen, b.LastSeen)
	if Stronger(b.Strength, b.Category, b.Severity, a.Strength, a.Category, a.Severity) {
		m.Category, m.Severity = b.Category, b.Severity
	}
	m.Strength, m.Score, m.Priority = max(a.Strength, b.Strength), max(a.Score, b.Score), max(a.Priority, b.Priority)
	m.Platforms = union(a.Platforms, b.Platforms)
	return m
}

func union(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
