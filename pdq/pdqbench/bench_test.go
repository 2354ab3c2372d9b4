package pdqbench

import (
	"context"
	"testing"
)

func TestRunFindsWhatBruteForceFinds(t *testing.T) {
	out, err := Run(context.Background(), Options{Size: 5000, Queries: 200, Radius: 31, Check: 100, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if out["recall_vs_bruteforce"] != 1.0 || out["checked_queries"] != 100 || out["matches_found"].(int) < 100 {
		t.Errorf("bench result %v: want recall 1 on 100 checked queries and a hit for most of the 100 near queries", out)
	}
	if err := (Options{Size: 0, Queries: 1}).Validate(); err == nil {
		t.Error("a size of 0 validated")
	}
}
