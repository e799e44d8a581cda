-- Uploads (tus) and the blobs they become. Bytes live in the object store, one object per
-- accepted chunk (a part); these tables say which objects make which upload and blob. An
-- upload's offset and parts are here, not in any instance's memory: a chunk may arrive at
-- any instance. Sizes and offsets are bytes.
--
-- The same tables and columns as SQLite's 0002_uploads.sql, one to one, in native types: ids
-- UUID, times TIMESTAMPTZ, sizes BIGINT. One deviation: hashes (`sha256`) are BYTEA of 32
-- bytes here, where SQLite keeps 64 lowercase hex digits (copy with decode(sha256, 'hex')).
-- One addition: uploads_terminated, so the sweep finds cut-off terminations without a scan.

CREATE TABLE uploads (
    id            UUID PRIMARY KEY,        -- the last segment of /v1/uploads/{id}
    institution   UUID NOT NULL REFERENCES institutions (id),
    sha256        BYTEA NOT NULL CHECK (octet_length(sha256) = 32),  -- declared, checked at the end
    upload_length BIGINT NOT NULL CHECK (upload_length >= 0),
    received      BIGINT NOT NULL DEFAULT 0,                         -- the acknowledged offset
    state         TEXT NOT NULL DEFAULT 'receiving'
                  CHECK (state IN ('receiving', 'complete', 'terminated')),
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    CHECK (received BETWEEN 0 AND upload_length)
);
CREATE INDEX uploads_by_institution ON uploads (institution, state);
CREATE INDEX uploads_by_expiry ON uploads (expires_at);
CREATE INDEX uploads_terminated ON uploads (expires_at) WHERE state = 'terminated';

-- The parts of an upload that is still receiving (moved to blob_parts when it completes).
CREATE TABLE upload_parts (
    upload  UUID NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    start   BIGINT NOT NULL CHECK (start >= 0),
    size    BIGINT NOT NULL CHECK (size > 0),
    object  TEXT NOT NULL UNIQUE,
    PRIMARY KEY (upload, start)
);

-- Verified blobs, once per institution and hash.
CREATE TABLE blobs (
    institution UUID NOT NULL REFERENCES institutions (id),
    sha256      BYTEA NOT NULL CHECK (octet_length(sha256) = 32),
    size        BIGINT NOT NULL CHECK (size >= 0),
    upload      UUID NOT NULL,             -- the upload it came from (its objects' prefix)
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (institution, sha256)
);

CREATE TABLE blob_parts (
    institution UUID NOT NULL,
    sha256      BYTEA NOT NULL,
    start       BIGINT NOT NULL CHECK (start >= 0),
    size        BIGINT NOT NULL CHECK (size > 0),
    object      TEXT NOT NULL,
    PRIMARY KEY (institution, sha256, start),
    FOREIGN KEY (institution, sha256) REFERENCES blobs (institution, sha256) ON DELETE CASCADE
);
