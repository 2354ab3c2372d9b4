// Package eval scores claim retrieval the way CLEF CheckThat! Task 2 does:
// MAP@k with trec_eval semantics (the average precision over the first k
// results is divided by the number of relevant claims of the query, not by
// min(k, relevant)), precision at 1 and mean reciprocal rank, averaged over
// every query of the qrels (a query with no results scores 0).
package eval

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Qrels holds the relevant claims of each query: query → claim → true.
type Qrels map[string]map[string]bool

// ReadQrels reads TREC qrels: "query 0 claim relevance" per line,
// separated by tabs or spaces. Lines with relevance 0 are ignored.
func ReadQrels(r io.Reader) (Qrels, error) {
	q := Qrels{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 4 {
			return nil, fmt.Errorf("qrels line %d: want 4 fields (query 0 claim relevance), got %d", line, len(f))
		}
		rel, err := strconv.Atoi(f[3])
		if err != nil {
			return nil, fmt.Errorf("qrels line %d: relevance %q is not a number", line, f[3])
		}
		if rel <= 0 {
			continue
		}
		if q[f[0]] == nil {
			q[f[0]] = map[string]bool{}
		}
		q[f[0]][f[2]] = true
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(q) == 0 {
		return nil, errors.New("the qrels hold no relevant pair")
	}
	return q, nil
}

// Query is one evaluation query (a tweet in CheckThat!).
type Query struct {
	ID, Text string
}

// ReadQueries reads a TSV of "id<TAB>text" rows, with or without a header
// row; text may be quoted and span lines.
func ReadQueries(r io.Reader) ([]Query, error) {
	cr := csv.NewReader(r)
	cr.Comma = '\t'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	var qs []Query
	for rec := 1; ; rec++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("queries: %w", err)
		}
		if len(row) < 2 {
			return nil, fmt.Errorf("queries record %d: want id<TAB>text", rec)
		}
		if rec == 1 && (strings.HasSuffix(row[0], "_id") || row[0] == "id") {
			continue
		}
		qs = append(qs, Query{ID: strings.TrimSpace(row[0]), Text: row[1]})
	}
	return qs, nil
}

// Run holds a ranking per query: query → claim ids, best first.
type Run map[string][]string

// Metrics are the CheckThat! measures, averaged over the qrels' queries.
type Metrics struct {
	Queries int
	// MAP maps k to MAP@k.
	MAP map[int]float64
	P1  float64
	MRR float64
}

// Ks are the cut-offs Evaluate reports.
var Ks = []int{1, 3, 5, 10}

// AveragePrecision returns AP@k of ranking for the relevant set: the sum of
// precision at each relevant rank ≤ k, divided by len(relevant). k ≤ 0
// means the whole ranking. A claim ranked twice counts once.
func AveragePrecision(ranking []string, relevant map[string]bool, k int) float64 {
	if len(relevant) == 0 {
		return 0
	}
	if k <= 0 || k > len(ranking) {
		k = len(ranking)
	}
	seen := map[string]bool{}
	var hits, sum float64
	for i, id := range ranking[:k] {
		if relevant[id] && !seen[id] {
			hits++
			sum += hits / float64(i+1)
		}
		seen[id] = true
	}
	return sum / float64(len(relevant))
}

// ReciprocalRank returns 1/rank of the first relevant claim, or 0.
func ReciprocalRank(ranking []string, relevant map[string]bool) float64 {
	for i, id := range ranking {
		if relevant[id] {
			return 1 / float64(i+1)
		}
	}
	return 0
}

// Evaluate scores run against qrels. Queries of the run that are not in
// the qrels are ignored; queries of the qrels missing from the run score 0.
func Evaluate(qrels Qrels, run Run) Metrics {
	m := Metrics{MAP: map[int]float64{}}
	ids := make([]string, 0, len(qrels))
	for id := range qrels {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rel := qrels[id]
		r := run[id]
		for _, k := range Ks {
			m.MAP[k] += AveragePrecision(r, rel, k)
		}
		if len(r) > 0 && rel[r[0]] {
			m.P1++
		}
		m.MRR += ReciprocalRank(r, rel)
	}
	m.Queries = len(ids)
	if m.Queries > 0 {
		n := float64(m.Queries)
		for k := range m.MAP {
			m.MAP[k] /= n
		}
		m.P1 /= n
		m.MRR /= n
	}
	return m
}

// String renders the metrics on one line.
func (m Metrics) String() string {
	var b strings.Builder
	for _, k := range Ks {
		fmt.Fprintf(&b, "MAP@%d=%.4f ", k, m.MAP[k])
	}
	fmt.Fprintf(&b, "P@1=%.4f MRR=%.4f (%d queries)", m.P1, m.MRR, m.Queries)
	return b.String()
}
