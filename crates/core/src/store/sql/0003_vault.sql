-- Schema version 3: the content-addressed vault of frozen evidence. Blobs live in the data
-- folder's vault/ by BLAKE3 hash; this table says which exist, and items record what was frozen.

CREATE TABLE vault_blobs (
    hash      TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    stored_at TEXT NOT NULL
) WITHOUT ROWID;

ALTER TABLE evidence_items ADD COLUMN frozen_hash TEXT REFERENCES vault_blobs (hash);
ALTER TABLE evidence_items ADD COLUMN frozen_at TEXT;
