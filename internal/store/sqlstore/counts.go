package sqlstore

import (
	"context"

	"github.com/basira-org/basira/internal/store"
)

// Counts returns the dashboard figures.
func (db *DB) Counts(ctx context.Context) (store.Counts, error) {
	c := store.Counts{CasesBy: map[store.Status]int64{}}
	err := db.R.QueryRowContext(ctx, `SELECT
  (SELECT count(*) FROM posts),
  (SELECT count(*) FROM posts WHERE processed_at IS NULL),
  (SELECT count(*) FROM signals),
  (SELECT count(*) FROM cases),
  (SELECT coalesce(max(seq), 0) FROM audit_log)`).Scan(&c.Posts, &c.Unprocessed, &c.Signals, &c.Cases, &c.AuditSeq)
	if err != nil {
		return c, err
	}
	rows, err := db.R.QueryContext(ctx, `SELECT status, count(*) FROM cases GROUP BY status`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return c, err
		}
		c.CasesBy[store.Status(s)] = n
	}
	return c, rows.Err()
}
