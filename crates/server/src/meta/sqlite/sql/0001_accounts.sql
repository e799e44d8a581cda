-- Accounts, credentials and the awarding body's key sets.
-- Secrets (token and code secrets) are never stored: only their SHA-256.

CREATE TABLE institutions (
    id          TEXT PRIMARY KEY,          -- UUID
    name        TEXT NOT NULL,
    identifier  TEXT NOT NULL UNIQUE,      -- URN, e.g. urn:schoolid:uk:123456
    public_key  TEXT,                      -- ed25519:…, set when enrolled
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE assessors (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    age_recipient TEXT,                    -- age1…, set when enrolled
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE enrollment_codes (
    secret_sha256 BLOB PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('institution', 'assessor')),
    account       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    revoked_at    TEXT
) STRICT;

CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,        -- the public part of the token
    secret_sha256 BLOB NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('institution', 'assessor', 'admin')),
    account       TEXT,                    -- NULL for the admin
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
) STRICT;
CREATE INDEX tokens_by_account ON tokens (kind, account);

CREATE TABLE key_sets (
    version     INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    signed      TEXT NOT NULL              -- the SignedKeySet as JSON
) STRICT;

CREATE TABLE assessor_links (
    assessor    TEXT NOT NULL REFERENCES assessors (id),
    institution TEXT NOT NULL REFERENCES institutions (id),
    reason      TEXT NOT NULL,
    declared_at TEXT NOT NULL
) STRICT;
CREATE INDEX assessor_links_by_pair ON assessor_links (assessor, institution);
