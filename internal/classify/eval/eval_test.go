package eval

import (
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/models"
)

// TestExtremismTable: rows per language only with byLang, recall for
// positive sets and false flags for the others, and up to show texts.
func TestExtremismTable(t *testing.T) {
	rows := []classify.EvalRow{
		{Set: "isis", Lang: "all", Positive: true, N: 4, Flagged: 3, Examples: []string{"missed one\nline"}},
		{Set: "isis", Lang: "ar", Positive: true, N: 2, Flagged: 2},
		{Set: "news", Lang: "all", N: 10, Flagged: 1, Examples: []string{"flagged a", "flagged b"}},
	}
	var b strings.Builder
	ExtremismTable(&b, rows, false, 1)
	out := b.String()
	for _, want := range []string{"75.00%", "recall", "10.00%", "false flags", "isis | missed | missed one line", "news | flagged | flagged a"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "flagged b") || strings.Contains(out, " ar ") {
		t.Errorf("show 1 and no by-lang rows expected:\n%s", out)
	}
	b.Reset()
	ExtremismTable(&b, rows, true, 0)
	if !strings.Contains(b.String(), "100.00%") {
		t.Errorf("by-lang row missing:\n%s", b.String())
	}
}

// TestBenignWithTheShippedModel runs the shipped models over a tiny set:
// a row per model and set with the share flagged.
func TestBenignWithTheShippedModel(t *testing.T) {
	ms, err := classify.LoadFS(models.FS)
	if err != nil || len(ms) == 0 {
		t.Skipf("no shipped model: %v", err)
	}
	sets := []classify.TextSet{{Name: "greetings", Texts: []string{"السلام عليكم ورحمة الله", "صباح الخير يا أصدقاء"}}}
	var b strings.Builder
	Benign(&b, ms, sets, 5)
	out := b.String()
	if !strings.Contains(out, "greetings") || strings.Count(out, "\n") < 1+len(ms) {
		t.Errorf("benign table:\n%s", out)
	}
}
