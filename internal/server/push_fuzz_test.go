package server

import (
	"errors"
	"strings"
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
	f.Add([]byte("{\"id\":\"a\u0000\",\"platform\":\"x\",\"text\":\"b\u0000\",\"n\":\"\xff\",\"user\":{\"screen_name\":\"s\"},\"media\":[{\"path\":\"/etc/passwd\"}]}"), true)
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
			// What every store takes (issue 15): Validate holds, no NUL
			// anywhere, no local path, extra fields valid UTF-8.
			if err := post.Validate(p, maxText); err != nil || strings.IndexByte(p.Text, 0) >= 0 {
				t.Fatalf("accepted post fails validation: %v %+v", err, p)
			}
			for _, m := range p.Media {
				if m.Path != "" {
					t.Fatalf("pushed post names a local path: %+v", p)
				}
			}
			for k, v := range p.Extra {
				if !utf8.Valid(v) || post.IsHandleField(k) && string(v) != "null" && string(v) != `""` && (len(v) < 4 || string(v[:3]) != `"a:`) {
					t.Fatalf("extra %q = %s", k, v)
				}
			}
		}
	})
}
