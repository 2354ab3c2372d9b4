// Package trending finds emerging claims: check-worthy posts that say the
// same thing are grouped into clusters within a sliding time window, and
// the clusters are ranked by how fast they spread (posts per hour and
// distinct sources), so a desk sees the fastest-spreading unchecked claims
// first. A cluster that repeats a published fact-check carries it.
package trending

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/claims/retrieve"
	"github.com/basira-org/basira/internal/post"
)

// Worthiness scores how much a post makes a factual claim worth checking,
// from 0 to 1. The check-worthiness classifier (internal/classify) is
// meant to be plugged in here; Lexical is a simple stand-in.
type Worthiness interface {
	Score(doc *arabic.Doc) float64
}

// Options tune Build. Zero values mean the defaults.
type Options struct {
	// Window: a cluster stays open while its last post is at most this old
	// (default 24h). A post later than that starts a new cluster.
	Window time.Duration
	// Similarity is the least cosine similarity (tf-idf over stems)
	// between a post and a cluster for the post to join (default 0.15,
	// chosen on CheckThat! English training tweets: see docs/claims.md).
	Similarity float64
	// MinWorthiness drops posts the Worthiness model scores below it
	// (default 0.5; ignored when Worthiness is nil).
	MinWorthiness float64
	// MinSize drops smaller clusters from the result (default 2).
	MinSize int
	// Now is the time growth is measured at (default: the latest post).
	Now time.Time
	// Recent is the span over which current growth is counted (default 1h).
	Recent time.Duration
	// Worthiness picks the posts that make a claim; nil keeps all posts.
	Worthiness Worthiness
	// Matcher, when set, looks up a published fact-check for each
	// cluster; a match needs at least MatchThreshold (default 0.5).
	Matcher        *retrieve.Matcher
	MatchThreshold float64
	// Samples is how many posts a cluster keeps as examples (default 3).
	Samples int
}

func (o *Options) fill() {
	if o.Window <= 0 {
		o.Window = 24 * time.Hour
	}
	if o.Similarity <= 0 {
		o.Similarity = 0.15
	}
	if o.MinWorthiness <= 0 {
		o.MinWorthiness = 0.5
	}
	if o.MinSize <= 0 {
		o.MinSize = 2
	}
	if o.Recent <= 0 {
		o.Recent = time.Hour
	}
	if o.MatchThreshold <= 0 {
		o.MatchThreshold = retrieve.DefaultThreshold
	}
	if o.Samples <= 0 {
		o.Samples = 3
	}
}

// Item is a post with its text analysis.
type Item struct {
	Post *post.Post
	Doc  *arabic.Doc
	// Worthiness is the score the model gave (1 without a model).
	Worthiness float64
}

// Cluster is a group of posts that say the same thing.
type Cluster struct {
	Posts []*Item
	// Samples are the posts closest to the cluster's centre, best first.
	Samples []*Item
	First   time.Time
	Last    time.Time
	// Sources counts distinct authors (pseudonyms); posts without an
	// author count as one source each.
	Sources int
	// PerHour is posts per hour over the cluster's life (at least one
	// hour); Recent is posts in the last Options.Recent before Now, and
	// RecentSources the distinct sources among them.
	PerHour       float64
	Recent        int
	RecentSources int
	// Growth ranks clusters: RecentSources + Recent/2 + PerHour/4, so new
	// sources weigh more than one account posting again and again.
	Growth float64
	// Debunk is the published fact-check the cluster repeats, if any.
	Debunk *retrieve.Hit
}

// Build clusters items (in any order; posts without a time are placed at
// Now) and returns the clusters of at least MinSize posts, unchecked ones
// first, then by Growth.
func Build(ctx context.Context, items []*Item, o Options) ([]*Cluster, error) {
	o.fill()
	var kept []*Item
	var latest time.Time
	for _, it := range items {
		it.Worthiness = 1
		if o.Worthiness != nil {
			it.Worthiness = o.Worthiness.Score(it.Doc)
			if it.Worthiness < o.MinWorthiness {
				continue
			}
		}
		if t := it.Post.PostedAt; t != nil && t.After(latest) {
			latest = *t
		}
		kept = append(kept, it)
	}
	now := o.Now
	if now.IsZero() {
		now = latest
	}
	when := func(it *Item) time.Time {
		if it.Post.PostedAt != nil {
			return *it.Post.PostedAt
		}
		return now
	}
	sort.SliceStable(kept, func(i, j int) bool { return when(kept[i]).Before(when(kept[j])) })

	vecs := vectors(kept)
	type open struct {
		c        *Cluster
		centroid map[string]float64
		norm, sq float64
		members  []int
	}
	var clusters []*open
	postings := map[string][]int{} // stem → open clusters holding it
	for i, it := range kept {
		t := when(it)
		v := vecs[i]
		// Candidate clusters share a stem with the post; they are tried in
		// order so that ties go to the older cluster and runs repeat.
		seen := map[int]bool{}
		var cands []int
		for _, e := range v {
			for _, ci := range postings[e.stem] {
				if !seen[ci] {
					seen[ci] = true
					cands = append(cands, ci)
				}
			}
		}
		slices.Sort(cands)
		best, bestSim := -1, 0.0
		for _, ci := range cands {
			oc := clusters[ci]
			if t.Sub(oc.c.Last) > o.Window {
				continue
			}
			if sim := cosine(v, oc.centroid, oc.norm); sim >= o.Similarity && sim > bestSim {
				best, bestSim = ci, sim
			}
		}
		if best < 0 {
			best = len(clusters)
			clusters = append(clusters, &open{c: &Cluster{First: t}, centroid: map[string]float64{}})
		}
		oc := clusters[best]
		oc.c.Posts = append(oc.c.Posts, it)
		oc.c.Last = t
		oc.members = append(oc.members, i)
		for _, e := range v {
			old := oc.centroid[e.stem]
			if old == 0 {
				postings[e.stem] = append(postings[e.stem], best)
			}
			oc.centroid[e.stem] = old + e.w
			oc.sq += (old+e.w)*(old+e.w) - old*old
		}
		oc.norm = math.Sqrt(oc.sq) + 1e-12
	}

	var out []*Cluster
	for _, oc := range clusters {
		c := oc.c
		if len(c.Posts) < o.MinSize {
			continue
		}
		summarize(c, now, o.Recent)
		// Samples: members closest to the centre.
		type scored struct {
			it  *Item
			sim float64
		}
		ss := make([]scored, len(oc.members))
		for k, i := range oc.members {
			ss[k] = scored{kept[i], cosine(vecs[i], oc.centroid, oc.norm)}
		}
		slices.SortStableFunc(ss, func(a, b scored) int {
			switch {
			case a.sim > b.sim:
				return -1
			case a.sim < b.sim:
				return 1
			}
			return 0
		})
		for k := 0; k < len(ss) && k < o.Samples; k++ {
			c.Samples = append(c.Samples, ss[k].it)
		}
		if o.Matcher != nil {
			if err := matchDebunk(ctx, c, o); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	out = mergeByDebunk(out, now, o.Recent)
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Debunk == nil) != (out[j].Debunk == nil) {
			return out[i].Debunk == nil
		}
		return out[i].Growth > out[j].Growth
	})
	return out, nil
}

