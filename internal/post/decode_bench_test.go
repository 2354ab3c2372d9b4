package post

import (
	"bufio"
	"bytes"
	"errors"
	"io"
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
