package ocr

import (
	"bytes"
	"context"
	"github.com/basira-org/basira/internal/ocr/ocrtest"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

func needTesseract(t testing.TB) *Reader {
	t.Helper()
	r, err := New(2)
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	return r
}

func TestReadArabicLine(t *testing.T) {
	r := needTesseract(t)
	face := ocrtest.Faces(t)[0]
	img := ocrtest.RenderLine(face, "انضموا الينا في ارض الخلافة", 40, color.White, color.Black)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	got, err := r.Read(context.Background(), b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %q, lines %+v", got.Text, got.Lines)
	if !strings.Contains(got.Text, "الخلافة") {
		t.Errorf("text %q", got.Text)
	}
}
