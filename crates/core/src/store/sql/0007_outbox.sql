-- Schema version 7: the outbox, where submissions to the awarding body wait until they are
-- delivered, and what sending them needs to survive a restart: the endpoint this folder is
-- enrolled with, the encrypted blobs (kept so a blob is encrypted and sent once), and each
-- submission's progress and receipt. Envelopes, receipts, key sets and statuses are the sync
-- client's JSON, kept as text and never read by the core. Times are RFC 3339 UTC text.

-- One row at most: the endpoint this data folder is enrolled with. Enrolling again (with a new
-- code, e.g. after the signing key was lost) replaces it. Secrets are not here: the keychain
-- entry named by keychain_user holds the token and the private key.
CREATE TABLE enrollment (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    endpoint         TEXT NOT NULL,    -- base URL, no trailing slash
    institution_id   TEXT NOT NULL,    -- the endpoint's id for this institution
    institution_name TEXT NOT NULL,
    identifier       TEXT NOT NULL,    -- as the awarding body recorded it (e.g. URN)
    awarding_body    TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,    -- the key set pinned from the enrollment code
    key_sets         TEXT NOT NULL,    -- JSON (the sync client's): the verified chain
    public_key       TEXT NOT NULL,    -- 'ed25519:<base64>'
    keychain_user    TEXT NOT NULL,
    enrolled_at      TEXT NOT NULL
);

-- Encrypted blobs in <data>/outbox/: one per (plaintext, recipient set), named by the SHA-256
-- of the ciphertext as the endpoint names it. A held blob has no upload left to resume.
CREATE TABLE sealed_blobs (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL CHECK (size >= 0),
    plain_blake3 TEXT NOT NULL,
    plain_size   INTEGER NOT NULL CHECK (plain_size >= 0),
    recipients   TEXT NOT NULL,        -- fingerprint of the recipient set
    file         TEXT NOT NULL,        -- relative to the data folder
    upload_url   TEXT,                 -- the tus upload's Location, once created
    held         INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),
    UNIQUE (plain_blake3, recipients),
    CHECK (held = 0 OR upload_url IS NULL)
) WITHOUT ROWID;

-- Submissions, from packaged and signed to delivered (or refused for good). Never deleted with
-- their review: a delivered submission's receipt is the school's proof of what it sent.
CREATE TABLE outbox (
    id                TEXT PRIMARY KEY, -- local id, UUIDv7
    review_id         TEXT NOT NULL REFERENCES reviews (id),
    award             TEXT NOT NULL,
    framework_id      TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    responds_to       TEXT,             -- the endpoint's id of the submission this answers
    envelope          TEXT NOT NULL,    -- the signed envelope (JSON)
    manifest          TEXT NOT NULL,    -- SHA-256 of the manifest blob (position 0 below)
    summary           TEXT NOT NULL,    -- what the lead was shown and confirmed (JSON)
    state             TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'refused')),
    queued_at         TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   TEXT,
    last_error        TEXT,
    bytes_sent        INTEGER NOT NULL DEFAULT 0 CHECK (bytes_sent >= 0),
    server_id         TEXT,             -- the endpoint's id, once committed (a re-submission shares it)
    receipt           TEXT,             -- the signed receipt (JSON), once committed
    sent_at           TEXT,
    status            TEXT,             -- the last status pulled from the endpoint (JSON)
    status_tag        TEXT,             -- its ETag
    status_checked_at TEXT,
    CHECK (state <> 'sent' OR (server_id IS NOT NULL AND receipt IS NOT NULL AND sent_at IS NOT NULL))
);
CREATE INDEX outbox_by_state ON outbox (state, queued_at, id);
CREATE INDEX outbox_by_server_id ON outbox (server_id);

-- The blobs each submission needs, in order (the manifest first). Every one must be a sealed
-- blob: a submission never names a blob the outbox cannot send.
CREATE TABLE outbox_blobs (
    submission_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 0),
    sha256        TEXT NOT NULL REFERENCES sealed_blobs (sha256),
    PRIMARY KEY (submission_id, sha256),
    UNIQUE (submission_id, position)
) WITHOUT ROWID;
CREATE INDEX outbox_blobs_by_blob ON outbox_blobs (sha256);
