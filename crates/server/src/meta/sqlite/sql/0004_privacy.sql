-- Data protection: erasure on request, retention, rectification. See src/meta/privacy.rs for
-- the order of a deletion against the blob store.

-- An erased institution: only what refuses its later requests and answers a retried erasure
-- with the first confirmation (which names the id, the time and counts, nothing else). No
-- name, no identifier, no personal data.
CREATE TABLE erased_institutions (
    id           TEXT PRIMARY KEY,          -- the institution's id (UUID)
    erased_at    TEXT NOT NULL,
    confirmation TEXT NOT NULL              -- the signed ErasureConfirmation JSON
) STRICT;

-- The tokens an erased institution held: their public id and the SHA-256 of their secret, so
-- their holder is told `institution_erased` (410) rather than "unknown token".
CREATE TABLE erased_tokens (
    id            TEXT PRIMARY KEY,
    secret_sha256 BLOB NOT NULL,
    institution   TEXT NOT NULL REFERENCES erased_institutions (id)
) STRICT;

-- Deleted submissions: their id, when and why, and their institution while it exists (NULL
-- once erased), so a later request is answered `submission_deleted` (410).
CREATE TABLE deleted_submissions (
    id          TEXT PRIMARY KEY,
    institution TEXT,
    deleted_at  TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('retention', 'erasure'))
) STRICT;
CREATE INDEX deleted_submissions_by_institution ON deleted_submissions (institution);

-- Deleted awards' verification codes, so the public page says the record was deleted.
CREATE TABLE deleted_awards (
    verification_code TEXT PRIMARY KEY,
    deleted_at        TEXT NOT NULL,
    reason            TEXT NOT NULL CHECK (reason IN ('retention', 'erasure'))
) STRICT;

-- Object-store prefixes (`uploads/<upload id>`) whose objects are still to be deleted: queued
-- in the transaction that forgets their rows, removed once the objects are gone.
CREATE TABLE pending_deletions (
    prefix    TEXT PRIMARY KEY,
    queued_at TEXT NOT NULL
) STRICT;

-- Each institution's current profile, as it last sent it (older versions are not kept: a
-- correction replaces what it corrects).
CREATE TABLE institution_profiles (
    institution  TEXT PRIMARY KEY REFERENCES institutions (id),
    profile      TEXT NOT NULL,             -- InstitutionProfile JSON
    version      INTEGER NOT NULL CHECK (version >= 1),
    corrected_at TEXT NOT NULL
) STRICT;
