-- Basira's first schema. Times are Unix microseconds (UTC).
CREATE TABLE posts (
    key              INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    platform_post_id TEXT    NOT NULL,
    source           TEXT    NOT NULL DEFAULT '',
    url              TEXT    NOT NULL DEFAULT '',
    author           TEXT    NOT NULL DEFAULT '',
    lang             TEXT    NOT NULL DEFAULT '',
    text             TEXT    NOT NULL,
    posted_at        INTEGER,
    media            TEXT,
    extra            TEXT,
    ingested_at      INTEGER NOT NULL,
    processed_at     INTEGER,
    case_id          INTEGER,
    UNIQUE (platform, platform_post_id)
);
CREATE INDEX posts_unprocessed ON posts (key) WHERE processed_at IS NULL;
CREATE INDEX posts_case ON posts (case_id, key) WHERE case_id IS NOT NULL;

CREATE TABLE signals (
    post_key INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    detector TEXT    NOT NULL,
    kind     TEXT    NOT NULL DEFAULT '',
    rule     TEXT    NOT NULL DEFAULT '',
    label    TEXT    NOT NULL DEFAULT '',
    severity TEXT    NOT NULL DEFAULT '',
    score    REAL    NOT NULL DEFAULT 0,
    evidence TEXT    NOT NULL DEFAULT '',
    spans    TEXT,
    details  TEXT,
    PRIMARY KEY (post_key, n)
);

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    cluster_key TEXT    NOT NULL UNIQUE,
    status      TEXT    NOT NULL,
    category    TEXT    NOT NULL DEFAULT '',
    severity    TEXT    NOT NULL DEFAULT '',
    score       REAL    NOT NULL DEFAULT 0,
    strength    REAL    NOT NULL DEFAULT 0,
    priority    INTEGER NOT NULL DEFAULT 0,
    count       INTEGER NOT NULL DEFAULT 0,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    assignee    TEXT    NOT NULL DEFAULT '',
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_queue ON cases (status, priority DESC, id);

CREATE TABLE case_platforms (
    case_id  INTEGER NOT NULL,
    platform TEXT    NOT NULL,
    PRIMARY KEY (case_id, platform)
);

CREATE TABLE decisions (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    category  TEXT    NOT NULL DEFAULT '',
    rationale TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX decisions_case ON decisions (case_id, id);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    object    TEXT    NOT NULL,
    details   TEXT,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
