-- Accounts, credentials and the awarding body's key sets.
-- Secrets (token and code secrets) are never stored: only their SHA-256.
--
-- The same tables and columns as SQLite's 0001_accounts.sql, one to one, in native types:
-- ids are UUID (SQLite: hyphenated text), times TIMESTAMPTZ (SQLite: RFC 3339 text; PostgreSQL
-- keeps microseconds, SQLite's text kept nanoseconds), hashes BYTEA of 32 bytes, the key set
-- version BIGINT (it is a u32). The signed key set stays TEXT, never JSONB: its bytes are
-- signed and must come back exactly as written.

CREATE TABLE institutions (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    identifier  TEXT NOT NULL UNIQUE,      -- URN, e.g. urn:schoolid:uk:123456
    public_key  TEXT,                      -- ed25519:…, set when enrolled
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE assessors (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    age_recipient TEXT,                    -- age1…, set when enrolled
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE enrollment_codes (
    secret_sha256 BYTEA PRIMARY KEY CHECK (octet_length(secret_sha256) = 32),
    kind          TEXT NOT NULL CHECK (kind IN ('institution', 'assessor')),
    account       UUID NOT NULL,           -- an institution's or an assessor's id, by kind
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);

CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,        -- the public part of the token
    secret_sha256 BYTEA NOT NULL CHECK (octet_length(secret_sha256) = 32),
    kind          TEXT NOT NULL CHECK (kind IN ('institution', 'assessor', 'admin')),
    account       UUID,                    -- NULL for the admin
    created_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX tokens_by_account ON tokens (kind, account);

CREATE TABLE key_sets (
    version     BIGINT PRIMARY KEY CHECK (version BETWEEN 1 AND 4294967295),
    fingerprint TEXT NOT NULL UNIQUE,
    signed      TEXT NOT NULL              -- the SignedKeySet as JSON, byte for byte
);

CREATE TABLE assessor_links (
    assessor    UUID NOT NULL REFERENCES assessors (id),
    institution UUID NOT NULL REFERENCES institutions (id),
    reason      TEXT NOT NULL,
    declared_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX assessor_links_by_pair ON assessor_links (assessor, institution);
