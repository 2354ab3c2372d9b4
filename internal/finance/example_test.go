package finance_test

import (
	"fmt"

	"github.com/basira-org/basira/internal/finance"
)

func ExampleExtract() {
	text := "تبرعوا على ٠٦٥٠١٢٣٤٥٦ أو bc1q w508 d6qe jxtd g4y5 r3za rvar y0c5 xw7k v8f3 t4"
	for _, id := range finance.Extract(text) {
		fmt.Println(id.Type, id.Value, id.Valid, text[id.Span.Start:id.Span.End] == id.Text)
	}
	// Output:
	// phone +212650123456 true true
	// bitcoin bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 true true
}
