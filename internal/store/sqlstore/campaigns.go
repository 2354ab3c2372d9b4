package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/campaign"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
)

// The SQL side of campaign folding: read what internal/campaign needs,
// write what it decides, with a fixed number of statements per batch.

// bandKey is the LSH key of band b of a signature (Bands bands of Rows
// values), as stored in case_bands.
func bandKey(sig *textsig.Signature, b int) int64 {
	h := uint64(14695981039346656037) ^ uint64(b)
	for _, v := range sig[b*textsig.Rows : (b+1)*textsig.Rows] {
		h = (h ^ uint64(v)) * 1099511628211
		h ^= h >> 29
	}
	return int64(h)
}

// openedCase is a case a batch opened and the post that opened it.
type openedCase struct {
	id   int64
	post store.Processing
}

// folded is what foldCampaigns did.
type folded struct {
	cases  []openedCase       // opened, in cluster-key order
	opener map[int64]bool     // posts that opened a case
	grown  []campaign.Summary // existing cases to grow (growCases), in cluster-key order
	// seen holds every stored case the near lookup found: checkOpened
	// need only look at the others.
	seen map[int64]bool
}

// foldCampaigns settles the case of each flagged post (exact keys placed
// first writer wins, near-duplicates by signature), opens the new cases
// with their signatures and platforms, and fills caseOf. The existing
// cases it finds are left for growCases, so that their rows are locked
// only at the end of the transaction.
func (db *DB) foldCampaigns(ctx context.Context, tx *sql.Tx, flagged []store.Processing, now time.Time, caseOf map[int64]int64) (folded, error) {
	f := folded{opener: map[int64]bool{}}
	if len(flagged) == 0 {
		return f, nil
	}
	exacts := make([]string, 0, len(flagged))
	for _, p := range flagged {
		exacts = append(exacts, p.ClusterKey)
	}
	slices.Sort(exacts)
	exacts = slices.Compact(exacts)
	placed, err := db.readKeys(ctx, tx, exacts)
	if err != nil {
		return f, err
	}
	near, seen, err := db.nearCases(ctx, tx, flagged, placed, nil)
	if err != nil {
		return f, err
	}
	f.seen = seen
	keys := campaign.Resolve(flagged, placed, near)
	final, err := db.placeKeys(ctx, tx, flagged, keys, placed)
	if err != nil {
		return f, err
	}
	keys, fix := campaign.Rebase(flagged, keys, final)
	for _, e := range slices.Sorted(maps.Keys(fix)) {
		if _, err := tx.ExecContext(ctx, db.D.rebind(`UPDATE case_keys SET cluster_key = ? WHERE exact_key = ?`), fix[e], e); err != nil {
			return f, err
		}
	}
	sums := campaign.Fold(flagged, keys, now)
	idOf, err := db.openCases(ctx, tx, flagged, sums, micro(now))
	if err != nil {
		return f, err
	}
	var existing []string
	for _, s := range sums {
		if id, ok := idOf[s.Key]; ok {
			p := flagged[s.Opener]
			f.cases = append(f.cases, openedCase{id: id, post: p})
			f.opener[p.PostKey] = true
		} else {
			existing = append(existing, s.Key)
			f.grown = append(f.grown, s)
		}
	}
	if err := db.caseIDs(ctx, tx, existing, idOf); err != nil {
		return f, err
	}
	for i, p := range flagged {
		caseOf[p.PostKey] = idOf[keys[i]]
	}
	return f, db.addPlatforms(ctx, tx, sums, idOf)
}

