-- API tokens (internal/server/auth) kept in the database, so that every
-- API server of a scale-out deployment knows the same tokens. Only the
-- SHA-256 of a secret is stored; id is its first 12 hex characters.
-- Times are Unix microseconds; revoked_at is NULL while the token works.
CREATE TABLE api_tokens (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    hash       TEXT    NOT NULL UNIQUE,
    created_at INTEGER  NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_name ON api_tokens (name);
