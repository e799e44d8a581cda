-- Schema version 8: renewal of an awarded mark. A renewal is a NEW review (on the framework's
-- latest version) that starts from the awarded one; the awarded review is then closed: kept
-- exactly as it was assessed, as the record of what the mark was awarded for, and never
-- changed again. The rule is enforced here, by triggers, so that no code path (a front end, a
-- rescan, an upgrade, the sync engine) can change a closed review: one place, not a check in
-- every method. A refused write fails with the message 'review_closed', which the store turns
-- into the core's ReviewClosed error (code `review_closed`).

-- closed_at: when the review was closed (RFC 3339 UTC); NULL while it can be worked on.
-- closed_reason: why, in words ('renewed by <id>').
-- renews: the review this one renews (its previous, awarded, review).
ALTER TABLE reviews ADD COLUMN closed_at TEXT;
ALTER TABLE reviews ADD COLUMN closed_reason TEXT;
ALTER TABLE reviews ADD COLUMN renews TEXT REFERENCES reviews (id);

-- A review is renewed once: a second renewal of the same review would split its history.
CREATE UNIQUE INDEX reviews_renews ON reviews (renews) WHERE renews IS NOT NULL;

-- A closed review stays closed and is never deleted: its row is the record of the award.
CREATE TRIGGER reviews_closed_update BEFORE UPDATE ON reviews
    WHEN OLD.closed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER reviews_closed_delete BEFORE DELETE ON reviews
    WHEN OLD.closed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

-- Every table keyed by review_id: nothing is added to, changed in or taken from a closed
-- review (an UPDATE is refused when the row is in a closed review before or after it).

CREATE TRIGGER responses_closed_insert BEFORE INSERT ON responses
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER responses_closed_update BEFORE UPDATE ON responses
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER responses_closed_delete BEFORE DELETE ON responses
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER response_history_closed_insert BEFORE INSERT ON response_history
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER response_history_closed_update BEFORE UPDATE ON response_history
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER response_history_closed_delete BEFORE DELETE ON response_history
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER archived_responses_closed_insert BEFORE INSERT ON archived_responses
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER archived_responses_closed_update BEFORE UPDATE ON archived_responses
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER archived_responses_closed_delete BEFORE DELETE ON archived_responses
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER future_actions_closed_insert BEFORE INSERT ON future_actions
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER future_actions_closed_update BEFORE UPDATE ON future_actions
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER future_actions_closed_delete BEFORE DELETE ON future_actions
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

-- An action's benchmarks belong to its review through the action.
CREATE TRIGGER action_benchmarks_closed_insert BEFORE INSERT ON action_benchmarks
    WHEN (SELECT r.closed_at FROM future_actions a JOIN reviews r ON r.id = a.review_id
          WHERE a.id = NEW.action_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER action_benchmarks_closed_update BEFORE UPDATE ON action_benchmarks
    WHEN (SELECT r.closed_at FROM future_actions a JOIN reviews r ON r.id = a.review_id
          WHERE a.id = OLD.action_id) IS NOT NULL
      OR (SELECT r.closed_at FROM future_actions a JOIN reviews r ON r.id = a.review_id
          WHERE a.id = NEW.action_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER action_benchmarks_closed_delete BEFORE DELETE ON action_benchmarks
    WHEN (SELECT r.closed_at FROM future_actions a JOIN reviews r ON r.id = a.review_id
          WHERE a.id = OLD.action_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER evidence_items_closed_insert BEFORE INSERT ON evidence_items
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_items_closed_update BEFORE UPDATE ON evidence_items
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_items_closed_delete BEFORE DELETE ON evidence_items
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

-- An item's links and accepted versions belong to its review through the item.
CREATE TRIGGER evidence_links_closed_insert BEFORE INSERT ON evidence_links
    WHEN (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = NEW.evidence_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_links_closed_update BEFORE UPDATE ON evidence_links
    WHEN (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = OLD.evidence_id) IS NOT NULL
      OR (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = NEW.evidence_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_links_closed_delete BEFORE DELETE ON evidence_links
    WHEN (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = OLD.evidence_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER evidence_versions_closed_insert BEFORE INSERT ON evidence_versions
    WHEN (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = NEW.evidence_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_versions_closed_update BEFORE UPDATE ON evidence_versions
    WHEN (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = OLD.evidence_id) IS NOT NULL
      OR (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = NEW.evidence_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_versions_closed_delete BEFORE DELETE ON evidence_versions
    WHEN (SELECT r.closed_at FROM evidence_items i JOIN reviews r ON r.id = i.review_id
          WHERE i.id = OLD.evidence_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER evidence_folders_closed_insert BEFORE INSERT ON evidence_folders
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_folders_closed_update BEFORE UPDATE ON evidence_folders
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_folders_closed_delete BEFORE DELETE ON evidence_folders
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

-- The search index is a cache, but only a rescan of the review writes it, and a rescan of a
-- closed review is refused (its items' statuses are part of the record): refused here too, so
-- no rescan of a closed review half-happens.
CREATE TRIGGER evidence_search_roots_closed_insert BEFORE INSERT ON evidence_search_roots
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_search_roots_closed_update BEFORE UPDATE ON evidence_search_roots
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_search_roots_closed_delete BEFORE DELETE ON evidence_search_roots
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER evidence_search_dirs_closed_insert BEFORE INSERT ON evidence_search_dirs
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_search_dirs_closed_update BEFORE UPDATE ON evidence_search_dirs
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_search_dirs_closed_delete BEFORE DELETE ON evidence_search_dirs
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

CREATE TRIGGER evidence_search_files_closed_insert BEFORE INSERT ON evidence_search_files
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_search_files_closed_update BEFORE UPDATE ON evidence_search_files
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
      OR (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
CREATE TRIGGER evidence_search_files_closed_delete BEFORE DELETE ON evidence_search_files
    WHEN (SELECT closed_at FROM reviews WHERE id = OLD.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;

-- No new submission from a closed review (the renewal is what is submitted next). Rows
-- already in the outbox keep changing: a queued submission is still delivered, and the
-- awarding body's answers to a sent one (the award itself, with its expiry date) are still
-- recorded, so UPDATE is allowed. The outbox has no DELETE (see 0007).
CREATE TRIGGER outbox_closed_insert BEFORE INSERT ON outbox
    WHEN (SELECT closed_at FROM reviews WHERE id = NEW.review_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'review_closed'); END;
