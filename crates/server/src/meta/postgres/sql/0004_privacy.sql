-- Data protection: erasure on request, retention, rectification. See src/meta/privacy.rs for
-- the order of a deletion against the blob store.
--
-- The same tables and columns as SQLite's 0004_privacy.sql, one to one, in native types: ids
-- UUID, times TIMESTAMPTZ, the token hash BYTEA of 32 bytes, the version BIGINT. The signed
-- confirmation and the profile stay TEXT (the confirmation's bytes are signed).

-- An erased institution: only what refuses its later requests and answers a retried erasure
-- with the first confirmation. No name, no identifier, no personal data.
CREATE TABLE erased_institutions (
    id           UUID PRIMARY KEY,
    erased_at    TIMESTAMPTZ NOT NULL,
    confirmation TEXT NOT NULL
);

-- The tokens an erased institution held (public id, SHA-256 of the secret).
CREATE TABLE erased_tokens (
    id            TEXT PRIMARY KEY,
    secret_sha256 BYTEA NOT NULL CHECK (octet_length(secret_sha256) = 32),
    institution   UUID NOT NULL REFERENCES erased_institutions (id)
);

-- Deleted submissions (their institution while it exists, NULL once erased).
CREATE TABLE deleted_submissions (
    id          UUID PRIMARY KEY,
    institution UUID,
    deleted_at  TIMESTAMPTZ NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('retention', 'erasure'))
);
CREATE INDEX deleted_submissions_by_institution ON deleted_submissions (institution);

-- Deleted awards' verification codes.
CREATE TABLE deleted_awards (
    verification_code TEXT PRIMARY KEY,
    deleted_at        TIMESTAMPTZ NOT NULL,
    reason            TEXT NOT NULL CHECK (reason IN ('retention', 'erasure'))
);

-- Object-store prefixes whose objects are still to be deleted.
CREATE TABLE pending_deletions (
    prefix    TEXT PRIMARY KEY,
    queued_at TIMESTAMPTZ NOT NULL
);

-- Each institution's current profile.
CREATE TABLE institution_profiles (
    institution  UUID PRIMARY KEY REFERENCES institutions (id),
    profile      TEXT NOT NULL,
    version      BIGINT NOT NULL CHECK (version BETWEEN 1 AND 4294967295),
    corrected_at TIMESTAMPTZ NOT NULL
);
