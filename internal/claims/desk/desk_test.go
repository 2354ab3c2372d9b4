package desk_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/claims/desk"
	"github.com/basira-org/basira/internal/claims/trending"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/refdata"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

func openStore(t testing.TB) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "basira.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// everything keeps every post: the stories below are news headlines, and
// the test measures the clustering, not the worthiness stand-in.
type everything struct{}

func (everything) Score(*arabic.Doc) float64 { return 1 }

// stories reads ANS dev stories: a query with the headlines it is
// relevant to (a paraphrase or a contradiction of them), at least three
// texts per story.
func stories(t testing.TB, split string, n int) [][]string {
	dir := refdata.Path(t, "claims/ar-ans")
	read := func(name string) map[string]string {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m := map[string]string{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			cols := strings.Split(sc.Text(), "\t")
			if len(cols) >= 2 {
				m[cols[0]] = cols[1]
			}
		}
		return m
	}
	queries, claims := read(split+"_queries.tsv"), read("collection.tsv")
	rel := map[string][]string{}
	var order []string
	f, err := os.Open(filepath.Join(dir, split+"_qrels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Fields(sc.Text())
		if len(c) == 4 && c[3] == "1" {
			if rel[c[0]] == nil {
				order = append(order, c[0])
			}
			rel[c[0]] = append(rel[c[0]], c[2])
		}
	}
	var out [][]string
	used := map[string]bool{}
	for _, q := range order {
		if len(rel[q]) < 2 || len(out) == n {
			continue
		}
		texts := []string{queries[q]}
		dup := false
		for _, c := range rel[q] {
			dup = dup || used[c]
			texts = append(texts, claims[c])
		}
		if dup { // a headline in two stories would join them
			continue
		}
		for _, c := range rel[q] {
			used[c] = true
		}
		out = append(out, texts)
	}
	return out
}

// TestRefreshClustersStories puts real ANS stories (headlines with their
// paraphrases and contradictions) into a store and checks that the desk
// groups each story's posts and nothing else.
func TestRefreshClustersStories(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Now().UTC().Truncate(time.Second)
	sts := stories(t, "dev", 150)
	if len(sts) < 100 {
		t.Fatalf("only %d stories in the ANS dev split", len(sts))
	}
	storyOf := map[string]int{} // post id → story
	var posts []*post.Post
	for s, texts := range sts {
		for i, text := range texts {
			at := now.Add(-time.Duration(len(posts)) * time.Minute)
			id := fmt.Sprintf("s%d-%d", s, i)
			storyOf[id] = s
			posts = append(posts, &post.Post{Platform: "x", ID: id, Text: text, Author: fmt.Sprintf("a%d", i), PostedAt: &at})
		}
	}
	if _, err := st.PutPosts(ctx, "test", "test", posts); err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, desk.Options{Trending: trending.Options{Worthiness: everything{}}})
	n, err := d.Refresh(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.ListClaimClusters(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(cs) || n == 0 {
		t.Fatalf("refresh saved %d clusters, store lists %d", n, len(cs))
	}
	byKey := map[int64]string{}
	for _, p := range posts {
		sp, err := st.FindPost(ctx, p.Platform, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		byKey[sp.Key] = p.ID
	}
	pure, clustered := 0, 0
	found := map[int]bool{}
	for _, c := range cs {
		count := map[int]int{}
		for _, k := range c.PostKeys {
			count[storyOf[byKey[k]]]++
		}
		top, topStory := 0, 0
		for s, v := range count {
			if v > top {
				top, topStory = v, s
			}
		}
		pure += top
		clustered += len(c.PostKeys)
		found[topStory] = true
		if c.Posts != len(c.PostKeys) || len(c.Samples) == 0 || c.Growth <= 0 {
			t.Errorf("cluster %s: %d posts, %d keys, %d samples, growth %g", c.Key, c.Posts, len(c.PostKeys), len(c.Samples), c.Growth)
		}
	}
	purity := float64(pure) / float64(clustered)
	recall := float64(len(found)) / float64(len(sts))
	t.Logf("%d stories, %d clusters: purity %.3f, stories found %.3f", len(sts), len(cs), purity, recall)
	// Measured: purity 0.932, stories found 0.907 (the desk's similarity
	// was chosen on the train split). Stories of one market (oil prices,
	// the dollar) share most words and are the ones merged.
	if purity < 0.9 || recall < 0.85 {
		t.Errorf("purity %.3f (want ≥ 0.9), stories found %.3f (want ≥ 0.85)", purity, recall)
	}
}

// TestKeysAndCases follows one rumour over two refreshes: its key stays,
// the debunk its posts were matched to is attached, and a case opened from
// it files the posts and is opened once.
func TestKeysAndCases(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Now().UTC().Truncate(time.Second)
	rumour := []string{
		"عاجل: وزارة الصحة تعلن إغلاق جميع المدارس لمدة شهر بسبب انتشار فيروس جديد",
		"وزارة الصحة تعلن رسميا إغلاق المدارس شهرا كاملا بسبب الفيروس الجديد",
		"خبر: إغلاق جميع المدارس لمدة شهر بقرار من وزارة الصحة بسبب فيروس جديد",
		"الحكومة تؤكد إغلاق المدارس لمدة شهر بسبب انتشار الفيروس الجديد حسب وزارة الصحة",
	}
	other := []string{"صباح الخير يا أصدقاء", "مباراة رائعة اليوم للفريق الوطني"}
	var posts []*post.Post
	for i, text := range append(slices.Clone(rumour[:3]), other...) {
		at := now.Add(-time.Duration(10*i) * time.Minute)
		posts = append(posts, &post.Post{Platform: []string{"x", "telegram"}[i%2], ID: fmt.Sprint("p", i), Text: text, Author: fmt.Sprint("a", i), PostedAt: &at})
	}
	res, err := st.PutPosts(ctx, "test", "test", posts)
	if err != nil {
		t.Fatal(err)
	}
	// The claims detector matched the first post to a published debunk.
	sig := detect.Signal{Detector: "claims", Kind: detect.KindClaim, Label: "false-claim", Score: 0.83,
		Details: map[string]any{"claim_id": "fc-1", "claim": rumour[0], "rating": "false", "url": "https://factcheck.example/fc-1"}}
	if _, err := st.RecordProcessing(ctx, "worker", []store.Processing{{PostKey: res.New[0], Signals: []detect.Signal{sig}, ClusterKey: "k0", Category: "false-claim", Severity: "high", Platform: "x", Seen: now}}); err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, desk.Options{})
	if _, err := d.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	cs, err := st.ListClaimClusters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Posts != 3 {
		t.Fatalf("want one cluster of the 3 rumour posts, got %+v", cs)
	}
	c := cs[0]
	if c.Debunk == nil || c.Debunk.ClaimID != "fc-1" || c.Debunk.Matched != 1 || c.Debunk.URL == "" {
		t.Fatalf("debunk not attached: %+v", c.Debunk)
	}
	if !slices.Equal(c.Platforms, []string{"telegram", "x"}) || c.Sources != 3 {
		t.Errorf("platforms %v sources %d", c.Platforms, c.Sources)
	}
	opened, created, err := st.OpenClaimCase(ctx, "analyst:amina", c.Key, now)
	if err != nil || !created {
		t.Fatalf("OpenClaimCase: %v created=%v", err, created)
	}
	if opened.Category != "false-claim" || opened.Status != store.StatusNew || opened.Count != 3 {
		t.Errorf("case %+v", opened)
	}
	filed, err := st.ListPosts(ctx, store.PostQuery{CaseID: opened.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(filed) != 2 { // the matched post keeps the case it had
		t.Errorf("%d posts filed under the claim case, want 2", len(filed))
	}
	again, created, err := st.OpenClaimCase(ctx, "analyst:amina", c.Key, now)
	if err != nil || created || again.ID != opened.ID {
		t.Fatalf("second OpenClaimCase: %v created=%v id %d (first %d)", err, created, again.ID, opened.ID)
	}

	// An hour later the rumour has a fourth post: same key, same case.
	later := now.Add(time.Hour)
	at := later.Add(-time.Minute)
	if _, err := st.PutPosts(ctx, "test", "test", []*post.Post{{Platform: "x", ID: "p9", Text: rumour[3], Author: "a9", PostedAt: &at}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Refresh(ctx, later); err != nil {
		t.Fatal(err)
	}
	cs, err = st.ListClaimClusters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Clustering is recomputed, so a member may drift out as the idf
	// weights change; the key and the case follow the majority.
	if len(cs) != 1 || cs[0].Key != c.Key || cs[0].Posts < 3 || !slices.Contains(cs[0].PostKeys, newest(t, st)) || cs[0].CaseID != opened.ID || cs[0].Recent != 2 {
		t.Fatalf("after the second refresh: %+v (first key %s, case %d)", cs, c.Key, opened.ID)
	}
	if _, _, err := st.OpenClaimCase(ctx, "analyst:amina", "nope", now); err == nil {
		t.Error("OpenClaimCase of an unknown cluster succeeded")
	}
	entries, err := st.AuditEntries(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var opens int
	for _, e := range entries {
		if e.Action == "case.open" && strings.Contains(string(e.Details), c.Key) {
			opens++
		}
	}
	if opens != 1 {
		t.Errorf("%d case.open audit entries for the cluster, want 1", opens)
	}
}

// newest returns the key of the last post stored.
func newest(t *testing.T, st store.Store) int64 {
	ps, err := st.ListPosts(context.Background(), store.PostQuery{Limit: 1})
	if err != nil || len(ps) != 1 {
		t.Fatalf("ListPosts: %v %v", ps, err)
	}
	return ps[0].Key
}
