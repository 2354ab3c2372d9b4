package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/basira-org/basira/internal/app"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/refdata"
)

// benchTexts are the Moroccan comments and Arabic tweets of the reference
// data that the scan benchmarks run on.
func benchTexts(tb testing.TB) []string {
	tb.Helper()
	var texts []string
	for _, f := range []struct {
		rel string
		col int
	}{{"darija/ElecMorocco2016.tsv", 1}, {"checkworthy/CT21-AR-Train-T1-Labels.tsv", 3}} {
		fh, err := os.Open(refdata.Path(tb, f.rel))
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for i := 0; sc.Scan(); i++ {
			fields := strings.Split(sc.Text(), "\t")
			if i > 0 && f.col < len(fields) && fields[f.col] != "" {
				texts = append(texts, fields[f.col])
			}
		}
		fh.Close()
	}
	return texts
}

// benchPostsJSONL builds n tweet-shaped JSONL posts (id, platform, url,
// author, text, lang, posted_at and two unknown counters) whose texts are
// the Moroccan comments and Arabic tweets of the reference data, the posts
// of BenchmarkDefaultDetection.
func benchPostsJSONL(tb testing.TB, n int) []byte {
	tb.Helper()
	texts := benchTexts(tb)
	var buf bytes.Buffer
	for i := range n {
		id := strconv.Itoa(1790000000000000000 + i)
		text, _ := json.Marshal(texts[i%len(texts)])
		buf.WriteString(`{"id":"` + id + `","platform":"x","url":"https://x.example/status/` + id +
			`","author":"user` + strconv.Itoa(i%5000) + `","text":` + string(text) +
			`,"lang":"ar","posted_at":"2026-11-01T10:00:00Z","retweets":` + strconv.Itoa(i%50) +
			`,"likes":` + strconv.Itoa(i%300) + "}\n")
	}
	return buf.Bytes()
}

// BenchmarkScan is `basira scan` with the default detection, once the
// detectors are loaded: decoding, pseudonyms, detection and JSONL output
// of 4,000 posts per op, in order. Reported: posts/s and allocations per
// post. workers=2 against workers=1 in the same run is the scaling over
// cores (run with -cpu 2; with -cpu 1 it shows the cost of the hand-over).
func BenchmarkScan(b *testing.B) {
	const n = 4000
	data := benchPostsJSONL(b, n)
	env := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	pipe, err := app.NewModules().Build(context.Background(), host(env))
	if err != nil {
		b.Fatal(err)
	}
	defer pipe.Close()
	ps := post.NewPseudonymizer([]byte("0123456789abcdef"))
	for _, w := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(w), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			posts := 0
			for b.Loop() {
				rejected := 0
				r, err := post.Open("-", bytes.NewReader(data), post.JSONL, post.Options{Pseudonymizer: ps, Source: "bench"}, func(string) { rejected++ })
				if err != nil {
					b.Fatal(err)
				}
				out := bufio.NewWriterSize(io.Discard, 64<<10)
				sink := &jsonlSink{enc: json.NewEncoder(out), w: out}
				read := 0
				err = detect.RunOrderedFrom(context.Background(), pipe, w, r.NextRaw, r.Decode, true, func(p *post.Post, res *detect.Result, encoded []byte, err error) error {
					if err != nil {
						return err
					}
					read++
					return sink.WriteEncoded(encoded)
				})
				if err != nil || read != n || rejected != 0 {
					b.Fatalf("%d posts, %d rejected, %v", read, rejected, err)
				}
				posts += n
			}
			b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}
