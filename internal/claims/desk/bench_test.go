package desk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/claims/desk"
	"github.com/basira-org/basira/internal/post"
)

// BenchmarkRefresh measures one refresh of the desk over 5,000 stored
// posts of the last day (real ANS headlines and paraphrases, repeated by
// different authors): reading them, analysing, clustering and saving.
// Figures per refresh and per post are in BENCHMARKS.md ("Rumour desk").
func BenchmarkRefresh(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	now := time.Now().UTC()
	posts := benchPosts(b, now)
	if _, err := st.PutPosts(ctx, "bench", "bench", posts); err != nil {
		b.Fatal(err)
	}
	d := desk.New(st, desk.Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := d.Refresh(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(posts)), "ns/post")
}

func benchPosts(b *testing.B, now time.Time) []*post.Post {
	sts := stories(b, "train", 400)
	var posts []*post.Post
	for i := 0; len(posts) < 5000; i++ {
		texts := sts[i%len(sts)]
		at := now.Add(-time.Duration(len(posts)) * 10 * time.Second)
		posts = append(posts, &post.Post{Platform: "x", ID: fmt.Sprint(i), Text: texts[i%len(texts)], Author: fmt.Sprint("a", i%700), PostedAt: &at})
	}
	return posts
}

// BenchmarkAnalyzeSamePosts is the baseline of BenchmarkRefresh: only
// arabic.Analyze of the same 5,000 posts, which a refresh must do.
func BenchmarkAnalyzeSamePosts(b *testing.B) {
	posts := benchPosts(b, time.Now())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, p := range posts {
			arabic.Analyze(p.Text)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(posts)), "ns/post")
}
