package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/basira-org/basira/internal/store"
)

// Signals returns the signals found on a post, in detection order.
func (db *DB) Signals(ctx context.Context, postKey int64) ([]store.Signal, error) {
	rows, err := db.R.QueryContext(ctx, db.D.rebind(`SELECT post_key, version, detector, kind, rule, label, severity, score, evidence, spans, details FROM signals WHERE post_key = ? ORDER BY n`), postKey)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Signal
	for rows.Next() {
		var s store.Signal
		var spans, details sql.NullString
		if err := rows.Scan(&s.PostKey, &s.Version, &s.Detector, &s.Kind, &s.Rule, &s.Label, &s.Severity, &s.Score, &s.Evidence, &spans, &details); err != nil {
			return nil, err
		}
		if spans.Valid {
			if err := json.Unmarshal([]byte(spans.String), &s.Spans); err != nil {
				return nil, fmt.Errorf("signal spans of post %d: %w", postKey, err)
			}
		}
		if details.Valid {
			if err := json.Unmarshal([]byte(details.String), &s.Details); err != nil {
				return nil, fmt.Errorf("signal details of post %d: %w", postKey, err)
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
