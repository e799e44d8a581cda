-- Schema version 6: what the search for missing items' content last saw in the watched
-- folders, so a rescan lists again only the folders whose entries changed since (a folder's
-- modified time changes when a file is added, removed or renamed in it), and a watcher's batch
-- updates only the paths it names. A cache: deleting every row is always safe (the next search
-- lists the watched folders again).

-- The watched folders the index was last brought up to date for (the search trusts the index
-- only under these).
CREATE TABLE evidence_search_roots (
    review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    path_key  BLOB NOT NULL,     -- the exact OS path bytes, as evidence_items.path_key
    PRIMARY KEY (review_id, path_key)
) WITHOUT ROWID;

-- Folders as last listed: their modified time then, and when (a folder modified within 2 s of
-- being listed is listed again, as a racily-clean file is hashed again).
CREATE TABLE evidence_search_dirs (
    review_id    TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    path_key     BLOB NOT NULL,
    mtime_ns     INTEGER NOT NULL,
    listed_at_ns INTEGER NOT NULL,
    PRIMARY KEY (review_id, path_key)
) WITHOUT ROWID;

-- Untracked files in those folders: where a missing item's content may have gone. The hash is
-- kept once a search read it, valid while size and modified time stay the same (and the file
-- was not modified within 2 s of being hashed).
CREATE TABLE evidence_search_files (
    review_id    TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    dir_key      BLOB NOT NULL,  -- the folder it is in, exact OS path bytes (so a folder's
    name         BLOB NOT NULL,  -- files are one range); its name there, exact OS bytes
    size         INTEGER NOT NULL,
    mtime_ns     INTEGER NOT NULL,
    hash         TEXT,
    hashed_at_ns INTEGER,
    PRIMARY KEY (review_id, dir_key, name)
) WITHOUT ROWID;
CREATE INDEX evidence_search_files_by_size ON evidence_search_files (review_id, size);

-- The missing items of a review without reading every item (a watcher's batch looks for them
-- among the files it names).
CREATE INDEX evidence_items_missing ON evidence_items (review_id)
    WHERE status = 'missing' AND removed_at IS NULL;
