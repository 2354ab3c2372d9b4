package trending

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/claims/retrieve"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/refdata"
)

var base = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

func item(id, text, author string, at time.Time) *Item {
	return &Item{Post: &post.Post{ID: id, Text: text, Author: author, PostedAt: &at}, Doc: arabic.Analyze(text)}
}

// realGroups returns CheckThat! 2022 English training tweets grouped by the
// fact-checked claim they repeat (the true clusters: different people
// tweeting the same rumour in their own words), for claims with at least
// two tweets. Timestamps are synthetic and interleaved: a new group starts
// every 7 minutes and its tweets come 37 minutes apart, so many clusters
// are open at once.
func realGroups(t *testing.T) ([]*Item, map[*Item]string) {
	b, err := eval.LoadEnglish2022(refdata.Path(t, "claims/en-ct2022-2a"))
	if err != nil {
		t.Fatal(err)
	}
	byClaim := map[string][]eval.Query{}
	for _, q := range b.Train.Queries {
		if len(b.Train.Qrels[q.ID]) != 1 {
			continue
		}
		for id := range b.Train.Qrels[q.ID] {
			byClaim[id] = append(byClaim[id], q)
		}
	}
	var ids []string
	for id, qs := range byClaim {
		if len(qs) >= 2 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var items []*Item
	truth := map[*Item]string{}
	for g, id := range ids {
		for k, q := range byClaim[id] {
			at := base.Add(time.Duration(g)*7*time.Minute + time.Duration(k)*37*time.Minute)
			it := item(q.ID, q.Text, fmt.Sprintf("a:%d", k), at)
			items = append(items, it)
			truth[it] = id
		}
	}
	return items, truth
}

// nearDuplicates makes 2-4 reworded copies of real Arabic tweets (the
// CheckThat! 2021 training queries): words dropped, "عاجل"/RT prefixes and
// hashtags added, as rumours are copied from account to account.
func nearDuplicates(qs []eval.Query, n int) ([]*Item, map[*Item]string) {
	rng := rand.New(rand.NewPCG(1, 2))
	var items []*Item
	truth := map[*Item]string{}
	for g, q := range qs[:min(n, len(qs))] {
		words := strings.Fields(q.Text)
		copies := 2 + rng.IntN(3)
		for k := range copies {
			var kept []string
			for _, w := range words {
				if rng.Float64() > 0.2 {
					kept = append(kept, w)
				}
			}
			text := strings.Join(kept, " ")
			switch k % 3 {
			case 1:
				text = "عاجل: " + text
			case 2:
				text = "RT @user" + fmt.Sprint(k) + ": " + text + " #شارك"
			}
			at := base.Add(time.Duration(g)*5*time.Minute + time.Duration(k)*23*time.Minute)
			it := item(fmt.Sprintf("%s-%d", q.ID, k), text, fmt.Sprintf("a:%d", k), at)
			items = append(items, it)
			truth[it] = q.ID
		}
	}
	return items, truth
}

// pairScores scores a clustering against the truth by pairs of posts.
func pairScores(cs []*Cluster, items []*Item, truth map[*Item]string) (p, r, f float64) {
	got := map[*Item]int{}
	for ci, c := range cs {
		for _, it := range c.Posts {
			got[it] = ci + 1
		}
	}
	var tp, fp, fn float64
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			same := truth[items[i]] == truth[items[j]]
			g := got[items[i]] != 0 && got[items[i]] == got[items[j]]
			switch {
			case same && g:
				tp++
			case g:
				fp++
			case same:
				fn++
			}
		}
	}
	p, r = tp/(tp+fp), tp/(tp+fn)
	return p, r, 2 * p * r / (p + r)
}

func TestClustersRealTweets(t *testing.T) {
	en, enTruth := realGroups(t)
	b, err := eval.LoadArabic2021(refdata.Path(t, "claims/ar-ct2021-2a"))
	if err != nil {
		t.Fatal(err)
	}
	ar, arTruth := nearDuplicates(b.Train.Queries, 150)
	for _, tc := range []struct {
		name              string
		items             []*Item
		truth             map[*Item]string
		minP, minR, minF1 float64
	}{
		// Figures at the default similarity (docs/claims.md has the
		// curve): reworded tweets by different people are hard.
		{"en-2022-same-claim", en, enTruth, 0.90, 0.45, 0.62},
		{"ar-2021-near-duplicates", ar, arTruth, 0.93, 0.95, 0.94},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := Build(context.Background(), tc.items, Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, r, f := pairScores(cs, tc.items, tc.truth)
			t.Logf("%d posts → %d clusters; pairwise precision %.3f recall %.3f F1 %.3f", len(tc.items), len(cs), p, r, f)
			if p < tc.minP || r < tc.minR || f < tc.minF1 {
				t.Errorf("precision/recall/F1 %.3f/%.3f/%.3f below floors %.2f/%.2f/%.2f", p, r, f, tc.minP, tc.minR, tc.minF1)
			}
		})
	}
}

