package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/rules"
	"github.com/basira-org/basira/internal/server/auth"
)

const ruleOne = `rules:
  - id: r1
    label: recruitment
    severity: high
    any: ["انفروا"]
`

const ruleTwo = ruleOne + `  - id: r2
    label: incitement
    severity: high
    any: ["اذبحوهم"]
`

func TestRulesReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(path, []byte(ruleOne), 0o600); err != nil {
		t.Fatal(err)
	}
	var live *rules.Set
	rf, err := NewRuleFiles([]string{path}, rules.Options{}, func(s *rules.Set) { live = s })
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Config{}, func(d *Deps) { d.Rules = rf })
	var list struct {
		Rules []struct{ ID, Label, File string }
	}
	e.json(auth.Viewer, "GET", "/v1/rules", nil, 200, &list)
	if len(list.Rules) != 1 || list.Rules[0].ID != "r1" || list.Rules[0].File != path {
		t.Fatalf("rules %+v", list)
	}
	// The analyst adds a rule; a reload puts it in force.
	os.WriteFile(path, []byte(ruleTwo), 0o600)
	var res RuleReload
	e.json(auth.Admin, "POST", "/v1/rules/reload", nil, 200, &res)
	if res.Rules != 2 || len(live.Match(arabic.Analyze("اذبحوهم"))) != 1 {
		t.Fatalf("reload %+v", res)
	}
	// A broken file is refused and the rules in force stay.
	os.WriteFile(path, []byte("rules:\n  - id: r3\n    any: [\n"), 0o600)
	code, b, _ := e.do(auth.Admin, "POST", "/v1/rules/reload", "", nil)
	if er := apiError(t, code, b); er.Code != CodeBadRequest || !strings.Contains(er.Message, "stay in force") {
		t.Fatalf("broken reload: %d %s", code, b)
	}
	e.json(auth.Viewer, "GET", "/v1/rules", nil, 200, &list)
	if len(list.Rules) != 2 || len(live.Match(arabic.Analyze("اذبحوهم"))) != 1 {
		t.Fatalf("after a broken reload: %+v", list)
	}
	// Reloads are audited.
	es, _ := e.db.AuditEntries(context.Background(), 0, 100)
	n := 0
	for _, en := range es {
		if en.Object == "rules" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d rules audit entries, want 1 (the failed reload changed nothing)", n)
	}
}
