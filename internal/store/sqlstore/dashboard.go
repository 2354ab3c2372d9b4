package sqlstore

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/store"
)

var _ store.DashboardReader = (*DB)(nil)

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// maxDelays bounds the delays read to compute medians: the most recent
// ones when there are more.
const maxDelays = 50000

// Dashboard computes the dashboard's figures for [since, until) with
// grouped queries; only the delays are read row by row (bounded) to take
// their median.
func (db *DB) Dashboard(ctx context.Context, since, until time.Time) (*store.Dashboard, error) {
	from, to := micro(since), micro(until)
	d := &store.Dashboard{Since: since.UTC(), Until: until.UTC()}
	days := map[int64]*store.DayCount{}
	dayOf := func(n int64) *store.DayCount {
		if days[n] == nil {
			days[n] = &store.DayCount{Day: time.UnixMicro(n * dayMicros).UTC().Format("2006-01-02")}
		}
		return days[n]
	}
	day := strconv.FormatInt(dayMicros, 10)
	for _, q := range []struct {
		sql string
		add func(*store.DayCount, int64)
	}{
		{`SELECT ingested_at / ` + day + `, count(*) FROM posts WHERE ingested_at >= ? AND ingested_at < ? GROUP BY 1`, func(c *store.DayCount, n int64) { c.Posts = n }},
		{`SELECT created_at / ` + day + `, count(*) FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY 1`, func(c *store.DayCount, n int64) { c.Cases = n }},
		{`SELECT at / ` + day + `, count(*) FROM decisions WHERE action <> 'appeal' AND at >= ? AND at < ? GROUP BY 1`, func(c *store.DayCount, n int64) { c.Decisions = n }},
	} {
		if err := db.eachPair(ctx, q.sql, []any{from, to}, func(k, n int64) { q.add(dayOf(k), n) }); err != nil {
			return nil, err
		}
	}
	// Every day of the period, empty ones included, so a chart's axis is even.
	for n := from / dayMicros; n <= (to-1)/dayMicros && len(days) < 400; n++ {
		dayOf(n)
	}
	for _, c := range days {
		d.Days = append(d.Days, *c)
	}
	sort.Slice(d.Days, func(i, j int) bool { return d.Days[i].Day < d.Days[j].Day })

	var err error
	if d.Categories, err = db.keyCounts(ctx, `SELECT category, count(*) FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY category`, from, to); err != nil {
		return nil, err
	}
	if d.Languages, err = db.languages(ctx, from, to); err != nil {
		return nil, err
	}
	if d.Platforms, err = db.keyCounts(ctx, `SELECT platform, count(*) FROM posts WHERE case_id IS NOT NULL AND ingested_at >= ? AND ingested_at < ? GROUP BY platform`, from, to); err != nil {
		return nil, err
	}
	if d.ToDecision, err = db.delays(ctx, `SELECT min(d.at) - c.created_at FROM cases c JOIN decisions d ON d.case_id = c.id
WHERE d.action <> 'appeal' AND c.created_at >= ? AND c.created_at < ? GROUP BY c.id, c.created_at ORDER BY c.id DESC LIMIT `+strconv.Itoa(maxDelays), from, to); err != nil {
		return nil, err
	}
	if d.ToAction, err = db.delays(ctx, `SELECT sent_at - created_at FROM referrals WHERE sent_at IS NOT NULL AND created_at >= ? AND created_at < ? ORDER BY created_at DESC LIMIT `+strconv.Itoa(maxDelays), from, to); err != nil {
		return nil, err
	}
	rows, err := db.R.QueryContext(ctx, db.D.rebind(`SELECT c.category, count(*), sum(CASE WHEN d.action = 'dismiss' THEN 1 ELSE 0 END)
FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.action <> 'appeal' AND d.at >= ? AND d.at < ? GROUP BY c.category`), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.DismissRate
		if err := rows.Scan(&r.Category, &r.Decisions, &r.Dismissed); err != nil {
			return nil, err
		}
		if r.Decisions > 0 {
			r.Rate = float64(r.Dismissed) / float64(r.Decisions)
		}
		d.Dismissals = append(d.Dismissals, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(d.Dismissals, func(i, j int) bool { return d.Dismissals[i].Category < d.Dismissals[j].Category })
	return d, nil
}

func (db *DB) eachPair(ctx context.Context, q string, args []any, fn func(k, n int64)) error {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, n int64
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		fn(k, n)
	}
	return rows.Err()
}

func (db *DB) keyCounts(ctx context.Context, q string, args ...any) ([]store.KeyCount, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.KeyCount{}
	for rows.Next() {
		var kc store.KeyCount
		if err := rows.Scan(&kc.Key, &kc.N); err != nil {
			return nil, err
		}
		out = append(out, kc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N > out[j].N || out[i].N == out[j].N && out[i].Key < out[j].Key })
	return out, rows.Err()
}

func (db *DB) delays(ctx context.Context, q string, args ...any) (store.Durations, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(q), args...)
	if err != nil {
		return store.Durations{}, err
	}
	defer rows.Close()
	var ds []float64
	for rows.Next() {
		var us int64
		if err := rows.Scan(&us); err != nil {
			return store.Durations{}, err
		}
		ds = append(ds, float64(max(us, 0))/1e6)
	}
	if err := rows.Err(); err != nil {
		return store.Durations{}, err
	}
	sort.Float64s(ds)
	return store.Durations{N: len(ds), Median: quantile(ds, 0.5), P90: quantile(ds, 0.9)}, nil
}

// quantile of sorted xs by linear interpolation (0 for none).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	pos := q * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(xs)-1)
	return xs[lo] + (xs[hi]-xs[lo])*(pos-float64(lo))
}

// languages counts posts in cases by language. Most sources give none:
// those are counted under the language the text engine detects (as the
// API shows them), reading at most maxDelays of the latest posts.
func (db *DB) languages(ctx context.Context, from, to int64) ([]store.KeyCount, error) {
	counts := map[string]int64{}
	err := db.eachRow(ctx, `SELECT lang, count(*) FROM posts WHERE case_id IS NOT NULL AND lang <> '' AND ingested_at >= ? AND ingested_at < ? GROUP BY lang`,
		[]any{from, to}, func(r scanner) error {
			var k string
			var n int64
			if err := r.Scan(&k, &n); err != nil {
				return err
			}
			counts[k] += n
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = db.eachRow(ctx, `SELECT text FROM posts WHERE case_id IS NOT NULL AND lang = '' AND ingested_at >= ? AND ingested_at < ? ORDER BY key DESC LIMIT `+strconv.Itoa(maxDelays),
		[]any{from, to}, func(r scanner) error {
			var text string
			if err := r.Scan(&text); err != nil {
				return err
			}
			counts[arabic.DetectLang(text)]++
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]store.KeyCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, store.KeyCount{Key: k, N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N > out[j].N || out[i].N == out[j].N && out[i].Key < out[j].Key })
	return out, nil
}

func (db *DB) eachRow(ctx context.Context, q string, args []any, fn func(scanner) error) error {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
