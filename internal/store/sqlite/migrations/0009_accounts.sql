-- People's accounts (internal/account): a name, a role and an argon2id
-- hash of the password; and their browser sessions, of which only the
-- SHA-256 of the cookie's secret is kept. A one-time sign-in link is a
-- session row with one_time = 1, deleted when used. Times are Unix
-- microseconds.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER  NOT NULL,
    updated_at    INTEGER  NOT NULL,
    disabled_at   INTEGER
);
CREATE TABLE sessions (
    hash       TEXT    NOT NULL PRIMARY KEY,
    account_id INTEGER  NOT NULL REFERENCES accounts (id),
    csrf       TEXT    NOT NULL,
    one_time   INTEGER NOT NULL DEFAULT 0,
    remote     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER  NOT NULL,
    last_seen  INTEGER  NOT NULL,
    expires_at INTEGER  NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
