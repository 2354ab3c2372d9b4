package entities

import (
	"testing"

	"github.com/basira-org/basira/arabic"
	entitydata "github.com/basira-org/basira/entities"
)

// FuzzParse: Parse never panics, and what it accepts merges, compiles and
// matches its own names.
func FuzzParse(f *testing.F) {
	if b, err := entitydata.Files.ReadFile("designated.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("version: 1\nentities:\n- {id: a, kind: group, name: A, source: s, aliases: {en: [Abcdef]}}\n"))
	f.Add([]byte("version: 1\nentities:\n- id: a\n  kind: outlet\n  of: a\n  name: A\n  source: s\n  shared: {ar: [داعش]}\n"))
	f.Add([]byte("version: 1\nentities: [\n"))
	f.Add([]byte("- &x a\n- *x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		s, err := Merge(file)
		if err != nil {
			return
		}
		s.RuleLists()
		for _, e := range s.Entities() {
			for _, al := range e.Aliases {
				if len(s.Find(arabic.Analyze(al.Text))) == 0 {
					t.Fatalf("alias %q of %q not found", al.Text, e.ID)
				}
			}
		}
	})
}
