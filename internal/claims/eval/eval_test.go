package eval

import (
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAveragePrecisionTrecSemantics(t *testing.T) {
	rel := func(ids ...string) map[string]bool {
		m := map[string]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		ranking []string
		rel     map[string]bool
		k       int
		want    float64
	}{
		{"first is relevant", []string{"a", "b"}, rel("a"), 5, 1},
		{"second is relevant", []string{"x", "a"}, rel("a"), 5, 0.5},
		{"relevant past k", []string{"x", "y", "a"}, rel("a"), 2, 0},
		// Two relevant, one found at rank 1: AP@1 = 1/2, not 1 (divided
		// by the number of relevant claims, not by min(k, relevant)).
		{"two relevant, cut at 1", []string{"a", "b"}, rel("a", "b"), 1, 0.5},
		{"two relevant, both found", []string{"a", "x", "b"}, rel("a", "b"), 3, (1 + 2.0/3) / 2},
		{"two relevant, one never found", []string{"x", "a"}, rel("a", "b"), 10, 0.25},
		{"duplicate ids count once", []string{"a", "a", "b"}, rel("a", "b"), 3, (1 + 2.0/3) / 2},
		{"empty ranking", nil, rel("a"), 5, 0},
		{"k 0 means all", []string{"x", "y", "z", "a"}, rel("a"), 0, 0.25},
	} {
		if got := AveragePrecision(tc.ranking, tc.rel, tc.k); !near(got, tc.want) {
			t.Errorf("%s: AP@%d = %v, want %v", tc.name, tc.k, got, tc.want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	qrels := Qrels{
		"q1": {"a": true},
		"q2": {"b": true, "c": true},
		"q3": {"d": true}, // missing from the run: scores 0
	}
	run := Run{
		"q1": {"a", "x", "y"},
		"q2": {"x", "c", "y", "z", "w", "b"},
		"q9": {"a"}, // not in the qrels: ignored
	}
	m := Evaluate(qrels, run)
	if m.Queries != 3 {
		t.Fatalf("queries %d, want 3", m.Queries)
	}
	// q1: AP@k = 1 for all k. q2: c at 2 (P=1/2), b at 6 (P=2/6).
	wants := map[int]float64{
		1:  (1 + 0 + 0) / 3.0,
		3:  (1 + 0.5/2 + 0) / 3,
		5:  (1 + 0.5/2 + 0) / 3,
		10: (1 + (0.5+2.0/6)/2 + 0) / 3,
	}
	for k, want := range wants {
		if !near(m.MAP[k], want) {
			t.Errorf("MAP@%d = %v, want %v", k, m.MAP[k], want)
		}
	}
	if !near(m.P1, 1.0/3) || !near(m.MRR, (1+0.5)/3) {
		t.Errorf("P@1 %v MRR %v, want 1/3 and 1/2", m.P1, m.MRR)
	}
	if s := m.String(); !strings.Contains(s, "MAP@5=0.4167") || !strings.Contains(s, "(3 queries)") {
		t.Errorf("String() = %q", s)
	}
}

func TestReadQrelsAndQueries(t *testing.T) {
	q, err := ReadQrels(strings.NewReader("q1 0 a 1\nq1\t0\tb\t0\n\nq2 0 c 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 2 || !q["q1"]["a"] || q["q1"]["b"] || !q["q2"]["c"] {
		t.Errorf("qrels %v", q)
	}
	for _, bad := range []string{"q1 0 a\n", "q1 0 a yes\n", ""} {
		if _, err := ReadQrels(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadQrels(%q) accepted", bad)
		}
	}
	qs, err := ReadQueries(strings.NewReader("tweet_id\ttweet_text\nt1\t\"two\nlines\"\nt2\tplain\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].Text != "two\nlines" || qs[1].ID != "t2" {
		t.Errorf("queries %+v", qs)
	}
}
