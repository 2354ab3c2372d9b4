package post

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkDecodeJSONL measures decoding tweet-length posts, the cost paid
// by every ingest path (scan, ingest, HTTP push).
func BenchmarkDecodeJSONL(b *testing.B) {
	line := `{"id":"1790000000000000001","platform":"x","url":"https://x.example/status/1790000000000000001","author":"@someone","text":"عاجل: السلطات تعلن تفكيك خلية في طنجة والتحقيق مستمر، التفاصيل في الرابط #المغرب","lang":"ar","posted_at":"2026-11-01T10:00:00Z","retweets":12,"likes":40}` + "\n"
	data := []byte(strings.Repeat(line, 1000))
	ps := NewPseudonymizer([]byte("k"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDecoder(bufio.NewReader(bytes.NewReader(data)), JSONL, Options{Pseudonymizer: ps})
		n := 0
		for {
			_, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 1000 {
			b.Fatal(n)
		}
	}
}

// BenchmarkPseudonym is the keyed pseudonym of one handle, as every post
// with an author pays it: "pooled" is Pseudonym on one handle (a cache
// hit), "pooled-distinct" on 100,000 handles in turn, "new" builds the HMAC
// per call as it used to (the baseline in the same run).
func BenchmarkPseudonym(b *testing.B) {
	key := []byte("0123456789abcdef0123456789abcdef")
	p := NewPseudonymizer(key)
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.Pseudonym("x", "some_user_handle")
		}
	})
	// Distinct handles: every call misses the cache of recent handles.
	b.Run("pooled-distinct", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p.Pseudonym("x", "user_"+strconv.Itoa(i%100000))
			i++
		}
	})
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha256.New, key)
			m.Write([]byte("x"))
			m.Write([]byte{0})
			m.Write([]byte("some_user_handle"))
			_ = "a:" + hex.EncodeToString(m.Sum(nil)[:8])
		}
	})
}
