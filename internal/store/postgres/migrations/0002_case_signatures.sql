-- Near-duplicate campaigns: each case keeps the MinHash signature of its
-- first post (internal/textsig) and the LSH band keys that find it.
ALTER TABLE cases ADD COLUMN signature TEXT;
CREATE TABLE case_bands (
    band_key BIGINT NOT NULL,
    case_id  BIGINT NOT NULL,
    PRIMARY KEY (band_key, case_id)
);
