// Package desk is the rumour desk of the service: it keeps the emerging
// claims of the last hours in the store. At every refresh it reads the
// posts ingested within its window, keeps the check-worthy ones, clusters
// those that say the same thing (internal/claims/trending), attaches the
// published fact-check the claims detector matched their posts to, and
// saves the clusters, fastest-growing first. A cluster keeps its key from
// one refresh to the next while it keeps most of its posts, so a case
// opened from it stays attached.
//
// The desk reads what the workers stored, so it works the same with one
// embedded process or with many workers on PostgreSQL + NATS; only the
// process that serves the API runs it.
package desk

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/claims/trending"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/store"
)

// DefaultSimilarity is the least cosine similarity for a post to join a
// cluster on the desk. Posts in the service are short Arabic news-like
// texts, for which trending's default (0.15, chosen on English tweets)
// merges distinct stories of one market: on ANS train stories (headlines
// with their paraphrases and contradictions), 0.15 gives cluster purity
// 0.71 and 0.30 gives 0.95 with 94% of stories found (dev: 0.93, 91%).
const DefaultSimilarity = 0.3

// Store is what the desk reads and writes.
type Store interface {
	ListPosts(ctx context.Context, q store.PostQuery) ([]*store.Post, error)
	Signals(ctx context.Context, postKey int64) ([]store.Signal, error)
	store.ClaimClusters
}

// Options tune a Desk. Zero values mean the defaults.
type Options struct {
	// Window: posts ingested longer ago than this are left out (default 24h).
	Window time.Duration
	// MaxPosts bounds the posts read per refresh, newest first (default
	// 20,000): a flood cannot make a refresh unbounded.
	MaxPosts int
	// Every is how often Run refreshes (default 1 min).
	Every time.Duration
	// Trending tunes the clustering (similarity, worthiness, sizes);
	// Worthiness defaults to trending.Lexical and Similarity to
	// DefaultSimilarity.
	Trending trending.Options
	// Keep is how many clusters a refresh saves, fastest first (default 200).
	Keep   int
	Logger *slog.Logger
}

// Desk refreshes the emerging claims in a Store.
type Desk struct {
	st Store
	o  Options
}

