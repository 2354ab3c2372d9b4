package entities_test

import (
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/entities"
	"github.com/basira-org/basira/internal/rules"
	rulepack "github.com/basira-org/basira/rules"
)

// TestJihadistPackWithEntityLists: the shipped rule pack compiles with the
// shipped entity lists predeclared, as scan and serve load them, and a
// name alone fires none of its rules of high severity.
func TestJihadistPackWithEntityLists(t *testing.T) {
	s, err := entities.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, err := rules.ParseWith("rules/jihadist.yaml", rulepack.Jihadist, rules.Options{Lists: s.RuleLists()})
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Compile(f.Rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"داعش", "Amaq Agency", "الدولة الإسلامية", "Boko Haram", "أمير المؤمنين"} {
		for _, m := range set.Match(arabic.Analyze(text)) {
			if m.Rule.Severity == "high" {
				t.Errorf("%q alone fires %s (high)", text, m.Rule.ID)
			}
		}
	}
}
