-- Submissions, their envelopes and receipts, the review's events, and awards.

CREATE TABLE submissions (
    id                TEXT PRIMARY KEY,
    institution       TEXT NOT NULL REFERENCES institutions (id),
    framework_id      TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    award             TEXT NOT NULL,
    state             TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    review_due        TEXT,              -- YYYY-MM-DD
    assessor          TEXT REFERENCES assessors (id),
    moderator         TEXT REFERENCES assessors (id),
    request           TEXT,              -- EvidenceRequest JSON while open
    recommendation    TEXT,              -- Recommendation JSON while it stands
    feedback          TEXT,              -- Feedback JSON once decided
    award_code        TEXT               -- awards.verification_code once awarded
) STRICT;
CREATE INDEX submissions_by_institution ON submissions (institution, received_at);
CREATE INDEX submissions_by_assessor ON submissions (assessor);
CREATE INDEX submissions_by_moderator ON submissions (moderator);
CREATE INDEX submissions_by_state ON submissions (state);

CREATE TABLE envelopes (
    submission  TEXT NOT NULL REFERENCES submissions (id),
    version     INTEGER NOT NULL,
    sha256      TEXT NOT NULL UNIQUE,    -- of the signed body: committing it again is a no-op
    signed      TEXT NOT NULL,           -- Signed JSON, as the school sent it
    blobs       TEXT NOT NULL,           -- [BlobRef] JSON, manifest first
    receipt     TEXT NOT NULL,           -- the signed receipt JSON
    received_at TEXT NOT NULL,
    sequence    INTEGER NOT NULL,        -- the receipt's sequence (= its received event's)
    PRIMARY KEY (submission, version)
) STRICT;

-- The order of everything: AUTOINCREMENT never reuses a sequence number.
CREATE TABLE events (
    sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
    submission     TEXT NOT NULL REFERENCES submissions (id),
    at             TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    actor_assessor TEXT,
    state          TEXT NOT NULL,        -- the state after the event
    kind           TEXT NOT NULL         -- EventKind JSON
) STRICT;
CREATE INDEX events_by_submission ON events (submission, sequence);

CREATE TABLE awards (
    verification_code TEXT PRIMARY KEY,
    submission        TEXT NOT NULL UNIQUE REFERENCES submissions (id),
    institution       TEXT NOT NULL REFERENCES institutions (id),
    record            TEXT NOT NULL,     -- AwardRecord JSON
    awarded_on        TEXT NOT NULL,
    expires_on        TEXT NOT NULL
) STRICT;
CREATE INDEX awards_by_expiry ON awards (expires_on);
