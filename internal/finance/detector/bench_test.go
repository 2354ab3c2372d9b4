package detector

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/refdata"
)

func benchInputs(b *testing.B, texts []string) []*detect.Input {
	in := make([]*detect.Input, len(texts))
	for i, t := range texts {
		in[i] = detect.Analyze(&post.Post{ID: "b", Text: t})
	}
	return in
}

// BenchmarkDetectBenign runs the detector (with the UN and OFAC lists) on
// real Moroccan comments: the common case, where Extract finds nothing and
// the detector returns at once. The text analysis is done beforehand, as
// the pipeline shares it between detectors.
func BenchmarkDetectBenign(b *testing.B) {
	f, err := os.Open(refdata.Path(b, "darija/ElecMorocco2016.tsv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		if c := strings.Split(sc.Text(), "\t"); len(c) > 1 {
			texts = append(texts, c[1])
		}
	}
	d := &Detector{Index: index(b)}
	ins := benchInputs(b, texts)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		d.Detect(ctx, ins[i%len(ins)])
		i++
	}
}

// BenchmarkDetectAppeals runs appeals with identifiers, one naming a
// listed person: extraction, cue matching, wallet and name look-ups.
func BenchmarkDetectAppeals(b *testing.B) {
	d := &Detector{Index: index(b)}
	ins := benchInputs(b, []string{
		"تبرعوا لإخوانكم المجاهدين في الثغور على المحفظة bc1q w508 d6qe jxtd g4y5 r3za rvar y0c5 xw7k v8f3 t4",
		"3awnou khwatna, sifto l had rib: 011 51900 00012050005349 21",
		"send to 12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz",
		"تبرعوا لجماعة أيمن محمد ربيع الظواهري على 0650123456",
	})
	ctx := context.Background()
	i := 0
	for b.Loop() {
		d.Detect(ctx, ins[i%len(ins)])
		i++
	}
}
