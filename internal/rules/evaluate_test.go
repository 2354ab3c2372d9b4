package rules

import (
	"context"
	"errors"
	"testing"

	"github.com/basira-org/basira/internal/rules/evalset"
)

func TestEvaluateCountsPerSourceAndRule(t *testing.T) {
	s := mustSet(t, `rules:
  - id: burn
    label: incitement
    severity: high
    any: ["حرق الكفار"]
  - id: burn-any
    label: incitement
    severity: low
    any: ["حرق"]
`)
	texts := []evalset.Text{
		{Source: "news", ID: "n:1", Text: "الشرطة تحقق في حرق سيارة"},
		{Source: "news", ID: "n:2", Text: "أمطار غزيرة على الرباط"},
		{Source: "aj-deleted", ID: "d:1", Text: "يجب حرق الكفار"},
	}
	r, err := s.Evaluate(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if r.PerSource["news"] != [2]int{2, 1} || r.PerSource["aj-deleted"] != [2]int{1, 1} {
		t.Errorf("per source %v", r.PerSource)
	}
	if r.PerRule["burn"] != 1 || r.PerRule["burn-any"] != 2 {
		t.Errorf("per rule %v", r.PerRule)
	}
	if len(r.Hits) != 2 || r.Hits[0].Text.ID != "n:1" || r.Hits[1].Text.ID != "d:1" {
		t.Fatalf("hits %+v", r.Hits)
	}
	if r.Hits[1].Match.Rule.ID != "burn" {
		t.Errorf("first match of d:1 is %s, want the high-severity rule first", r.Hits[1].Match.Rule.ID)
	}
}

func TestEvaluateStopsWhenCancelled(t *testing.T) {
	s := mustSet(t, `rules:
  - id: x
    label: incitement
    severity: low
    any: ["حرق"]
`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Evaluate(ctx, []evalset.Text{{Text: "حرق"}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}
