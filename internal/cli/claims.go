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
	"github.com/basira-org/basira/internal/claims/retrieve"
	"github.com/basira-org/basira/internal/refdata"
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

// benchmarks returns the CheckThat! sets named by name (ar-2021, en-2022
// or all) from the reference data folder.
func benchmarks(env *Env, dataDir, name string) ([]*eval.Benchmark, error) {
	if dataDir == "" {
		dataDir = env.Getenv("BASIRA_DATA")
	}
	if dataDir == "" {
		dataDir = refdata.Dir()
	}
	if dataDir == "" {
		return nil, errors.New("reference data not found: give --data DIR or set BASIRA_DATA to the shared data folder")
	}
	var out []*eval.Benchmark
	if name == "all" || name == "ar-2021" {
		b, err := eval.LoadArabic2021(filepath.Join(dataDir, "claims", "ar-ct2021-2a"))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if name == "all" || name == "en-2022" {
		b, err := eval.LoadEnglish2022(filepath.Join(dataDir, "claims", "en-ct2022-2a"))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if name == "all" || name == "ar-ans" {
		b, err := eval.LoadANS(filepath.Join(dataDir, "claims", "ar-ans"))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, Usagef("--benchmark must be ar-2021, en-2022, ar-ans or all, not %q", name)
	}
	return out, nil
}

// trainingSet is a collection with one training split.
type trainingSet struct {
	ix    *retrieve.Index
	split eval.Split
}

func trainOn(env *Env, sets []trainingSet, note string) *retrieve.Model {
	var exs []retrieve.Example
	for i, s := range sets {
		claimsProgress(env, "features of training set %d of %d (%d posts) …", i+1, len(sets), len(s.split.Queries))
		exs = append(exs, retrieve.Examples(s.ix, s.split)...)
	}
	claimsProgress(env, "fitting the re-ranker on %d candidate lists …", len(exs))
	m := retrieve.TrainModel(exs, retrieve.TrainOptions{}, note)
	claimsProgress(env, "")
	return m
}

// claimsProgress shows one status line on a terminal ("" clears it).
func claimsProgress(env *Env, format string, a ...any) {
	if !env.StderrIsTerminal {
		return
	}
	fmt.Fprint(env.Stderr, "\r\033[K")
	if format != "" {
		fmt.Fprintf(env.Stderr, format, a...)
	}
}

// loadOwnSplit indexes a claims collection and reads one split (queries
// and qrels) of it, for --collection/--queries/--qrels.
func loadOwnSplit(collection, queries, qrels string) (*retrieve.Index, eval.Split, error) {
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

func runClaimsTrain(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dataDir := fs.String("data", "", "reference data folder (default: BASIRA_DATA or ../shared/data)")
	bench := fs.String("benchmark", "all", "training splits to use: ar-2021, en-2022, ar-ans or all (ignored with --collection)")
	collection := fs.String("collection", "", "your own claims file (any format 'claims import' reads)")
	queries := fs.String("queries", "", "your own training queries: id<TAB>text per line")
	qrels := fs.String("qrels", "", "your own training qrels: query 0 claim 1 per line")
	out := fs.String("out", "", "model file to write (default: $BASIRA_HOME/claims/reranker.json)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	start := time.Now()
	var sets []trainingSet
	var note string
	if *collection != "" || *queries != "" || *qrels != "" {
		if *collection == "" || *queries == "" || *qrels == "" {
			return Usagef("--collection, --queries and --qrels go together")
		}
		ix, split, err := loadOwnSplit(*collection, *queries, *qrels)
		if err != nil {
			return err
		}
		sets = append(sets, trainingSet{ix, split})
		note = fmt.Sprintf("trained on %s (%d queries)", filepath.Base(*queries), len(split.Queries))
	} else {
		bs, err := benchmarks(env, *dataDir, *bench)
		if err != nil {
			return err
		}
		var names []string
		for _, b := range bs {
			claimsProgress(env, "indexing %s (%d claims) …", b.Name, len(b.Collection))
			sets = append(sets, trainingSet{retrieve.NewIndex(b.Collection, retrieve.Options{}), b.Train})
			names = append(names, fmt.Sprintf("%s train (%d queries)", b.Name, len(b.Train.Queries)))
		}
		note = "trained on " + strings.Join(names, " + ") + "; CheckThat! data free for research use, ANS Apache-2.0"
	}
	m := trainOn(env, sets, note+"; "+time.Now().UTC().Format(time.DateOnly))
	path := *out
	if path == "" {
		dir, err := claimsDir(env, true)
		if err != nil {
			return err
		}
		path = filepath.Join(dir, "reranker.json")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.WriteModel(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
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
	dataDir := fs.String("data", "", "reference data folder for --benchmark (default: BASIRA_DATA or ../shared/data)")
	runPath := fs.String("run", "", "also write the ranking as a TREC run file")
	if err := Parse(fs, args); err != nil {
		return err
	}
	type job struct {
		name  string
		ix    *retrieve.Index
		split eval.Split
	}
	var jobs []job
	var rr retrieve.Reranker
	if *bench != "" {
		bs, err := benchmarks(env, *dataDir, *bench)
		if err != nil {
			return err
		}
		var sets []trainingSet
		for _, b := range bs {
			claimsProgress(env, "indexing %s (%d claims) …", b.Name, len(b.Collection))
			ix := retrieve.NewIndex(b.Collection, retrieve.Options{})
			sets = append(sets, trainingSet{ix, b.Train})
			jobs = append(jobs, job{b.Name + " dev", ix, b.Dev})
			if b.DevTest != nil {
				jobs = append(jobs, job{b.Name + " dev-test", ix, *b.DevTest})
			}
		}
		if *modelPath != "" {
			m, err := retrieve.LoadModel(*modelPath)
			if err != nil {
				return err
			}
			rr = m
		} else {
			fmt.Fprintln(env.Stderr, "claims eval: training on the training splits …")
			rr = trainOn(env, sets, "eval")
		}
	} else {
		if *collection == "" || *queries == "" || *qrels == "" {
			return Usagef("give --collection, --queries and --qrels (or --benchmark)")
		}
		ix, split, err := loadOwnSplit(*collection, *queries, *qrels)
		if err != nil {
			return err
		}
		jobs = append(jobs, job{filepath.Base(*queries), ix, split})
		switch {
		case *trainQueries != "" || *trainQrels != "":
			if *trainQueries == "" || *trainQrels == "" {
				return Usagef("--train-queries and --train-qrels go together")
			}
			ts, err := eval.LoadSplit(*trainQueries, *trainQrels)
			if err != nil {
				return err
			}
			rr = trainOn(env, []trainingSet{{ix, ts}}, "eval")
		default:
			if rr, err = loadReranker(env, *modelPath); err != nil {
				return err
			}
		}
	}
	var runW *bufio.Writer
	if *runPath != "" {
		f, err := os.Create(*runPath)
		if err != nil {
			return err
		}
		defer f.Close()
		runW = bufio.NewWriter(f)
		defer runW.Flush()
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SPLIT\tRANKER\tQUERIES\tMAP@1\tMAP@3\tMAP@5\tMAP@10\tP@1\tMRR")
	for _, j := range jobs {
		for _, r := range []struct {
			name string
			rr   retrieve.Reranker
		}{{"bm25 (first stage)", retrieve.FirstStageOnly()}, {"untrained fallback", retrieve.DefaultModel()}, {"re-ranked", rr}} {
			run, err := retrieve.RunSplit(ctx, retrieve.NewMatcher(j.ix, r.rr), j.split)
			if err != nil {
				return err
			}
			m := eval.Evaluate(j.split.Qrels, run)
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", j.name, r.name, m.Queries, m.MAP[1], m.MAP[3], m.MAP[5], m.MAP[10], m.P1, m.MRR)
			if runW != nil && r.rr == rr {
				for _, q := range j.split.Queries {
					for i, id := range run[q.ID] {
						fmt.Fprintf(runW, "%s\tQ0\t%s\t%d\t%d\tbasira\n", q.ID, id, i+1, len(run[q.ID])-i)
					}
				}
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The detector's operating points: how often the re-ranked top claim
	// is signalled right or wrong, and how often a post whose claim was
	// never checked (its relevant claims removed) is still signalled.
	fmt.Fprintln(env.Stdout)
	tw = tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SPLIT	THRESHOLD	RIGHT SIGNAL	WRONG SIGNAL	FALSE SIGNAL (CLAIM ABSENT)")
	for _, j := range jobs {
		rates, err := retrieve.MatchRates(ctx, retrieve.NewMatcher(j.ix, rr), j.split, 0.5, 0.7, 0.9)
		if err != nil {
			return err
		}
		for _, r := range rates {
			fmt.Fprintf(tw, "%s\t%.1f\t%.3f\t%.3f\t%.3f\n", j.name, r.Threshold, r.Found, r.Wrong, r.FalseMatch)
		}
	}
	return tw.Flush()
}
