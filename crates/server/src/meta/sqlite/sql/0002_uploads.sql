-- Uploads (tus) and the blobs they become. Bytes live in the object store, one object per
-- accepted chunk (a part); these tables say which objects make which upload and blob.
-- Hashes are 64 lowercase hex digits; sizes and offsets are bytes.

CREATE TABLE uploads (
    id            TEXT PRIMARY KEY,        -- UUID, the last segment of /v1/uploads/{id}
    institution   TEXT NOT NULL REFERENCES institutions (id),
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),  -- declared, checked at the end
    upload_length INTEGER NOT NULL CHECK (upload_length >= 0),
    received      INTEGER NOT NULL DEFAULT 0,                 -- the acknowledged offset
    state         TEXT NOT NULL DEFAULT 'receiving'
                  CHECK (state IN ('receiving', 'complete', 'terminated')),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    CHECK (received BETWEEN 0 AND upload_length)
) STRICT;
CREATE INDEX uploads_by_institution ON uploads (institution, state);
CREATE INDEX uploads_by_expiry ON uploads (expires_at);

-- The parts of an upload that is still receiving (moved to blob_parts when it completes).
CREATE TABLE upload_parts (
    upload  TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    start   INTEGER NOT NULL CHECK (start >= 0),
    size    INTEGER NOT NULL CHECK (size > 0),
    object  TEXT NOT NULL UNIQUE,
    PRIMARY KEY (upload, start)
) STRICT, WITHOUT ROWID;

-- Verified blobs, once per institution and hash.
CREATE TABLE blobs (
    institution TEXT NOT NULL REFERENCES institutions (id),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),
    upload      TEXT NOT NULL,             -- the upload it came from (its objects' prefix)
    created_at  TEXT NOT NULL,
    PRIMARY KEY (institution, sha256)
) STRICT, WITHOUT ROWID;

CREATE TABLE blob_parts (
    institution TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    start       INTEGER NOT NULL CHECK (start >= 0),
    size        INTEGER NOT NULL CHECK (size > 0),
    object      TEXT NOT NULL,
    PRIMARY KEY (institution, sha256, start),
    FOREIGN KEY (institution, sha256) REFERENCES blobs (institution, sha256) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
