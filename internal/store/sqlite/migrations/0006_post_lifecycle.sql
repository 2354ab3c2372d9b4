-- Posts get versions and a lifecycle (issue 18). An edit at the source
-- stores a new version: the text, media and extra a detector saw move to
-- post_versions, the post holds the latest, and signals carry the version
-- they were found on (their evidence). A deletion or account takedown at
-- the source is recorded with its time. Times are Unix microseconds.
ALTER TABLE posts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE posts ADD COLUMN edited_at INTEGER;
ALTER TABLE posts ADD COLUMN removed_at INTEGER;
ALTER TABLE posts ADD COLUMN removed_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE signals ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE TABLE post_versions (
    post_key    INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    media       TEXT,
    extra       TEXT,
    edited_at   INTEGER,
    replaced_at INTEGER NOT NULL,
    PRIMARY KEY (post_key, version)
);
-- An account takedown marks every post of the (pseudonymised) author.
CREATE INDEX posts_author ON posts (platform, author);
