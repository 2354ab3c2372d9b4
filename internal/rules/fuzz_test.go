package rules

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
)

// FuzzParse feeds arbitrary bytes to the rule parser. It must never panic;
// every error must name the file; and whatever it accepts must compile and
// scan.
func FuzzParse(f *testing.F) {
	// Not the whole example pack: minimizing a 24 KB input that folds a
	// thousand terms per run starves the fuzzer. Its first rules suffice.
	if pack, err := os.ReadFile(examplePack); err == nil {
		if i := bytes.Index(pack, []byte("  - id: recruit-hijra-caliphate")); i > 0 {
			f.Add(pack[:i])
		}
	}
	f.Add([]byte(condRules))
	f.Add([]byte("rules:\n  - id: a\n    label: incitement\n    severity: low\n    near: {terms: [\"a|b\", c], within: 2}\n"))
	f.Add([]byte("lists:\n  x: [a, b]\nrules:\n  - id: a\n    label: incitement\n    severity: low\n    all: [\"@x\", \"c\"]\n    regex: ['a(b|c)+d']\n"))
	f.Add([]byte("x: &a [b]\nrules: *a\n"))
	f.Add([]byte("rules: [{id: a, label: benign, severity: low, any: [\"\\u200b\"]}]"))
	doc := arabic.Analyze("انضموا إلينا في صفوف المجاهدين a b c t.me/khilafa_x join us")
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			var el ErrorList
			if !errors.As(err, &el) || len(el) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			for _, e := range el {
				if !strings.HasPrefix(e.Error(), "fuzz.yaml") {
					t.Fatalf("error does not name the file: %v", e)
				}
			}
			return
		}
		s, err := Compile(file.Rules)
		if err != nil {
			t.Fatalf("Parse accepted what Compile rejects: %v", err)
		}
		for _, m := range s.Match(doc) {
			for _, sp := range m.Spans {
				if sp.Start < 0 || sp.End > len(doc.Original) || sp.Start > sp.End {
					t.Fatalf("span %+v out of the text", sp)
				}
			}
		}
	})
}
