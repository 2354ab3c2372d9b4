-- Which case each exact-copy key (pipeline.ClusterKey) went to. The first
-- transaction to place a key wins, so concurrent workers can never split
-- the copies of one post between two cases.
CREATE TABLE case_keys (
    exact_key   TEXT NOT NULL PRIMARY KEY,
    cluster_key TEXT NOT NULL
);
