package entities_test

import (
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/entities"
	"github.com/basira-org/basira/internal/rules"
	"go.yaml.in/yaml/v3"
)

// TestRuleListsInRules writes RuleLists as the `lists:` of a rule file and
// compiles it with the rule engine, as the lead's predeclared @lists will:
// every term must be accepted and match as a name does.
func TestRuleListsInRules(t *testing.T) {
	s, err := entities.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	lists, err := yaml.Marshal(map[string]any{"lists": s.RuleLists()})
	if err != nil {
		t.Fatal(err)
	}
	src := string(lists) + `rules:
  - id: names-a-group
    label: violent-extremist-propaganda
    severity: low
    any: ["@entity-groups"]
  - id: names-an-outlet
    label: violent-extremist-propaganda
    severity: low
    any: ["@entity-outlets"]
  - id: names-a-province
    label: violent-extremist-propaganda
    severity: low
    any: ["@entity-provinces"]
`
	f, err := rules.Parse("lists.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Compile(f.Rules)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"بيان للدولة الإسلامية":         "names-a-group",
		"Amaq Agency reports":           "names-an-outlet",
		"#ولاية_سيناء":                  "names-a-province",
		"Daech a revendiqué":            "names-a-group",
		"أمير المؤمنين يدشن مشروعا":     "",
		"الدولة تدعم القاعدة الإنتاجية": "",
	} {
		var got []string
		for _, m := range set.Match(arabic.Analyze(text)) {
			got = append(got, m.Rule.ID)
		}
		if (want == "") != (len(got) == 0) || want != "" && !strings.Contains(strings.Join(got, ","), want) {
			t.Errorf("%q: rules %v, want %q", text, got, want)
		}
	}
}
