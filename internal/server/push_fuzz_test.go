package server

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/basira-org/basira/internal/post"
)

// FuzzDecodePush feeds arbitrary bodies to the push decoder in both forms:
// it must never panic, never return more posts than the batch limit, and
// every post it returns must be valid (id, platform, text within limits).
func FuzzDecodePush(f *testing.F) {
	f.Add([]byte(`{"posts":[{"id":"1","platform":"x","text":"سلام"}]}`), false)
	f.Add([]byte(`[{"id":1,"platform":"x","text":"a","author":"@b","media":[{"url":"http://e/1.jpg"}]}]`), false)
	f.Add([]byte(`{"posts":[{"id":"1","text":"no platform"},7,null,"s",{"id":"2","platform":"p","text":"t","posted_at":"2026-01-01"}]}`), false)
	f.Add([]byte("{\"id\":\"1\",\"platform\":\"x\",\"text\":\"a\"}\n\n{\"id\":\"2\"}\nnot json\n"), true)
	f.Add([]byte(`{"posts":null}`), false)
	f.Add([]byte(`{"posts":[{"id":"1","platform":"x","text":"a","extra":{"deep":[1,2,{"x":"y"}]}}]}`), false)
	f.Fuzz(func(t *testing.T, body []byte, ndjson bool) {
		ct := "application/json"
		if ndjson {
			ct = "application/x-ndjson"
		}
		const maxPosts, maxText = 20, 256
		posts, bad, err := DecodePush(body, ct, PushOptions{MaxPosts: maxPosts, MaxTextBytes: maxText, Source: "fuzz", Pseudonymizer: post.NewPseudonymizer([]byte("k"))})
		if err != nil {
			var ae *Error
			if !errors.Is(err, ErrBatchTooLarge) && !errors.As(err, &ae) {
				t.Fatalf("error is neither an API error nor ErrBatchTooLarge: %v", err)
			}
			if posts != nil || bad != nil {
				t.Fatal("results returned with a whole-body error")
			}
			return
		}
		if len(posts)+len(bad) > maxPosts {
			t.Fatalf("%d posts + %d rejects over the limit of %d", len(posts), len(bad), maxPosts)
		}
		last := -1
		for _, b := range bad {
			if b.Index <= last || b.Message == "" {
				t.Fatalf("item errors out of order or empty: %+v", bad)
			}
			last = b.Index
		}
		for _, p := range posts {
			if p.ID == "" || p.Platform == "" || len(p.Text) > maxText || !utf8.ValidString(p.Text) || p.Source != "fuzz" {
				t.Fatalf("invalid post accepted: %+v", p)
			}
		}
	})
}
