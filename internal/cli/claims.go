package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
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
		Help: `Reads published fact-checks and adds them to the workspace's fact-check
store ($BASIRA_HOME/claims/claims.jsonl). A claim with the same id replaces
the stored one, so re-importing a feed is safe.

Formats (chosen from the file name, or sniffed; force one with --format):
  json   schema.org ClaimReview: one object, an array, or a JSON-LD @graph
  jsonl  one object per line: a ClaimReview, or a flat record
         {"id","text","title","rating","correction","url","publisher","lang","date"}
         (CheckThat! names vclaim_id, vclaim, truth_label are understood)
  csv, tsv  a header row with the flat record's names

An item that cannot be read is reported as "FILE: line N: reason" and the
rest is imported.

Examples:
  basira claims import factchecks.jsonld
  basira claims import --format tsv verified_claims.txt
  basira claims import --strict feed1.json feed2.csv`,
		Run: runClaimsImport,
	})
	Register(&Command{
		Name:    "claims list",
		Summary: "list the fact-checks in the workspace store",
		Usage:   "[flags]",
		Help: `Prints the stored fact-checks as a table, as JSONL (--format jsonl), or as a
schema.org ClaimReview JSON-LD document (--format claimreview, the same as
'basira claims export').

Examples:
  basira claims list
  basira claims list --rating false --limit 20
  basira claims list --format jsonl > claims.jsonl`,
		Run: runClaimsList,
	})
	Register(&Command{
		Name:    "claims export",
		Summary: "write the stored fact-checks as schema.org ClaimReview JSON-LD",
		Usage:   "[--out FILE]",
		Help: `Writes one JSON-LD document with an @graph of ClaimReview objects: claim,
rating with the publisher's words and numbers on the publisher's own scale,
correction as reviewBody, url, every author, language, date, the item
reviewed (who made the claim, when, where it appeared) and any other
property that was imported. 'basira claims import' reads it back.

Examples:
  basira claims export --out claimreview.json`,
		Run: runClaimsExport,
	})
	Register(&Command{
		Name:    "claims match",
		Summary: "find the fact-checked claims a text repeats (top k with score, rating, correction)",
		Usage:   "[flags] TEXT",
		Help: `Ranks the fact-checked claims by how likely TEXT repeats them: BM25 over
words and stems (MSA, Darija, Arabizi through transliteration, French,
English) and a learned re-ranker over lexical features. Rows are in the
re-ranker's order; SCORE is its separately estimated probability that the
text repeats the claim ('basira scan --claims' signals matches at 0.5 or
more), so it need not fall monotonically down the list.

The claims come from the workspace store, or from --claims FILE (any
format 'claims import' reads). The re-ranker is the workspace model
written by 'basira claims train', or --model FILE; without one an
untrained fallback ranks (less well) and a note says so.

Examples:
  basira claims match "لقاح كورونا يسبب العقم"
  basira claims match -k 10 --claims factchecks.jsonl "l9a7 dyal corona kay9tel"
  basira claims match --format jsonl --date 2021-01-28 "Oreo x Lady Gaga"`,
		Run: runClaimsMatch,
	})
	Register(&Command{
		Name:    "claims train",
		Summary: "train the claim re-ranker and save it in the workspace",
		Usage:   "[flags]",
		Help: `Trains the re-ranker (pairwise logistic regression over lexical features,
one model for Arabic-script posts and one for Latin-script posts) and
writes it to $BASIRA_HOME/claims/reranker.json (or --out).

By default it trains on the TRAINING splits of CLEF CheckThat! 2021 2A
Arabic, 2022 2A English and ANS (Arabic paraphrases and contradicted
variants of news headlines) found in the reference data (--data, or
BASIRA_DATA). The CheckThat! sets are "free for research use": Basira does
not ship weights learned from them; check that your use fits their terms
(--benchmark ar-ans trains on ANS alone, Apache-2.0). The probability that
thresholds read is calibrated so that at most 3% of the training posts
whose claim was removed from the collection still reach 0.5. Train on
your own desk's data instead with --collection/--queries/--qrels (TREC
qrels: "query 0 claim 1" per line; queries: "id<TAB>text").

Examples:
  basira claims train
  basira claims train --collection ours.jsonl --queries q.tsv --qrels q.qrels`,
		Run: runClaimsTrain,
	})
	Register(&Command{
		Name:    "claims eval",
		Summary: "score claim retrieval: MAP@1/3/5/10, P@1, MRR (CheckThat! semantics)",
		Usage:   "[flags] (--collection C --queries Q --qrels R | --benchmark NAME)",
		Help: `Ranks the claims of a collection for every query and scores the ranking with
CLEF CheckThat! Task 2's measures: MAP@k with trec_eval semantics (AP over
the first k results divided by the number of relevant claims), P@1 and MRR,
averaged over the queries of the qrels. A first-stage (BM25 only) row is
printed as the baseline.

The re-ranker is --model FILE, else the workspace model, else the untrained
fallback; --train-queries/--train-qrels train one on the spot (on the same
collection). --benchmark ar-2021, en-2022 or all evaluates the CheckThat!
dev splits of the reference data after training on their training splits
(never on dev).

Examples:
  basira claims eval --benchmark all
  basira claims eval --collection vclaims.jsonl --queries dev.tsv --qrels dev.qrels --model m.json
  basira claims eval --collection C --queries Q --qrels R --run run.tsv`,
		Run: runClaimsEval,
	})
}

