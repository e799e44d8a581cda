-- Schema version 5: evidence status details kept as data (JSON of StatusDetail) instead of
-- English sentences, so every front end words them itself; the installation's own identity and
-- its local settings (who is making changes here); the file marked as Waymark's.

UPDATE evidence_items SET status_detail = CASE
    WHEN status_detail IS NULL THEN NULL
    WHEN status_detail = 'the file''s content has changed since it was added'
        THEN json_object('kind', 'changed')
    WHEN status_detail = 'the file is no longer at this path'
        THEN json_object('kind', 'gone')
    WHEN status_detail LIKE 'moved from %; the file''s content has changed since it was added'
        THEN json_object('kind', 'moved_and_changed', 'from',
            substr(status_detail, 12,
                length(status_detail) - 11 - length('; the file''s content has changed since it was added')))
    WHEN status_detail LIKE 'moved from %'
        THEN json_object('kind', 'moved_from', 'from', substr(status_detail, 12))
    WHEN status_detail = 'permission denied'
        THEN json_object('kind', 'unreadable', 'problem', json_object('kind', 'permission_denied'))
    WHEN status_detail LIKE 'something other than a file%'
        THEN json_object('kind', 'unreadable', 'problem', json_object('kind', 'not_a_file'))
    ELSE json_object('kind', 'unreadable', 'problem', json_object('kind', 'other', 'message', status_detail))
END;

-- One row: this installation (a data folder on one machine). Its id is made when the folder is
-- first opened, and names the device to the endpoint once submissions exist.
CREATE TABLE installation (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    installation_id TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

-- Settings of this installation that are not part of the review (they are never submitted):
-- e.g. 'author', the name recorded in the history for changes made here.
CREATE TABLE local_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- 'WYMK': tells a Waymark database from any other SQLite file.
PRAGMA application_id = 1465470283;