// New returns a desk over st.
func New(st Store, o Options) *Desk {
	if o.Window <= 0 {
		o.Window = 24 * time.Hour
	}
	if o.MaxPosts <= 0 {
		o.MaxPosts = 20000
	}
	if o.Every <= 0 {
		o.Every = time.Minute
	}
	if o.Keep <= 0 {
		o.Keep = 200
	}
	if o.Trending.Similarity <= 0 {
		o.Trending.Similarity = DefaultSimilarity
	}
	if o.Trending.Worthiness == nil {
		o.Trending.Worthiness = trending.Lexical{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Desk{st: st, o: o}
}

// Run refreshes at once and then every Options.Every until ctx is done.
// A failed refresh is logged and tried again at the next tick.
func (d *Desk) Run(ctx context.Context) error {
	t := time.NewTicker(d.o.Every)
	defer t.Stop()
	for {
		if n, err := d.Refresh(ctx, time.Now()); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			d.o.Logger.Warn("rumour desk: refresh failed", "err", err)
		} else {
			d.o.Logger.Debug("rumour desk: refreshed", "clusters", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Refresh recomputes the clusters as of now and saves them; it returns how
// many it saved.
func (d *Desk) Refresh(ctx context.Context, now time.Time) (int, error) {
	posts, err := d.recent(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("reading recent posts: %w", err)
	}
	items := make([]*trending.Item, 0, len(posts))
	keyOf := make(map[*trending.Item]int64, len(posts))
	for _, p := range posts {
		if p.RemovedAt != nil || p.Text == "" {
			continue
		}
		cp := p.Post // the cluster clock: posted time, else ingest time
		if cp.PostedAt == nil || cp.PostedAt.After(now) {
			at := p.IngestedAt
			cp.PostedAt = &at
		}
		it := &trending.Item{Post: &cp, Doc: arabic.Analyze(cp.Text)}
		items = append(items, it)
		keyOf[it] = p.Key
	}
	o := d.o.Trending
	o.Now = now
	clusters, err := trending.Build(ctx, items, o)
	if err != nil {
		return 0, err
	}
	if len(clusters) > d.o.Keep {
		clusters = clusters[:d.o.Keep]
	}
	prev, err := d.st.ListClaimClusters(ctx, 1000)
	if err != nil {
		return 0, fmt.Errorf("reading the desk's clusters: %w", err)
	}
	ids := newKeeper(prev)
	out := make([]store.ClaimCluster, 0, len(clusters))
	for _, c := range clusters {
		sc, err := d.convert(ctx, c, keyOf, now)
		if err != nil {
			return 0, err
		}
		sc.Key = ids.key(sc.PostKeys)
		out = append(out, sc)
	}
	if err := d.st.SaveClaimClusters(ctx, out, now); err != nil {
		return 0, fmt.Errorf("saving the desk's clusters: %w", err)
	}
	return len(out), nil
}

// recent reads posts ingested within the window, newest first, up to
// MaxPosts.
func (d *Desk) recent(ctx context.Context, now time.Time) ([]*store.Post, error) {
	since := now.Add(-d.o.Window)
	var out []*store.Post
	q := store.PostQuery{Limit: 1000}
	for len(out) < d.o.MaxPosts {
		page, err := d.st.ListPosts(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if p.IngestedAt.Before(since) {
				return out, nil
			}
			out = append(out, p)
		}
		if len(page) < q.Limit {
			break
		}
		q.Before = page[len(page)-1].Key
	}
	if len(out) > d.o.MaxPosts {
		out = out[:d.o.MaxPosts]
	}
	return out, nil
}

// convert turns a trending cluster into the stored shape, reading its
// posts' claims signals for the debunk they repeat.
func (d *Desk) convert(ctx context.Context, c *trending.Cluster, keyOf map[*trending.Item]int64, now time.Time) (store.ClaimCluster, error) {
	sc := store.ClaimCluster{
		Posts: len(c.Posts), Sources: c.Sources, First: c.First.UTC(), Last: c.Last.UTC(),
		PerHour: c.PerHour, Recent: c.Recent, RecentSources: c.RecentSources, Growth: c.Growth,
		UpdatedAt: now.UTC(),
	}
	platforms := map[string]bool{}
	members := slices.Clone(c.Posts)
	slices.SortFunc(members, func(a, b *trending.Item) int { return cmp.Compare(keyOf[b], keyOf[a]) })
	for _, it := range members {
		platforms[it.Post.Platform] = true
		if len(sc.PostKeys) < store.MaxClusterPosts {
			sc.PostKeys = append(sc.PostKeys, keyOf[it])
		}
	}
	sc.Platforms = slices.Sorted(maps.Keys(platforms))
	for _, it := range c.Samples {
		sc.Samples = append(sc.Samples, store.ClaimSample{PostKey: keyOf[it], Platform: it.Post.Platform, Text: it.Post.Text, Worthiness: it.Worthiness})
	}
	deb, err := d.debunkOf(ctx, sc.PostKeys)
	if err != nil {
		return sc, err
	}
	sc.Debunk = deb
	return sc, nil
}

// debunkCheck bounds the posts of a cluster whose signals are read.
const debunkCheck = 50

// debunkOf returns the fact-check most of the posts' claims signals name.
func (d *Desk) debunkOf(ctx context.Context, keys []int64) (*store.ClaimDebunk, error) {
	byID := map[string]*store.ClaimDebunk{}
	for i, k := range keys {
		if i == debunkCheck {
			break
		}
		sigs, err := d.st.Signals(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("signals of post %d: %w", k, err)
		}
		for _, s := range sigs {
			if s.Kind != detect.KindClaim {
				continue
			}
			id := str(s.Details["claim_id"])
			if id == "" {
				continue
			}
			db := byID[id]
			if db == nil {
				db = &store.ClaimDebunk{ClaimID: id, Claim: str(s.Details["claim"]), Rating: str(s.Details["rating"]),
					Correction: str(s.Details["correction"]), URL: str(s.Details["url"]), Publisher: str(s.Details["publisher"])}
				byID[id] = db
			}
			db.Matched++
			db.Score = max(db.Score, s.Score)
		}
	}
	var best *store.ClaimDebunk
	for _, db := range byID {
		if best == nil || db.Matched > best.Matched || (db.Matched == best.Matched && db.ClaimID < best.ClaimID) {
			best = db
		}
	}
	return best, nil
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// keeper gives a refresh's clusters the keys of the earlier clusters they
// continue: a new cluster takes the key of the earlier cluster with which
// it shares the most posts, if that is at least half of the smaller one;
// else its key is its oldest post's key. Each earlier key goes to one
// cluster at most.
type keeper struct {
	owner map[int64]string // post key → earlier cluster key
	size  map[string]int
	taken map[string]bool
}

func newKeeper(prev []store.ClaimCluster) *keeper {
	k := &keeper{owner: map[int64]string{}, size: map[string]int{}, taken: map[string]bool{}}
	// Clusters with a case first: they keep their posts when two overlap.
	slices.SortStableFunc(prev, func(a, b store.ClaimCluster) int {
		return cmp.Compare(b.CaseID, a.CaseID)
	})
	for _, c := range prev {
		k.size[c.Key] = len(c.PostKeys)
		for _, p := range c.PostKeys {
			if _, ok := k.owner[p]; !ok {
				k.owner[p] = c.Key
			}
		}
	}
	return k
}

func (k *keeper) key(posts []int64) string {
	votes := map[string]int{}
	for _, p := range posts {
		if key, ok := k.owner[p]; ok && !k.taken[key] {
			votes[key]++
		}
	}
	best, n := "", 0
	for key, v := range votes {
		if v > n || (v == n && key < best) {
			best, n = key, v
		}
	}
	if best != "" && 2*n >= min(len(posts), k.size[best]) {
		k.taken[best] = true
		return best
	}
	oldest := posts[0]
	for _, p := range posts {
		oldest = min(oldest, p)
	}
	key := "c" + strconv.FormatInt(oldest, 10)
	for k.used(key) {
		key += "'"
	}
	k.taken[key] = true
	return key
}

// used tells whether key is taken in this refresh or names an earlier
// cluster this one does not continue.
func (k *keeper) used(key string) bool {
	_, earlier := k.size[key]
	return earlier || k.taken[key]
}
