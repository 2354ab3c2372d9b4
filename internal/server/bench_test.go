package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/post"
)

// BenchmarkPush measures POST /v1/posts end to end through the handler
// (auth, decoding, validation, pseudonyms, rate limit, durable SQLite
// commit) with batches of 500 fresh posts. BenchmarkPutPostsBaseline stores
// the same batches straight into the store: the ratio is the API's cost.
func BenchmarkPush(b *testing.B) {
	e := newEnv(b, Config{IngestRate: 1e9, IngestBurst: 1 << 30, PseudonymKey: []byte("k")}, nil)
	const n = 500
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		body := batch(n, i*n, "bench")
		i++
		req := httptest.NewRequest("POST", "/v1/posts", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens[auth.Ingest])
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(i*n)/b.Elapsed().Seconds(), "posts/s")
}

func BenchmarkPutPostsBaseline(b *testing.B) {
	e := newEnv(b, Config{}, nil)
	const n = 500
	i := 0
	ps := post.NewPseudonymizer([]byte("k"))
	b.ReportAllocs()
	for b.Loop() {
		posts := make([]*post.Post, n)
		for k := range posts {
			id := i*n + k
			posts[k] = &post.Post{ID: fmt.Sprintf("p%d", id), Platform: "bench", Author: ps.Pseudonym("bench", fmt.Sprintf("@user%d", k%7)), Text: fmt.Sprintf("منشور رقم %d", id), Source: "push:bench"}
		}
		i++
		if _, err := e.db.PutPosts(context.Background(), "bench", "bench", posts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i*n)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkDecodePush is the decoder alone on a 500-post batch.
func BenchmarkDecodePush(b *testing.B) {
	body := batch(500, 0, "bench")
	opts := PushOptions{MaxPosts: 5000, Source: "push:bench", Pseudonymizer: post.NewPseudonymizer([]byte("k"))}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, bad, err := DecodePush(body, "application/json", opts); err != nil || len(bad) > 0 {
			b.Fatal(err, bad)
		}
	}
}
