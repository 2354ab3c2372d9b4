package ocr

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"testing"

	"github.com/basira-org/basira/internal/ocr/ocrtest"
	"github.com/basira-org/basira/pdq"
)

// BenchmarkOCR reads one rendered meme line (about 480x120, PNG) with the
// default two passes, and with Arabic alone; the baseline is decoding and
// PDQ-hashing the same picture, what the media step does for every image.
func BenchmarkOCR(b *testing.B) {
	r := needTesseract(b)
	img := ocrtest.RenderLine(ocrtest.Faces(b)[0], "انضموا الينا في ارض الخلافة", 40, color.White, color.Black)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.Run("pdq-baseline", func(b *testing.B) {
		h := pdq.NewHasher()
		for b.Loop() {
			m, _, err := pdq.DecodeBytes(data)
			if err != nil {
				b.Fatal(err)
			}
			h.Hash(m)
		}
	})
	for _, c := range []struct{ name, langs string }{{"ara,fra+eng", ""}, {"ara", "ara"}} {
		b.Run(c.name, func(b *testing.B) {
			rr := &Reader{Langs: c.langs, sem: r.sem}
			for b.Loop() {
				if _, err := rr.Read(context.Background(), data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
