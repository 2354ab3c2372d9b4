package retrieve

import (
	"reflect"
	"testing"

	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/refdata"
)

// TestIndexSameOnAllCores: the index built with the analysis spread over
// workers is the one built on one goroutine, field for field (terms and
// their ids, postings, norms, grams), on the real Arabic collection.
func TestIndexSameOnAllCores(t *testing.T) {
	ar, err := eval.LoadArabic2021(refdata.Path(t, "claims/ar-ct2021-2a"))
	if err != nil {
		t.Fatal(err)
	}
	cs := ar.Collection[:3000]
	one := newIndex(cs, Options{}, 1)
	for _, w := range []int{2, 5} {
		many := newIndex(cs, Options{}, w)
		one.pool.New, many.pool.New = nil, nil
		if !reflect.DeepEqual(one, many) {
			t.Fatalf("index built with %d workers differs from the one built with 1", w)
		}
	}
	if len(one.terms) < 1000 {
		t.Fatalf("only %d terms: the collection did not load", len(one.terms))
	}
}

// BenchmarkIndexBuild100k builds the index of BenchmarkMatch100k's
// 100,000 claims with the analysis on one goroutine and on all cores
// (run with -cpu 2 and compare the two in the same run).
func BenchmarkIndexBuild100k(b *testing.B) {
	cs, _ := synthetic100k(b)
	for _, bc := range []struct {
		name    string
		workers int
	}{{"workers=1", 1}, {"workers=all", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				var ix *Index
				if bc.workers == 0 {
					ix = NewIndex(cs, Options{})
				} else {
					ix = newIndex(cs, Options{}, bc.workers)
				}
				if ix.Len() != len(cs) {
					b.Fatal(ix.Len())
				}
			}
		})
	}
}
