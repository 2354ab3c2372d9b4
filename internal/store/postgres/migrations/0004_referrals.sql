-- Referrals (internal/notify): one signed notification of a case to one
-- platform. The id is notify.ReferralID(case, platform), so creating it
-- twice (a second pass, a crash between decide and send) is a no-op.
-- Times are Unix microseconds like everywhere else; next_attempt is NULL
-- once nothing more is to be sent.
CREATE TABLE referrals (
    id           TEXT    NOT NULL PRIMARY KEY,
    case_id      BIGINT  NOT NULL REFERENCES cases (id),
    platform     TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    next_attempt BIGINT,
    sent_at      BIGINT,
    deadline     BIGINT,
    last_error   TEXT    NOT NULL DEFAULT '',
    answer       TEXT    NOT NULL DEFAULT '',
    payload      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX referrals_due ON referrals (status, next_attempt);
CREATE INDEX referrals_case ON referrals (case_id);