// claimsDir is the workspace folder of the fact-check store and model.
func claimsDir(env *Env, create bool) (string, error) { return Home(env, create, "claims") }

func claimsStore(env *Env, create bool) (*claims.FileStore, error) {
	dir, err := claimsDir(env, create)
	if err != nil {
		return nil, err
	}
	return claims.NewFileStore(filepath.Join(dir, "claims.jsonl")), nil
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

// readClaimsFile decodes a fact-check file, reporting bad items (and parts
// of items imported without them) on stderr. It returns the number of
// items left out.
func readClaimsFile(env *Env, path, format string) ([]claims.Claim, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	fmtName := claims.Format(format)
	if fmtName == "" {
		head, _ := br.Peek(4096)
		fmtName = claims.SniffFormat(path, head)
	}
	cs, itemErrs, err := claims.Decode(br, fmtName, claims.Options{})
	for _, ie := range itemErrs {
		fmt.Fprintf(env.Stderr, "%s: %v\n", path, ie)
	}
	if err != nil {
		return cs, claims.Rejected(itemErrs), fmt.Errorf("%s: %w", path, err)
	}
	return cs, claims.Rejected(itemErrs), nil
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
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range out {
			if err := enc.Encode(&out[i]); err != nil {
				return err
			}
		}
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRATING\tLANG\tPUBLISHED\tCLAIM")
		for _, c := range out {
			pub := "-"
			if c.Published != nil {
				pub = c.Published.Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, orDash(c.Rating), orDash(c.Lang), pub, oneLine(c.Text, 70))
		}
		if err := tw.Flush(); err != nil {
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
	var w io.Writer = env.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := claims.WriteClaimReview(bw, cs); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(env.Stderr, "claims export: %d ClaimReview objects written to %s\n", len(cs), *out)
	}
	return nil
}

// loadClaims reads the claims of path ("" means the workspace store).
func loadClaims(ctx context.Context, env *Env, path string) ([]claims.Claim, error) {
	if path != "" {
		cs, _, err := readClaimsFile(env, path, "")
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, fmt.Errorf("%s holds no fact-check", path)
		}
		return cs, nil
	}
	st, cs, err := storedClaims(ctx, env)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("the fact-check store %s is empty: add fact-checks with 'basira claims import FILE', or name a file with --claims", st.Path())
	}
	return cs, nil
}

// loadReranker reads path, else the workspace model, else returns the
// untrained fallback with a note on stderr.
func loadReranker(env *Env, path string) (retrieve.Reranker, error) {
	if path != "" {
		return retrieve.LoadModel(path)
	}
	dir, err := claimsDir(env, false)
	if err != nil {
		return nil, err
	}
	m, err := retrieve.LoadModel(filepath.Join(dir, "reranker.json"))
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintln(env.Stderr, "note: no trained claim re-ranker in the workspace; ranking with the untrained fallback (run 'basira claims train')")
		return retrieve.DefaultModel(), nil
	}
	if errors.Is(err, retrieve.ErrModelFormat) {
		// An older version's model: its probabilities are not calibrated
		// the way this version's thresholds expect.
		fmt.Fprintf(env.Stderr, "note: %v; ranking with the untrained fallback until then\n", err)
		return retrieve.DefaultModel(), nil
	}
	return m, err
}

func loadMatcher(ctx context.Context, env *Env, claimsPath, modelPath string) (*retrieve.Matcher, error) {
	cs, err := loadClaims(ctx, env, claimsPath)
	if err != nil {
		return nil, err
	}
	rr, err := loadReranker(env, modelPath)
	if err != nil {
		return nil, err
	}
	return retrieve.NewMatcher(retrieve.NewIndex(cs, retrieve.Options{}), rr), nil
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
	defer w.Flush()
	if *format == "jsonl" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i, h := range hits {
			if err := enc.Encode(map[string]any{"rank": i + 1, "score": roundClaimScore(h.Prob), "claim": h.Claim}); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	if len(hits) == 0 {
		fmt.Fprintln(env.Stderr, "no fact-checked claim shares words with the text")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tSCORE\tRATING\tCLAIM\tCORRECTION\tID")
	for i, h := range hits {
		fmt.Fprintf(tw, "%d\t%.3f\t%s\t%s\t%s\t%s\n", i+1, h.Prob, orDash(h.Claim.Rating), oneLine(h.Claim.Text, 60), oneLine(orDash(h.Claim.Correction), 40), h.Claim.ID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return w.Flush()
}

func roundClaimScore(f float64) float64 { return math.Round(f*1000) / 1000 }

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
