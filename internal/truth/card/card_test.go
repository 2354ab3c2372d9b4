package card

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// artefact writes b under $BASIRA_ARTEFACTS when set, for a human look.
func artefact(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("BASIRA_ARTEFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
	}
}

func TestRenderArabic(t *testing.T) {
	b, err := Render(Card{Lang: "ar", Site: "بصيرة: تبيّن الحقيقة", Rating: "زائف", RatingValue: 1,
		Claim: "انهيار جسر الملك فهد بعد العاصفة في 2026", Truth: "الجسر سليم ومفتوح للسير، وقد نفت الهيئة العامة الخبر في بيان رسمي.",
		Footer: "example.org/truth/1/ar"})
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "card-ar.png", b)
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != Width || img.Bounds().Dy() != Height {
		t.Fatalf("card is %v, want %dx%d", img.Bounds(), Width, Height)
	}
	// Text was drawn: the claim's band has dark ink, right-aligned (RTL):
	// more ink in the right half than in the left.
	left, right := 0, 0
	for y := 170; y < 300; y++ {
		for x := 0; x < Width; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 0x80 && g>>8 < 0x80 && bl>>8 < 0x80 {
				if x < Width/2 {
					left++
				} else {
					right++
				}
			}
		}
	}
	if right < 500 || right < left {
		t.Fatalf("ink in the claim band: %d left, %d right; want Arabic drawn from the right", left, right)
	}
}

// TestArabicJoined: the shaper replaced the letters' isolated glyphs by
// their joined forms (initial, medial, final), as hand-placed nominal
// glyphs never would.
func TestArabicJoined(t *testing.T) {
	word := "بصيرة" // ب ص ي ر ة: initial, medial, medial, final, isolated-after-non-joiner
	got, err := ShapeGlyphs(word, "ar")
	if err != nil {
		t.Fatal(err)
	}
	var isolated []uint32
	for _, r := range word {
		g, ok := NominalGlyph(r)
		if !ok {
			t.Fatalf("the font has no glyph for %U", r)
		}
		isolated = append(isolated, g)
	}
	if len(got) != len(isolated) {
		t.Fatalf("shaped %d glyphs, want %d", len(got), len(isolated))
	}
	// Visual order is right to left: the first letter is drawn last.
	slices.Reverse(got)
	for i := range 3 { // ب ص ي join on both sides or to the left
		if got[i] == isolated[i] {
			t.Errorf("letter %d (%c) kept its isolated glyph %d: not joined", i, []rune(word)[i], got[i])
		}
	}
	// A Latin word is not changed by shaping.
	lat, _ := ShapeGlyphs("Faux", "fr")
	for i, r := range "Faux" {
		if g, _ := NominalGlyph(r); lat[i] != g {
			t.Errorf("Latin %c: glyph %d, want nominal %d", r, lat[i], g)
		}
	}
}

func TestRenderFrench(t *testing.T) {
	b, err := Render(Card{Lang: "fr", Site: "Basira", Rating: "Faux", RatingValue: 1, Claim: "Le pont du Roi-Fahd s'est effondré",
		Truth: "Le pont est intact et ouvert.", Footer: "example.org/truth/1/fr"})
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "card-fr.png", b)
}

func BenchmarkRender(b *testing.B) {
	c := Card{Lang: "ar", Site: "بصيرة", Rating: "زائف", RatingValue: 1, Claim: "انهيار جسر الملك فهد بعد العاصفة",
		Truth: "الجسر سليم ومفتوح للسير.", Footer: "example.org/truth/1/ar"}
	for b.Loop() {
		if _, err := Render(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeBlank is the floor of a card: encoding a blank image of
// its size, the baseline BENCHMARKS.md compares Render with.
func BenchmarkEncodeBlank(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	for b.Loop() {
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
			b.Fatal(err)
		}
	}
}
