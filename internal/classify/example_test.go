package classify_test

import (
	"fmt"
	"strings"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/classify"
)

// Training a model from labelled examples, then scoring and explaining a
// new post. In practice the examples come from classify.ReadFile.
func ExampleTrain() {
	var exs []classify.Example
	filler := strings.Fields("في من على الى هذا كان قال اليوم الناس كل بعد عند مع الوقت")
	for i := range 400 {
		words := []string{filler[i%len(filler)], filler[(i*7)%len(filler)], filler[(i*3)%len(filler)]}
		label := "benign"
		if i%4 == 0 {
			label = "incitement"
			words = append(words, []string{"اقتلوهم", "احرقوا"}[i%2])
		}
		exs = append(exs, classify.Example{Text: strings.Join(words, " "), Labels: []string{label}})
	}
	m, err := classify.Train(exs, classify.TrainOptions{Name: "demo", Version: "1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := arabic.Analyze("اقتلوهم في الطريق")
	p := m.Predict(doc)
	fmt.Println(m.Info().Mode, m.Info().Negative, p.Label, len(p.Flagged) == 1)
	fmt.Println(m.Explain(doc, "incitement", 1)[0].Text)
	// Output:
	// binary benign incitement true
	// اقتلوهم
}
