package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/claims/eval"
	"github.com/basira-org/basira/internal/claims/experiment"
	"github.com/basira-org/basira/internal/claims/retrieve"
)

func init() {
	Register(&Command{
		Name:    "claims import",
		Summary: "add fact-checks (ClaimReview JSON-LD, JSONL, CSV, TSV) to the workspace store",
		Usage:   "[flags] FILE...",
		Run:     runClaimsImport,
	})
	Register(&Command{
		Name:    "claims list",
		Summary: "list the fact-checks in the workspace store",
		Usage:   "[flags]",
		Run:     runClaimsList,
	})
	Register(&Command{
		Name:    "claims export",
		Summary: "write the stored fact-checks as schema.org ClaimReview JSON-LD",
		Usage:   "[--out FILE]",
		Run:     runClaimsExport,
	})
	Register(&Command{
		Name:    "claims match",
		Summary: "find the fact-checked claims a text repeats (top k with score, rating, correction)",
		Usage:   "[flags] TEXT",
		Run:     runClaimsMatch,
	})
	Register(&Command{
		Name:    "claims train",
		Summary: "train the claim re-ranker and save it in the workspace",
		Usage:   "[flags]",
		Run:     runClaimsTrain,
	})
	Register(&Command{
		Name:    "claims eval",
		Summary: "score claim retrieval: MAP@1/3/5/10, P@1, MRR (CheckThat! semantics)",
		Usage:   "[flags] (--collection C --queries Q --qrels R | --benchmark NAME)",
		Run:     runClaimsEval,
	})
}

// claimsDir is the workspace folder of the fact-check store and model.
func claimsDir(env *Env, create bool) (string, error) { return Home(env, create, "claims") }

func claimsStore(env *Env, create bool) (*claims.FileStore, error) {
	dir, err := claimsDir(env, create)
	if err != nil {
		return nil, err
	}
	return claims.WorkspaceStore(dir), nil
}

// storedClaims reads every claim of the workspace store; the store is
// returned too, for messages that name its path.
func storedClaims(ctx context.Context, env *Env) (*claims.FileStore, []claims.Claim, error) {
	st, err := claimsStore(env, false)
	if err != nil {
		return nil, nil, err
	}
	cs, err := st.All(ctx)
	return st, cs, err
}

// readClaimsFile decodes a fact-check file, reporting bad items on
// stderr; it returns the number of items left out.
func readClaimsFile(env *Env, path, format string) ([]claims.Claim, int, error) {
	return claims.ReadFile(path, format, func(e error) { fmt.Fprintln(env.Stderr, e) })
}

func runClaimsImport(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	format := fs.String("format", "", "input format: json, jsonl, csv or tsv (default: from the file name, or sniffed)")
	strict := fs.Bool("strict", false, "exit 1 if any item is rejected")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return Usagef("name at least one FILE of fact-checks")
	}
	if f := *format; f != "" && f != "json" && f != "jsonl" && f != "csv" && f != "tsv" {
		return Usagef("--format must be json, jsonl, csv or tsv, not %q", f)
	}
	st, err := claimsStore(env, true)
	if err != nil {
		return err
	}
	var all []claims.Claim
	bad := 0
	for _, path := range fs.Args() {
		cs, nbad, err := readClaimsFile(env, path, *format)
		if err != nil {
			return err
		}
		bad += nbad
		all = append(all, cs...)
	}
	added, replaced, err := st.Put(ctx, all)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "claims import: %d read, %d added, %d replaced, %d rejected; store %s\n", len(all), added, replaced, bad, st.Path())
	if *strict && bad > 0 {
		return ErrFailed
	}
	return nil
}

func runClaimsList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	format := fs.String("format", "table", "output: table, jsonl or claimreview")
	rating := fs.String("rating", "", "only claims with this normalized rating (false, misleading, mixed, true, unproven, satire, other)")
	limit := fs.Int("limit", 0, "print at most this many (0: all)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("claims list takes no arguments")
	}
	st, cs, err := storedClaims(ctx, env)
	if err != nil {
		return err
	}
	var out []claims.Claim
	for _, c := range cs {
		if *rating != "" && c.Rating != *rating {
			continue
		}
		out = append(out, c)
		if *limit > 0 && len(out) == *limit {
			break
		}
	}
	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	switch *format {
	case "claimreview":
		return claims.WriteClaimReview(w, out)
	case "jsonl":
		if err := claims.WriteJSONL(w, out); err != nil {
			return err
		}
	case "table":
		if err := claims.WriteTable(w, out); err != nil {
			return err
		}
		if len(cs) == 0 {
			fmt.Fprintf(env.Stderr, "the fact-check store %s is empty: add fact-checks with 'basira claims import FILE'\n", st.Path())
		}
	default:
		return Usagef("--format must be table, jsonl or claimreview, not %q", *format)
	}
	return w.Flush()
}

