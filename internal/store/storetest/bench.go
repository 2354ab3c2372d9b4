package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
)

// Workloads of BenchRecordProcessing.
const (
	// Distinct: every post is flagged and opens its own case.
	Distinct = "distinct"
	// Campaigns: every post is flagged and folds into one of 8 campaigns.
	Campaigns = "campaigns"
)

var benchPhrases = []string{
	"يا شباب الأمة انفروا إلى ساحات الجهاد",
	"انضموا إلينا في صفوف المجاهدين",
	"هاجروا إلى أرض الخلافة ولا تترددوا",
	"الهجرة إلى أرض الخلافة واجبة على كل موحد",
	"اجي معانا للجهاد أخويا الجنة كتسنا",
	"aji m3ana l jihad a khoya",
	"Frères, faites la hijra vers la terre du califat",
	"Rejoignez les moudjahidines au Sham",
}

var benchLetters = []rune("بتثجحخدذرزسشصضطظعغفقكلمنهوي")

// benchText is flagged post i of a workload: a campaign phrase, alone
// (campaigns) or followed by random words (distinct).
func benchText(workload string, r *rand.Rand, i int) string {
	phrase := benchPhrases[i%len(benchPhrases)]
	if workload != Distinct {
		return phrase + fmt.Sprintf(" https://t.co/%x", r.Uint32())
	}
	var b strings.Builder
	b.WriteString(phrase)
	for range 12 {
		b.WriteByte(' ')
		for range 3 + r.IntN(5) {
			b.WriteRune(benchLetters[r.IntN(len(benchLetters))])
		}
	}
	return b.String()
}

// BenchRecordProcessing records worker results for messages of 512
// flagged posts (three signals each, as the default detectors give) with
// `workers` concurrent workers: the store's side of the service path.
func BenchRecordProcessing(b *testing.B, s store.Store, workload string, workers int) {
	ctx := context.Background()
	const per = 512
	sigs := []detect.Signal{
		{Detector: "rules", Kind: detect.KindRule, Rule: "r1", Label: "recruitment", Severity: detect.High, Score: 1, Evidence: "انضموا إلينا"},
		{Detector: "rules", Kind: detect.KindRule, Rule: "r2", Label: "incitement", Severity: detect.Medium, Score: 0.8, Evidence: "الجهاد"},
		{Detector: "classify", Kind: detect.KindModel, Label: "extremism", Severity: detect.Low, Score: 0.7},
	}
	seq := 0
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		b.StopTimer()
		batches := make([][]store.Processing, workers)
		for w := range batches {
			seq++
			ps := make([]*post.Post, per)
			for i := range ps {
				ps[i] = &post.Post{ID: fmt.Sprintf("%d-%d", seq, i), Platform: []string{"x", "telegram", "tiktok"}[i%3], Text: benchText(workload, r, i)}
			}
			res, err := s.PutPosts(ctx, "bench", "bench", ps)
			if err != nil {
				b.Fatal(err)
			}
			batch := make([]store.Processing, len(res.New))
			for i, k := range res.New {
				p := ps[i]
				batch[i] = store.Processing{PostKey: k, Platform: p.Platform, Seen: time.Now(), Signals: sigs,
					Category: "recruitment", Severity: detect.High, Score: 1, Priority: 3}
				clean := strings.Fields(p.Text)
				if workload != Distinct {
					clean = clean[:len(clean)-1] // the link
				}
				batch[i].ClusterKey = strings.Join(clean, " ")
				if sg, err := textsig.Of(p.Text); err == nil {
					batch[i].Signature = &sg
				}
			}
			batches[w] = batch
		}
		b.StartTimer()
		errs := make(chan error, workers)
		for _, batch := range batches {
			go func() {
				_, err := s.RecordProcessing(ctx, "bench", batch)
				errs <- err
			}()
		}
		for range workers {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*per*workers)/b.Elapsed().Seconds(), "posts/s")
}
