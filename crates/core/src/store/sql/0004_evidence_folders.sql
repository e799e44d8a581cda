-- Schema version 4: folders added as evidence (watched for changed, new and moved files), and
-- items removed from tracking kept as a record instead of deleted.

CREATE TABLE evidence_folders (
    review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    path_key  BLOB NOT NULL,     -- the exact OS path bytes, as evidence_items.path_key
    path      TEXT NOT NULL,     -- shown to people (lossy for non-UTF-8 names)
    added_by  TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (review_id, path_key)
) WITHOUT ROWID;

-- A removed item keeps its row, links and accepted versions, with the time it was removed; its
-- path_key becomes X'00' || id, which no absolute path can equal, so the same file can be added
-- again as a new item.
ALTER TABLE evidence_items ADD COLUMN removed_at TEXT;

-- The size of the content seen_hash names, so a file that was edited and then moved can be
-- found by its new content (the search compares sizes before hashing).
ALTER TABLE evidence_items ADD COLUMN seen_size INTEGER;
