-- Schema version 1: the institution, reviews, responses with their full history, future
-- actions and the working group. Migrations are only ever added, never edited.

CREATE TABLE institution (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    identifier   TEXT,            -- URN, UKPRN or similar
    phase        TEXT,
    contact_name TEXT,
    email        TEXT,
    role         TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- The exact text of every framework version a review has been on, so a review is always
-- judged by the rules of its own version even after Waymark ships a newer one.
CREATE TABLE framework_versions (
    framework_id TEXT NOT NULL,
    version      TEXT NOT NULL,
    source       TEXT NOT NULL,
    stored_at    TEXT NOT NULL,
    PRIMARY KEY (framework_id, version)
) WITHOUT ROWID;

CREATE TABLE reviews (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institution (id),
    framework_id      TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    registered_at     TEXT NOT NULL,
    registered_by     TEXT NOT NULL,
    FOREIGN KEY (framework_id, framework_version)
        REFERENCES framework_versions (framework_id, version)
);

-- The current response per benchmark. Every change is also appended to response_history.
CREATE TABLE responses (
    review_id          TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    benchmark_id       TEXT NOT NULL,
    level              INTEGER,
    commentary         TEXT NOT NULL DEFAULT '',
    needs_confirmation INTEGER NOT NULL DEFAULT 0,
    carried_note       TEXT,
    revision           INTEGER NOT NULL DEFAULT 1,
    updated_by         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (review_id, benchmark_id)
) WITHOUT ROWID;

-- The audit trail: append-only, one row per change, ids are time-ordered UUIDv7.
CREATE TABLE response_history (
    id                TEXT PRIMARY KEY,
    review_id         TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    benchmark_id      TEXT NOT NULL,
    change            TEXT NOT NULL CHECK (change IN ('edit', 'carried', 'confirmed', 'archived')),
    level             INTEGER,
    commentary        TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    note              TEXT,
    changed_by        TEXT NOT NULL,
    changed_at        TEXT NOT NULL
);
CREATE INDEX response_history_by_benchmark ON response_history (review_id, benchmark_id, id);

-- Responses to benchmarks that a newer framework version removed: kept, never deleted.
CREATE TABLE archived_responses (
    review_id         TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    benchmark_id      TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    level             INTEGER,
    commentary        TEXT NOT NULL,
    archived_at       TEXT NOT NULL,
    archived_by       TEXT NOT NULL,
    PRIMARY KEY (review_id, benchmark_id, framework_version)
) WITHOUT ROWID;

CREATE TABLE future_actions (
    id         TEXT PRIMARY KEY,
    review_id  TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    owner      TEXT,
    due_date   TEXT,
    status     TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    done_at    TEXT
);
CREATE INDEX future_actions_by_review ON future_actions (review_id, created_at);

CREATE TABLE action_benchmarks (
    action_id    TEXT NOT NULL REFERENCES future_actions (id) ON DELETE CASCADE,
    benchmark_id TEXT NOT NULL,
    PRIMARY KEY (action_id, benchmark_id)
) WITHOUT ROWID;

-- The working group.
CREATE TABLE contributors (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT,
    email      TEXT,
    created_at TEXT NOT NULL
);
