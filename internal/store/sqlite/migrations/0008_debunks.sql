-- Debunks (internal/debunk): what Basira publishes on its public site.
-- One row per debunk, one per version of it; content and editors are
-- JSON. rev grows on every change so that two analysts acting at once
-- cannot overwrite each other. Times are Unix microseconds.
CREATE TABLE debunks (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER  NOT NULL DEFAULT 0,
    created_by      TEXT    NOT NULL,
    live            INTEGER  NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL,
    first_published INTEGER,
    created_at      INTEGER  NOT NULL,
    updated_at      INTEGER  NOT NULL,
    rev             INTEGER  NOT NULL DEFAULT 1
);
CREATE INDEX debunks_live ON debunks (live, updated_at);
CREATE INDEX debunks_case ON debunks (case_id);

CREATE TABLE debunk_versions (
    debunk_id    INTEGER  NOT NULL REFERENCES debunks (id),
    n            INTEGER  NOT NULL,
    status       TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    editors      TEXT    NOT NULL,
    approved_by  TEXT    NOT NULL DEFAULT '',
    approved_at  INTEGER,
    published_at INTEGER,
    created_at   INTEGER  NOT NULL,
    updated_at   INTEGER  NOT NULL,
    PRIMARY KEY (debunk_id, n)
);
