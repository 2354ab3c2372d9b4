-- The rumour desk (internal/claims/desk): emerging claims, one row per
-- cluster of check-worthy posts that say the same thing, replaced at
-- every refresh. The cluster itself is kept as JSON (store.ClaimCluster);
-- growth orders the desk and case_id links the case opened from it.
-- Times are Unix microseconds.
CREATE TABLE claim_clusters (
    key        TEXT    NOT NULL PRIMARY KEY,
    growth     REAL NOT NULL DEFAULT 0,
    data       TEXT    NOT NULL,
    case_id    INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE INDEX claim_clusters_growth ON claim_clusters (growth DESC);
