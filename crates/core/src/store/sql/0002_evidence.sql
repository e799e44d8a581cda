-- Schema version 2: evidence files that stay on disk, tracked by content hash, linked to
-- benchmarks and evidence requirements.

CREATE TABLE evidence_items (
    id            TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    path          TEXT NOT NULL,     -- shown to people (lossy for non-UTF-8 names)
    path_key      BLOB NOT NULL,     -- the exact OS path bytes, so any name round-trips
    title         TEXT NOT NULL,
    note          TEXT,
    media_type    TEXT NOT NULL,
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    hash          TEXT NOT NULL,     -- BLAKE3 of the accepted version
    status        TEXT NOT NULL CHECK (status IN ('ok', 'modified', 'missing', 'moved', 'unreadable')),
    status_detail TEXT,
    seen_hash     TEXT,              -- BLAKE3 found by the last scan when it differs
    personal_data INTEGER NOT NULL DEFAULT 0,
    checked_at_ns INTEGER NOT NULL,  -- when the last scan looked (for the racily-clean rule)
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    UNIQUE (review_id, path_key)
);
CREATE INDEX evidence_items_by_hash ON evidence_items (review_id, hash);

CREATE TABLE evidence_links (
    evidence_id    TEXT NOT NULL REFERENCES evidence_items (id) ON DELETE CASCADE,
    benchmark_id   TEXT NOT NULL,
    requirement_id TEXT NOT NULL DEFAULT '',   -- '' when linked to the benchmark only
    PRIMARY KEY (evidence_id, benchmark_id, requirement_id)
) WITHOUT ROWID;

-- Every accepted version of an item's content: nothing is overwritten silently.
CREATE TABLE evidence_versions (
    evidence_id TEXT NOT NULL REFERENCES evidence_items (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    accepted_at TEXT NOT NULL,
    accepted_by TEXT NOT NULL,
    PRIMARY KEY (evidence_id, accepted_at, hash)
) WITHOUT ROWID;