// mergeByDebunk merges clusters that repeat the same published
// fact-check: they are one rumour worded apart.
func mergeByDebunk(cs []*Cluster, now time.Time, recent time.Duration) []*Cluster {
	first := map[string]*Cluster{}
	var out []*Cluster
	for _, c := range cs {
		if c.Debunk == nil {
			out = append(out, c)
			continue
		}
		into, ok := first[c.Debunk.Claim.ID]
		if !ok {
			first[c.Debunk.Claim.ID] = c
			out = append(out, c)
			continue
		}
		into.Posts = append(into.Posts, c.Posts...)
		if c.First.Before(into.First) {
			into.First = c.First
		}
		if c.Last.After(into.Last) {
			into.Last = c.Last
		}
		if len(into.Samples) < len(c.Samples) {
			into.Samples = c.Samples
		}
		if c.Debunk.Prob > into.Debunk.Prob {
			into.Debunk = c.Debunk
		}
		into.Recent, into.RecentSources = 0, 0
		summarize(into, now, recent)
	}
	return out
}

// matchDebunk looks up the cluster's central posts in the fact-check
// index and keeps the best match above the threshold.
func matchDebunk(ctx context.Context, c *Cluster, o Options) error {
	for _, it := range c.Samples {
		hits, err := o.Matcher.MatchText(ctx, it.Post.Text, retrieve.AnalyzeDoc(it.Doc, it.Post.PostedAt), 1)
		if err != nil {
			return err
		}
		if len(hits) > 0 && hits[0].Prob >= o.MatchThreshold && (c.Debunk == nil || hits[0].Prob > c.Debunk.Prob) {
			h := hits[0]
			c.Debunk = &h
		}
	}
	return nil
}

func summarize(c *Cluster, now time.Time, recent time.Duration) {
	sources := map[string]bool{}
	recentSources := map[string]bool{}
	anon := 0
	for i, it := range c.Posts {
		key := it.Post.Author
		if key == "" {
			anon++
			key = "\x00" + string(rune(i))
		}
		sources[key] = true
		if t := it.Post.PostedAt; t == nil || !t.Before(now.Add(-recent)) {
			c.Recent++
			recentSources[key] = true
		}
	}
	c.Sources = len(sources)
	c.RecentSources = len(recentSources)
	hours := max(c.Last.Sub(c.First).Hours(), 1)
	c.PerHour = float64(len(c.Posts)) / hours
	c.Growth = float64(c.RecentSources) + float64(c.Recent)/2 + c.PerHour/4
}

// entry is one stem of a post's vector.
type entry struct {
	stem string
	w    float64
}

// vectors returns the tf-idf vectors (over distinct stems, idf from the
// items themselves) of the items, normalized to unit length, each sorted
// by stem so that sums come out the same on every run.
func vectors(items []*Item) [][]entry {
	sets := make([][]string, len(items))
	df := map[string]int{}
	for i, it := range items {
		t := retrieve.AnalyzeDoc(it.Doc, nil)
		seen := map[string]bool{}
		for _, s := range t.BaseStems() {
			if !seen[s] {
				seen[s] = true
				sets[i] = append(sets[i], s)
				df[s]++
			}
		}
	}
	n := float64(len(items))
	vecs := make([][]entry, len(items))
	for i, ss := range sets {
		slices.Sort(ss)
		v := make([]entry, len(ss))
		var sum float64
		for k, s := range ss {
			w := math.Log(1 + n/float64(df[s]))
			v[k] = entry{s, w}
			sum += w * w
		}
		nv := math.Sqrt(sum) + 1e-12
		for k := range v {
			v[k].w /= nv
		}
		vecs[i] = v
	}
	return vecs
}

// cosine of unit vector v with centroid c of norm cn.
func cosine(v []entry, c map[string]float64, cn float64) float64 {
	var dot float64
	for _, e := range v {
		dot += e.w * c[e.stem]
	}
	return dot / cn
}
