package experiment

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

func TestTrainAndEvaluateOnANS(t *testing.T) {
	if _, err := Benchmarks(t.TempDir(), "nope"); !errors.Is(err, ErrUnknownBenchmark) {
		t.Fatalf("unknown benchmark: %v", err)
	}
	dir := filepath.Dir(filepath.Dir(refdata.Path(t, "claims/ar-ans")))
	bs, err := Benchmarks(dir, "ar-ans")
	if err != nil {
		t.Fatal(err)
	}
	quiet := func(string, ...any) {}
	train, test := Index(bs, quiet)
	if len(train) != 1 || len(test) < 1 || len(test[0].Split.Queries) == 0 {
		t.Fatalf("sets: %d train, %d test", len(train), len(test))
	}
	m := Train(train, "test", quiet)
	var out, run strings.Builder
	if err := Evaluate(context.Background(), &out, &run, test, m); err != nil {
		t.Fatal(err)
	}
	// Each query's ranking goes to the run file; the table has a row per
	// ranker and an operating point per threshold.
	if !strings.Contains(out.String(), "ar-ans dev  re-ranked") || strings.Count(out.String(), "ar-ans dev  0.") != 3 {
		t.Errorf("tables:\n%s", out.String())
	}
	if n := strings.Count(run.String(), "\tQ0\t"); n < len(test[0].Split.Queries) {
		t.Errorf("run file has %d lines for %d queries", n, len(test[0].Split.Queries))
	}
}