func TestGrowthRanking(t *testing.T) {
	now := base.Add(48 * time.Hour)
	var items []*Item
	// A rumour spreading now: eight accounts within the last hour.
	for k := range 8 {
		items = append(items, item(fmt.Sprint("fast", k), "عاجل: وزارة الصحة تعلن وفاة 3 أطفال بعد تلقي لقاح كورونا في مدينة فاس", fmt.Sprint("a:f", k), now.Add(-time.Duration(k)*7*time.Minute)))
	}
	// An older one: ten posts from one account over the last day.
	for k := range 10 {
		items = append(items, item(fmt.Sprint("slow", k), "البنك المركزي يسحب الأوراق النقدية من فئة 200 درهم من التداول ابتداء من الشهر المقبل", "a:s", now.Add(-time.Duration(k)*2*time.Hour-time.Hour)))
	}
	// Noise: unrelated single posts.
	items = append(items, item("n1", "مباراة الرجاء والوداد انتهت بالتعادل", "a:n1", now), item("n2", "the weather in Rabat is nice today", "a:n2", now))
	cs, err := Build(context.Background(), items, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("got %d clusters, want 2", len(cs))
	}
	if !strings.HasPrefix(cs[0].Posts[0].Post.ID, "fast") || len(cs[0].Posts) != 8 || cs[0].Sources != 8 || cs[0].RecentSources != 8 {
		t.Errorf("first cluster: %d posts %d sources %d recent sources, first %s; want the 8-account burst", len(cs[0].Posts), cs[0].Sources, cs[0].RecentSources, cs[0].Posts[0].Post.ID)
	}
	if len(cs[1].Posts) != 10 || cs[1].Sources != 1 || cs[1].Growth >= cs[0].Growth {
		t.Errorf("second cluster: %d posts %d sources growth %.2f (first %.2f)", len(cs[1].Posts), cs[1].Sources, cs[1].Growth, cs[0].Growth)
	}
	// Outside the window the same text starts a new cluster.
	late := item("late", items[0].Post.Text, "a:l", now.Add(72*time.Hour))
	late2 := item("late2", items[0].Post.Text, "a:l2", now.Add(73*time.Hour))
	cs, err = Build(context.Background(), append(items, late, late2), Options{Window: 6 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		for _, it := range c.Posts {
			if it == late {
				n = len(c.Posts)
			}
		}
	}
	if n != 2 {
		t.Errorf("a post 3 days later joined a cluster of %d, want a new cluster of 2", n)
	}
}

func TestClusterShowsDebunk(t *testing.T) {
	b, err := eval.LoadArabic2021(refdata.Path(t, "claims/ar-ct2021-2a"))
	if err != nil {
		t.Fatal(err)
	}
	// Copies of the dev tweets, with a re-ranker trained on the training
	// tweets.
	ix := retrieve.NewIndex(b.Collection, retrieve.Options{})
	m := retrieve.NewMatcher(ix, retrieve.TrainModel(retrieve.Examples(ix, b.Train), retrieve.TrainOptions{}, "test"))
	items, truth := nearDuplicates(b.Dev.Queries, 85)
	cs, err := Build(context.Background(), items, Options{Matcher: m})
	if err != nil {
		t.Fatal(err)
	}
	right, shown := 0, 0
	for _, c := range cs {
		if c.Debunk == nil {
			continue
		}
		shown++
		q := truth[c.Posts[0]]
		if b.Dev.Qrels[q][c.Debunk.Claim.ID] {
			right++
		}
	}
	t.Logf("%d clusters, %d shown with a debunk, %d of them the right one", len(cs), shown, right)
	// The match probability is calibrated so that a never-checked rumour
	// rarely reaches the threshold (docs/claims.md): fewer clusters get a
	// debunk (53 of 84 before that, 39 of 84 after), nearly all right.
	if float64(shown) < 0.4*float64(len(cs)) || float64(right) < 0.8*float64(shown) {
		t.Errorf("%d of %d clusters show a debunk, %d right", shown, len(cs), right)
	}
	// Checked clusters come after unchecked ones.
	for i := 1; i < len(cs); i++ {
		if cs[i-1].Debunk != nil && cs[i].Debunk == nil {
			t.Fatalf("cluster %d (checked) ranks above cluster %d (unchecked)", i-1, i)
		}
	}
}