func runClaimsExport(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	out := fs.String("out", "", "write to this file (default: standard output)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("claims export takes no arguments (use --out FILE)")
	}
	_, cs, err := storedClaims(ctx, env)
	if err != nil {
		return err
	}
	err = withOutput(env, *out, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := claims.WriteClaimReview(bw, cs); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(env.Stderr, "claims export: %d ClaimReview objects written to %s\n", len(cs), *out)
	}
	return nil
}

func loadReranker(env *Env, path string) (retrieve.Reranker, error) {
	return retrieve.LoadReranker(host(env), path)
}

func loadMatcher(ctx context.Context, env *Env, claimsPath, modelPath string) (*retrieve.Matcher, error) {
	return retrieve.LoadMatcher(ctx, host(env), claimsPath, modelPath)
}

func runClaimsMatch(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	k := fs.Int("k", 5, "how many claims to print")
	claimsPath := fs.String("claims", "", "fact-check file to match against (default: the workspace store)")
	modelPath := fs.String("model", "", "re-ranker model file (default: the workspace model)")
	date := fs.String("date", "", "when the text was posted, YYYY-MM-DD (helps when claims are dated)")
	format := fs.String("format", "table", "output: table or jsonl")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return Usagef("give the TEXT to match (quote it)")
	}
	if *format != "table" && *format != "jsonl" {
		return Usagef("--format must be table or jsonl, not %q", *format)
	}
	var when *time.Time
	if *date != "" {
		t, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			return Usagef("--date %q is not YYYY-MM-DD", *date)
		}
		when = &t
	}
	m, err := loadMatcher(ctx, env, *claimsPath, *modelPath)
	if err != nil {
		return err
	}
	hits, err := m.Match(ctx, strings.Join(fs.Args(), " "), when, *k)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(env.Stdout)
	if *format == "jsonl" {
		err = retrieve.WriteHitsJSONL(w, hits)
	} else if len(hits) == 0 {
		fmt.Fprintln(env.Stderr, "no fact-checked claim shares words with the text")
		return nil
	} else {
		err = retrieve.WriteHitsTable(w, hits)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// benchmarks loads the CheckThat! sets named by name (ar-2021, en-2022,
// ar-ans or all) from the reference data folder.
func benchmarks(env *Env, data, name string) ([]*eval.Benchmark, error) {
	dataDir, err := dataDir(env, data, true)
	if err != nil {
		return nil, err
	}
	bs, err := experiment.Benchmarks(dataDir, name)
	if errors.Is(err, experiment.ErrUnknownBenchmark) {
		return nil, Usagef("%v", err)
	}
	return bs, err
}

// claimsProgress shows one status line on a terminal ("" clears it).
func claimsProgress(env *Env) func(format string, a ...any) {
	return func(format string, a ...any) {
		if !env.StderrIsTerminal {
			return
		}
		fmt.Fprint(env.Stderr, "\r\033[K")
		if format != "" {
			fmt.Fprintf(env.Stderr, format, a...)
		}
	}
}

func runClaimsTrain(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	data := dataFlag(fs, "")
	bench := fs.String("benchmark", "all", "training splits to use: ar-2021, en-2022, ar-ans or all (ignored with --collection)")
	collection := fs.String("collection", "", "your own claims file (any format 'claims import' reads)")
	queries := fs.String("queries", "", "your own training queries: id<TAB>text per line")
	qrels := fs.String("qrels", "", "your own training qrels: query 0 claim 1 per line")
	out := fs.String("out", "", "model file to write (default: $BASIRA_HOME/claims/reranker.json)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	start := time.Now()
	var sets []experiment.Set
	var note string
	if *collection != "" || *queries != "" || *qrels != "" {
		if *collection == "" || *queries == "" || *qrels == "" {
			return Usagef("--collection, --queries and --qrels go together")
		}
		ix, split, err := experiment.OwnSplit(*collection, *queries, *qrels)
		if err != nil {
			return err
		}
		sets = append(sets, experiment.Set{Index: ix, Split: split})
		note = fmt.Sprintf("trained on %s (%d queries)", filepath.Base(*queries), len(split.Queries))
	} else {
		bs, err := benchmarks(env, *data, *bench)
		if err != nil {
			return err
		}
		sets, _ = experiment.Index(bs, claimsProgress(env))
		var names []string
		for _, b := range bs {
			names = append(names, fmt.Sprintf("%s train (%d queries)", b.Name, len(b.Train.Queries)))
		}
		note = "trained on " + strings.Join(names, " + ") + "; CheckThat! data free for research use, ANS Apache-2.0"
	}
	m := experiment.Train(sets, note+"; "+time.Now().UTC().Format(time.DateOnly), claimsProgress(env))
	path := *out
	if path == "" {
		dir, err := claimsDir(env, true)
		if err != nil {
			return err
		}
		path = filepath.Join(dir, "reranker.json")
	}
	if err := withOutput(env, path, m.WriteModel); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "claims train: %s; model written to %s (%s)\n", note, path, time.Since(start).Round(time.Millisecond))
	return nil
}

func runClaimsEval(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	collection := fs.String("collection", "", "claims file (any format 'claims import' reads)")
	queries := fs.String("queries", "", "queries: id<TAB>text per line (a header row is skipped)")
	qrels := fs.String("qrels", "", "TREC qrels: query 0 claim relevance per line")
	modelPath := fs.String("model", "", "re-ranker model (default: the workspace model, else the fallback)")
	trainQueries := fs.String("train-queries", "", "train a re-ranker on these queries first (with --train-qrels)")
	trainQrels := fs.String("train-qrels", "", "qrels of --train-queries")
	bench := fs.String("benchmark", "", "evaluate dev splits from the reference data: ar-2021, en-2022, ar-ans (ANS paraphrases) or all")
	data := dataFlag(fs, "read by --benchmark")
	runPath := fs.String("run", "", "also write the ranking as a TREC run file")
	if err := Parse(fs, args); err != nil {
		return err
	}
	var sets []experiment.Set
	var rr retrieve.Reranker
	var err error
	if *bench != "" {
		sets, rr, err = benchmarkSets(env, *data, *bench, *modelPath)
	} else {
		sets, rr, err = ownSets(env, *collection, *queries, *qrels, *trainQueries, *trainQrels, *modelPath)
	}
	if err != nil {
		return err
	}
	if *runPath == "" {
		return experiment.Evaluate(ctx, env.Stdout, nil, sets, rr)
	}
	return withOutput(env, *runPath, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := experiment.Evaluate(ctx, env.Stdout, bw, sets, rr); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// benchmarkSets are the dev splits of --benchmark and the re-ranker:
// --model, or one trained on the benchmarks' training splits.
func benchmarkSets(env *Env, data, bench, modelPath string) ([]experiment.Set, retrieve.Reranker, error) {
	bs, err := benchmarks(env, data, bench)
	if err != nil {
		return nil, nil, err
	}
	train, test := experiment.Index(bs, claimsProgress(env))
	if modelPath != "" {
		m, err := retrieve.LoadModel(modelPath)
		return test, m, err
	}
	fmt.Fprintln(env.Stderr, "claims eval: training on the training splits …")
	return test, experiment.Train(train, "eval", claimsProgress(env)), nil
}

// ownSets is an analyst's own split and the re-ranker: trained on their
// training split, else --model or the workspace's.
func ownSets(env *Env, collection, queries, qrels, trainQueries, trainQrels, modelPath string) ([]experiment.Set, retrieve.Reranker, error) {
	if collection == "" || queries == "" || qrels == "" {
		return nil, nil, Usagef("give --collection, --queries and --qrels (or --benchmark)")
	}
	ix, split, err := experiment.OwnSplit(collection, queries, qrels)
	if err != nil {
		return nil, nil, err
	}
	sets := []experiment.Set{{Name: filepath.Base(queries), Index: ix, Split: split}}
	if trainQueries == "" && trainQrels == "" {
		rr, err := loadReranker(env, modelPath)
		return sets, rr, err
	}
	if trainQueries == "" || trainQrels == "" {
		return nil, nil, Usagef("--train-queries and --train-qrels go together")
	}
	ts, err := eval.LoadSplit(trainQueries, trainQrels)
	if err != nil {
		return nil, nil, err
	}
	return sets, experiment.Train([]experiment.Set{{Index: ix, Split: ts}}, "eval", claimsProgress(env)), nil
}
