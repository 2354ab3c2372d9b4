package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

// benchPostsJSONL builds n tweet-shaped JSONL posts (id, platform, url,
// author, text, lang, posted_at and two unknown counters) whose texts are
// the Moroccan comments and Arabic tweets of the reference data, the posts
// of BenchmarkDefaultDetection.
func benchPostsJSONL(tb testing.TB, n int) []byte {
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

// BenchmarkScan is `basira scan -` with the default detection, end to end
// (decoding, pseudonyms, detection, JSONL output) over 4,000 posts per
// op: posts/s and allocations per post. workers=2 against workers=1 in
// the same run is the scaling over cores (run with -cpu 2).
func BenchmarkScan(b *testing.B) {
	const n = 4000
	data := benchPostsJSONL(b, n)
	for _, w := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(w), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			posts := 0
			for b.Loop() {
				env := &Env{Stdin: bytes.NewReader(data), Stdout: io.Discard, Stderr: io.Discard,
					Getenv: func(string) string { return "" }}
				if code := Run(context.Background(), env, []string{"scan", "--workers", strconv.Itoa(w), "-"}); code != 0 {
					b.Fatalf("exit %d", code)
				}
				posts += n
			}
			b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}
