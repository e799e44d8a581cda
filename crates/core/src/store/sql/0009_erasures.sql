-- Schema version 9: erasures are recorded. Personal data leaves a data folder only by an
-- erasure (a working-group member removed; the whole folder erased, which leaves nothing to
-- record in but the endpoint's tombstone), and each one leaves a row here saying what kind of
-- thing was erased, when and by whom: never the erased data itself.

CREATE TABLE erasures (
    id        TEXT PRIMARY KEY,              -- UUIDv7
    kind      TEXT NOT NULL,                 -- 'working_group_member', …
    subject   TEXT NOT NULL,                 -- the erased row's id (no name, no address)
    erased_at TEXT NOT NULL,                 -- RFC 3339 UTC
    erased_by TEXT                           -- who erased it, as the history records authors
);
CREATE INDEX erasures_by_time ON erasures (erased_at, id);
