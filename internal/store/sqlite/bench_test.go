package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/storetest"
)

func benchPosts(seq, n int) []*post.Post {
	ps := make([]*post.Post, n)
	for i := range ps {
		ps[i] = &post.Post{ID: fmt.Sprintf("%d-%d", seq, i), Platform: "x", Author: "a:0123456789abcdef",
			URL: "https://example.org/x/1", Text: "أعلنت وزارة الداخلية تفكيك خلية كانت تخطط لهجمات في عدة مدن حسب بيان رسمي"}
	}
	return ps
}

// BenchmarkPutPosts stores batches of 1,000 new posts (one durable
// transaction each): the ingest side of the service.
func BenchmarkPutPosts(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"), Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seq := 0
	for b.Loop() {
		seq++
		if _, err := db.PutPosts(ctx, "bench", "bench", benchPosts(seq, 1000)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkRecordProcessing records worker results for messages of 512
// posts, one in ten with a signal folding into one of 40 campaign cases.
func BenchmarkRecordProcessing(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"), Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	sig := detect.Signal{Detector: "rules", Kind: detect.KindRule, Rule: "r1", Label: "recruitment", Severity: detect.High, Score: 1, Evidence: "انضموا إلينا"}
	seq := 0
	for b.Loop() {
		b.StopTimer()
		seq++
		res, err := db.PutPosts(ctx, "bench", "bench", benchPosts(seq, 512))
		if err != nil {
			b.Fatal(err)
		}
		batch := make([]store.Processing, len(res.New))
		for i, k := range res.New {
			batch[i] = store.Processing{PostKey: k, Platform: "x", Seen: time.Now()}
			if i%10 == 0 {
				batch[i].Signals = []detect.Signal{sig}
				batch[i].ClusterKey = fmt.Sprint("c", (seq*7+i)%40)
				batch[i].Category, batch[i].Severity, batch[i].Score, batch[i].Priority = "recruitment", "high", 1, 3
			}
		}
		b.StartTimer()
		if _, err := db.RecordProcessing(ctx, "bench", batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*512)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkRecordProcessingFlagged: messages of 512 flagged posts, all
// opening their own case (distinct) or folding into 8 campaigns, recorded
// by 4 concurrent workers.
func BenchmarkRecordProcessingFlagged(b *testing.B) {
	for _, w := range []string{storetest.Distinct, storetest.Campaigns} {
		b.Run(w, func(b *testing.B) {
			db, err := Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), Options{Create: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			storetest.BenchRecordProcessing(b, db, w, 4)
		})
	}
}
