// Package experiment trains and measures the claim re-ranker on benchmark
// splits (CheckThat! 2021 Arabic, 2022 English, ANS paraphrases, or an
// analyst's own collection): the loops behind `basira claims train` and
// `basira claims eval`. It sits above claims/eval (the metrics) and
// claims/retrieve (the matcher), which it joins.
package experiment

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/claims/retrieve"
)

// ErrUnknownBenchmark is returned for a benchmark name Benchmarks does not
// know.
var ErrUnknownBenchmark = fmt.Errorf("--benchmark must be ar-2021, en-2022, ar-ans or all")

// Benchmarks loads the sets named by name (ar-2021, en-2022, ar-ans or
// all) from the reference data folder.
func Benchmarks(dataDir, name string) ([]*eval.Benchmark, error) {
	loaders := []struct {
		name, dir string
		load      func(string) (*eval.Benchmark, error)
	}{
		{"ar-2021", "ar-ct2021-2a", eval.LoadArabic2021},
		{"en-2022", "en-ct2022-2a", eval.LoadEnglish2022},
		{"ar-ans", "ar-ans", eval.LoadANS},
	}
	var out []*eval.Benchmark
	for _, l := range loaders {
		if name != "all" && name != l.name {
			continue
		}
		b, err := l.load(filepath.Join(dataDir, "claims", l.dir))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w, not %q", ErrUnknownBenchmark, name)
	}
	return out, nil
}

// Set is a claims collection indexed once with one split of queries.
type Set struct {
	Name  string
	Index *retrieve.Index
	Split eval.Split
}

// OwnSplit indexes a claims collection and reads one split (queries and
// qrels) of it.
func OwnSplit(collection, queries, qrels string) (*retrieve.Index, eval.Split, error) {
	cs, err := eval.LoadCollection(collection)
	if err != nil {
		return nil, eval.Split{}, err
	}
	split, err := eval.LoadSplit(queries, qrels)
	if err != nil {
		return nil, eval.Split{}, err
	}
	return retrieve.NewIndex(cs, retrieve.Options{}), split, nil
}

// Index builds each benchmark's index once and returns its training set
// and its evaluation sets (dev, and dev-test where the benchmark has one).
func Index(bs []*eval.Benchmark, progress func(format string, a ...any)) (train, test []Set) {
	for _, b := range bs {
		progress("indexing %s (%d claims) …", b.Name, len(b.Collection))
		ix := retrieve.NewIndex(b.Collection, retrieve.Options{})
		train = append(train, Set{b.Name + " train", ix, b.Train})
		test = append(test, Set{b.Name + " dev", ix, b.Dev})
		if b.DevTest != nil {
			test = append(test, Set{b.Name + " dev-test", ix, *b.DevTest})
		}
	}
	return train, test
}

// Train fits the re-ranker on the sets' candidate lists; note is kept in
// the model. progress("") clears the status line.
func Train(sets []Set, note string, progress func(format string, a ...any)) *retrieve.Model {
	var exs []retrieve.Example
	for i, s := range sets {
		progress("features of training set %d of %d (%d posts) …", i+1, len(sets), len(s.Split.Queries))
		exs = append(exs, retrieve.Examples(s.Index, s.Split)...)
	}
	progress("fitting the re-ranker on %d candidate lists …", len(exs))
	m := retrieve.TrainModel(exs, retrieve.TrainOptions{}, note)
	progress("")
	return m
}

// Evaluate writes two tables to w: MAP@1/3/5/10, P@1 and MRR of the
// first stage, the untrained fallback and rr on every set; then rr's
// operating points (right, wrong and false signals at thresholds 0.5,
// 0.7, 0.9). With run set, rr's rankings are also written there as a TREC
// run file.
func Evaluate(ctx context.Context, w, run io.Writer, sets []Set, rr retrieve.Reranker) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SPLIT\tRANKER\tQUERIES\tMAP@1\tMAP@3\tMAP@5\tMAP@10\tP@1\tMRR")
	for _, s := range sets {
		if err := rankers(ctx, tw, run, s, rr); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The detector's operating points: how often the re-ranked top claim
	// is signalled right or wrong, and how often a post whose claim was
	// never checked (its relevant claims removed) is still signalled.
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SPLIT	THRESHOLD	RIGHT SIGNAL	WRONG SIGNAL	FALSE SIGNAL (CLAIM ABSENT)")
	for _, s := range sets {
		rates, err := retrieve.MatchRates(ctx, retrieve.NewMatcher(s.Index, rr), s.Split, 0.5, 0.7, 0.9)
		if err != nil {
			return err
		}
		for _, r := range rates {
			fmt.Fprintf(tw, "%s\t%.1f\t%.3f\t%.3f\t%.3f\n", s.Name, r.Threshold, r.Found, r.Wrong, r.FalseMatch)
		}
	}
	return tw.Flush()
}

func rankers(ctx context.Context, tw io.Writer, run io.Writer, s Set, rr retrieve.Reranker) error {
	for _, r := range []struct {
		name string
		rr   retrieve.Reranker
	}{{"bm25 (first stage)", retrieve.FirstStageOnly()}, {"untrained fallback", retrieve.DefaultModel()}, {"re-ranked", rr}} {
		ranking, err := retrieve.RunSplit(ctx, retrieve.NewMatcher(s.Index, r.rr), s.Split)
		if err != nil {
			return err
		}
		m := eval.Evaluate(s.Split.Qrels, ranking)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", s.Name, r.name, m.Queries, m.MAP[1], m.MAP[3], m.MAP[5], m.MAP[10], m.P1, m.MRR)
		if run != nil && r.rr == rr {
			for _, q := range s.Split.Queries {
				for i, id := range ranking[q.ID] {
					fmt.Fprintf(run, "%s\tQ0\t%s\t%d\t%d\tbasira\n", q.ID, id, i+1, len(ranking[q.ID])-i)
				}
			}
		}
	}
	return nil
}