// readKeys returns the cluster keys placed for exact keys.
func (db *DB) readKeys(ctx context.Context, tx *sql.Tx, exacts []string) (map[string]string, error) {
	placed := make(map[string]string, len(exacts))
	chunk := db.inChunk()
	for lo := 0; lo < len(exacts); lo += chunk {
		cond, args := db.in("exact_key", exacts[lo:min(lo+chunk, len(exacts))])
		rows, err := tx.QueryContext(ctx, db.D.rebind(`SELECT exact_key, cluster_key FROM case_keys WHERE `+cond), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e, k string
			if err := rows.Scan(&e, &k); err != nil {
				rows.Close()
				return nil, err
			}
			placed[e] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return placed, nil
}

// nearCases returns, for each flagged post still to place that has a
// signature, the stored cases sharing an LSH band with it (but those of
// skip): the oldest campaign.MaxCandidates, with their signatures; and
// every case found (before the cut). Two queries per batch.
func (db *DB) nearCases(ctx context.Context, tx *sql.Tx, flagged []store.Processing, placed map[string]string, skip map[int64]bool) ([][]campaign.Stored, map[int64]bool, error) {
	postsOf := map[int64][]int{}
	for i, p := range flagged {
		if _, ok := placed[p.ClusterKey]; ok || p.Signature == nil {
			continue
		}
		for b := range textsig.Bands {
			k := bandKey(p.Signature, b)
			postsOf[k] = append(postsOf[k], i)
		}
	}
	if len(postsOf) == 0 {
		return nil, nil, nil
	}
	bands := slices.Sorted(maps.Keys(postsOf))
	cands := make([][]int64, len(flagged))
	chunk := db.inChunk()
	for lo := 0; lo < len(bands); lo += chunk {
		cond, args := db.in("band_key", bands[lo:min(lo+chunk, len(bands))])
		rows, err := tx.QueryContext(ctx, db.D.rebind(`SELECT band_key, case_id FROM case_bands WHERE `+cond), args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var band, id int64
			if err := rows.Scan(&band, &id); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if skip[id] {
				continue
			}
			for _, i := range postsOf[band] {
				cands[i] = append(cands[i], id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	found := map[int64]bool{}
	for _, c := range cands {
		for _, id := range c {
			found[id] = true
		}
	}
	want := map[int64]bool{}
	for i, c := range cands {
		slices.Sort(c)
		c = slices.Compact(c)
		cands[i] = c[:min(len(c), campaign.MaxCandidates)]
		for _, id := range cands[i] {
			want[id] = true
		}
	}
	if len(want) == 0 {
		return nil, found, nil
	}
	stored := make(map[int64]campaign.Stored, len(want))
	ids := slices.Sorted(maps.Keys(want))
	for lo := 0; lo < len(ids); lo += chunk {
		cond, args := db.in("id", ids[lo:min(lo+chunk, len(ids))])
		rows, err := tx.QueryContext(ctx, db.D.rebind(`SELECT id, cluster_key, signature FROM cases WHERE `+cond), args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var s campaign.Stored
			var enc sql.NullString
			if err := rows.Scan(&s.ID, &s.Key, &enc); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if s.Signature, err = textsig.ParseSignature(enc.String); err == nil {
				stored[s.ID] = s // a case without a readable signature cannot be compared
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	near := make([][]campaign.Stored, len(flagged))
	for i, c := range cands {
		for _, id := range c {
			if s, ok := stored[id]; ok {
				near[i] = append(near[i], s)
			}
		}
	}
	return near, found, nil
}

// errCampaignRace: a concurrent worker committed a case that a case this
// transaction opens should have joined (neither saw the other's). The
// transaction is run again, and its posts then join that case.
var errCampaignRace = errors.New("a near-duplicate case was opened concurrently")

// checkOpened returns errCampaignRace when a case this transaction opens
// is near a case it did not see. It runs under the audit lock, which
// every transaction opening a case takes and holds to its commit: so
// every earlier opener has committed, and every later one will see this
// one's cases. Near-duplicates handled by concurrent workers thus fold
// into one case without a lock held across the whole fold.
//
// Only cases the near lookup did not find are compared: those committed
// since (the others were compared then), so the check reads the band rows
// again but fetches few signatures.
func (db *DB) checkOpened(ctx context.Context, tx *sql.Tx, f folded) error {
	var roots []store.Processing
	skip := maps.Clone(f.seen)
	if skip == nil {
		skip = map[int64]bool{}
	}
	for _, o := range f.cases {
		skip[o.id] = true
		if o.post.Signature != nil {
			roots = append(roots, o.post)
		}
	}
	if len(roots) == 0 {
		return nil
	}
	near, _, err := db.nearCases(ctx, tx, roots, nil, skip)
	if err != nil {
		return err
	}
	for i := range near {
		for j := range near[i] {
			if textsig.Similarity(roots[i].Signature, &near[i][j].Signature) >= textsig.DefaultThreshold {
				return errCampaignRace
			}
		}
	}
	return nil
}

// placeKeys records the batch's choice for each exact key not placed yet
// (first writer wins: a concurrent transaction placing the same key makes
// this one wait, then keep the other's choice) and returns every exact
// key's placement as stored.
func (db *DB) placeKeys(ctx context.Context, tx *sql.Tx, flagged []store.Processing, keys []string, placed map[string]string) (map[string]string, error) {
	final := maps.Clone(placed)
	choice := map[string]string{}
	for i, p := range flagged {
		if _, ok := placed[p.ClusterKey]; !ok {
			choice[p.ClusterKey] = keys[i]
		}
	}
	exacts := slices.Sorted(maps.Keys(choice))
	var lost []string
	types := []string{tText, tText}
	chunk := db.rowsPer(len(types))
	for lo := 0; lo < len(exacts); lo += chunk {
		part := exacts[lo:min(lo+chunk, len(exacts))]
		args := make([]any, 0, 2*len(part))
		for _, e := range part {
			args = append(args, e, choice[e])
		}
		rows, err := tx.QueryContext(ctx, db.D.rebind(`INSERT INTO case_keys (exact_key, cluster_key) `+
			db.rowsSQL(types, len(part))+` ON CONFLICT (exact_key) DO NOTHING RETURNING exact_key`), db.rowsArgs(types, args)...)
		if err != nil {
			return nil, err
		}
		won := map[string]bool{}
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return nil, err
			}
			won[e] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, e := range part {
			if won[e] {
				final[e] = choice[e]
			} else {
				lost = append(lost, e)
			}
		}
	}
	if len(lost) > 0 {
		theirs, err := db.readKeys(ctx, tx, lost)
		if err != nil {
			return nil, err
		}
		maps.Copy(final, theirs)
	}
	return final, nil
}

// caseOpenTypes are the columns of openCases' INSERT.
var caseOpenTypes = []string{tText, tText, tText, tText, tFloat, tFloat, tInt, tInt, tInt, tInt, tText, tInt, tInt, tInt, tText}

// openCases inserts the cases of sums that do not exist yet, with the
// signature of the post that opens each, and indexes their signatures. It
// returns the ids of the cases it created.
func (db *DB) openCases(ctx context.Context, tx *sql.Tx, flagged []store.Processing, sums []campaign.Summary, now int64) (map[string]int64, error) {
	idOf := map[string]int64{}
	types := caseOpenTypes
	chunk := db.rowsPer(len(types))
	for lo := 0; lo < len(sums); lo += chunk {
		part := sums[lo:min(lo+chunk, len(sums))]
		args := make([]any, 0, len(types)*len(part))
		for _, s := range part {
			var sig any
			if p := flagged[s.Opener]; p.Signature != nil {
				sig = p.Signature.String()
			}
			args = append(args, s.Key, string(store.StatusNew), s.Category, s.Severity, s.Score, s.Strength, s.Priority, s.Count, s.FirstSeen, s.LastSeen, "", now, now, 1, sig)
		}
		rows, err := tx.QueryContext(ctx, db.D.rebind(`INSERT INTO cases (cluster_key, status, category, severity, score, strength, priority, count, first_seen, last_seen, assignee, created_at, updated_at, version, signature) `+
			db.rowsSQL(types, len(part))+` ON CONFLICT (cluster_key) DO NOTHING RETURNING id, cluster_key`), db.rowsArgs(types, args)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				rows.Close()
				return nil, err
			}
			idOf[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// A new case's band rows are new (its id is), so they are inserted
	// without ON CONFLICT, whose per-row check costs more than the row.
	var bands []any
	for _, s := range sums {
		id, ok := idOf[s.Key]
		sig := flagged[s.Opener].Signature
		if !ok || sig == nil {
			continue
		}
		keys := make([]int64, textsig.Bands)
		for b := range keys {
			keys[b] = bandKey(sig, b)
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			bands = append(bands, k, id)
		}
	}
	types = []string{tInt, tInt}
	chunk = db.rowsPer(len(types)) * 2
	for lo := 0; lo < len(bands); lo += chunk {
		part := bands[lo:min(lo+chunk, len(bands))]
		if _, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO case_bands (band_key, case_id) `+db.rowsSQL(types, len(part)/2)), db.rowsArgs(types, part)...); err != nil {
			return nil, err
		}
	}
	return idOf, nil
}

// caseIDs adds the ids of existing cases to idOf.
func (db *DB) caseIDs(ctx context.Context, tx *sql.Tx, keys []string, idOf map[string]int64) error {
	chunk := db.inChunk()
	for lo := 0; lo < len(keys); lo += chunk {
		cond, args := db.in("cluster_key", keys[lo:min(lo+chunk, len(keys))])
		rows, err := tx.QueryContext(ctx, db.D.rebind(`SELECT id, cluster_key FROM cases WHERE `+cond), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				rows.Close()
				return err
			}
			idOf[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if _, ok := idOf[k]; !ok {
			return fmt.Errorf("case %q neither created nor found", k)
		}
	}
	return nil
}

// addPlatforms records the platforms of each case's new posts.
func (db *DB) addPlatforms(ctx context.Context, tx *sql.Tx, sums []campaign.Summary, idOf map[string]int64) error {
	type pair struct {
		id int64
		pl string
	}
	var pairs []pair
	for _, s := range sums {
		for _, pl := range s.Platforms {
			pairs = append(pairs, pair{idOf[s.Key], pl})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if a.id != b.id {
			return cmpInt64(a.id, b.id)
		}
		return strings.Compare(a.pl, b.pl)
	})
	types := []string{tInt, tText}
	chunk := db.rowsPer(len(types))
	for lo := 0; lo < len(pairs); lo += chunk {
		part := pairs[lo:min(lo+chunk, len(pairs))]
		args := make([]any, 0, 2*len(part))
		for _, p := range part {
			args = append(args, p.id, p.pl)
		}
		if _, err := tx.ExecContext(ctx, db.D.rebind(`INSERT INTO case_platforms (case_id, platform) `+db.rowsSQL(types, len(part))+` ON CONFLICT DO NOTHING`), db.rowsArgs(types, args)...); err != nil {
			return err
		}
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// qCaseGrow merges a batch's summary into an existing case as
// campaign.Merge does: counts add up (x = x + n: concurrent workers never
// read-modify-write), the seen range widens, the strongest summary's
// category and severity win (ties to the smaller ones, compared bytewise
// as Go does), score, priority and strength take the highest.
func (db *DB) qCaseGrow() string {
	g, l, c := db.D.Greatest, db.D.Least, db.D.Bytewise
	stronger := `(? > strength OR (? = strength AND (? < category` + c + ` OR (? = category AND ? < severity` + c + `))))`
	return `UPDATE cases SET
    count = count + ?,
    first_seen = ` + l + `(first_seen, ?),
    last_seen = ` + g + `(last_seen, ?),
    category = CASE WHEN ` + stronger + ` THEN ? ELSE category END,
    severity = CASE WHEN ` + stronger + ` THEN ? ELSE severity END,
    score = ` + g + `(score, ?),
    priority = ` + g + `(priority, ?),
    strength = ` + g + `(strength, ?),
    updated_at = ?,
    version = version + 1
WHERE cluster_key = ?`
}

// growCases applies the summaries of existing cases, one UPDATE per case,
// in cluster-key order.
func (db *DB) growCases(ctx context.Context, tx *sql.Tx, sums []campaign.Summary, now int64) error {
	for _, s := range sums {
		st := s.Strength
		if _, err := db.exec(ctx, tx, db.qCaseGrow(), s.Count, s.FirstSeen, s.LastSeen,
			st, st, s.Category, s.Category, s.Severity, s.Category,
			st, st, s.Category, s.Category, s.Severity, s.Severity,
			s.Score, s.Priority, st, now, s.Key); err != nil {
			return err
		}
	}
	return nil
}

// tuples returns n groups of k placeholders: (?,?),(?,?)…
func tuples(n, k int) string {
	one := "(" + placeholders(k) + ")"
	var b strings.Builder
	b.Grow(n * (len(one) + 1))
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	return b.String()
}

func stringArgs(v []string) []any {
	a := make([]any, len(v))
	for i, x := range v {
		a[i] = x
	}
	return a
}
