//! The outbox's tables: the enrollment, the sealed blobs and the submissions with the blobs
//! each needs. Opaque values (envelopes, receipts, key sets, statuses) are stored and read back
//! as the sync client wrote them; times as RFC 3339 UTC text to the millisecond, like every
//! time in the store.
//!
//! Each write is one `IMMEDIATE` transaction that reads the row it changes first, so a change
//! that does not fit the submission's state is refused with nothing written, rather than
//! overwriting a receipt or reviving a refused submission.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Store, parsed};
use crate::error::{AtPath, Entity, Error, Hint, Result};
use crate::outbox::{Enrollment, NewOutboxSubmission, OutboxState, OutboxSubmission, SealedBlob};

/// A time as the store keeps it: RFC 3339 UTC with milliseconds, sortable as text.
fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a stored time; one that is not RFC 3339 is an error naming the row and column.
fn time(
    r: &Row<'_>,
    idx: usize,
    at: (&'static str, &'static str),
    row: &str,
) -> rusqlite::Result<DateTime<Utc>> {
    parsed(r, idx, at, row, |text| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// Reads a stored time that may be absent.
fn optional_time(
    r: &Row<'_>,
    idx: usize,
    at: (&'static str, &'static str),
    row: &str,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match r.get_ref(idx)? {
        ValueRef::Null => Ok(None),
        _ => time(r, idx, at, row).map(Some),
    }
}

const ENROLLMENT_COLUMNS: &str = "endpoint, institution_id, institution_name, identifier, \
     awarding_body, fingerprint, key_sets, public_key, keychain_user, enrolled_at";

fn enrollment_from_row(r: &Row<'_>) -> rusqlite::Result<Enrollment> {
    Ok(Enrollment {
        endpoint: r.get(0)?,
        institution_id: r.get(1)?,
        institution_name: r.get(2)?,
        identifier: r.get(3)?,
        awarding_body: r.get(4)?,
        fingerprint: r.get(5)?,
        key_sets: r.get(6)?,
        public_key: r.get(7)?,
        keychain_user: r.get(8)?,
        enrolled_at: time(r, 9, ("enrollment", "enrolled_at"), "1")?,
    })
}

const BLOB_COLUMNS: &str =
    "sha256, size, plain_blake3, plain_size, recipients, file, upload_url, held";

fn blob_from_row(r: &Row<'_>) -> rusqlite::Result<SealedBlob> {
    Ok(SealedBlob {
        sha256: r.get(0)?,
        size: r.get(1)?,
        plain_blake3: r.get(2)?,
        plain_size: r.get(3)?,
        recipients: r.get(4)?,
        file: r.get(5)?,
        upload_url: r.get(6)?,
        held: r.get(7)?,
    })
}

fn load_blob(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<SealedBlob>> {
    conn.prepare_cached(&format!(
        "SELECT {BLOB_COLUMNS} FROM sealed_blobs WHERE sha256 = ?1"
    ))?
    .query_row([sha256], blob_from_row)
    .optional()
}

fn load_blob_for(
    conn: &Connection,
    plain_blake3: &str,
    recipients: &str,
) -> rusqlite::Result<Option<SealedBlob>> {
    conn.prepare_cached(&format!(
        "SELECT {BLOB_COLUMNS} FROM sealed_blobs WHERE plain_blake3 = ?1 AND recipients = ?2"
    ))?
    .query_row([plain_blake3, recipients], blob_from_row)
    .optional()
}

fn blob_not_found(sha256: &str) -> Error {
    Error::not_found(Entity::SealedBlob, sha256, Hint::CheckTheList)
}

const SUBMISSION_COLUMNS: &str = "id, review_id, award, framework_id, framework_version, \
     responds_to, envelope, manifest, summary, state, queued_at, attempts, next_attempt_at, \
     last_error, bytes_sent, server_id, receipt, sent_at, status, status_tag, status_checked_at";

fn submission_from_row(r: &Row<'_>) -> rusqlite::Result<OutboxSubmission> {
    let id: String = r.get(0)?;
    let at = |column| ("outbox", column);
    Ok(OutboxSubmission {
        review_id: r.get(1)?,
        award: r.get(2)?,
        framework_id: r.get(3)?,
        framework_version: r.get(4)?,
        responds_to: r.get(5)?,
        envelope: r.get(6)?,
        manifest: r.get(7)?,
        // Filled by `with_blobs`.
        blobs: Vec::new(),
        summary: r.get(8)?,
        state: parsed(r, 9, at("state"), &id, OutboxState::parse)?,
        queued_at: time(r, 10, at("queued_at"), &id)?,
        attempts: r.get(11)?,
        next_attempt_at: optional_time(r, 12, at("next_attempt_at"), &id)?,
        last_error: r.get(13)?,
        bytes_sent: r.get(14)?,
        server_id: r.get(15)?,
        receipt: r.get(16)?,
        sent_at: optional_time(r, 17, at("sent_at"), &id)?,
        status: r.get(18)?,
        status_tag: r.get(19)?,
        status_checked_at: optional_time(r, 20, at("status_checked_at"), &id)?,
        id,
    })
}

/// Adds a submission's blobs, in the order they were given.
fn with_blobs(
    conn: &Connection,
    mut submission: OutboxSubmission,
) -> rusqlite::Result<OutboxSubmission> {
    submission.blobs = conn
        .prepare_cached(
            "SELECT sha256 FROM outbox_blobs WHERE submission_id = ?1 ORDER BY position",
        )?
        .query_map([&submission.id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(submission)
}

/// Submissions matching `filter` (an SQL condition over `outbox`), oldest first.
fn submissions_where(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Vec<OutboxSubmission>> {
    let rows: Vec<OutboxSubmission> = conn
        .prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM outbox WHERE {filter} ORDER BY queued_at, id"
        ))?
        .query_map(params, submission_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|s| with_blobs(conn, s)).collect()
}

fn load_submission(conn: &Connection, id: &str) -> rusqlite::Result<Option<OutboxSubmission>> {
    submissions_where(conn, "id = ?1", [id]).map(|mut all| all.pop())
}

/// A submission that is not in the outbox: named by the id asked for.
pub(crate) fn submission_not_found(id: &str) -> Error {
    Error::not_found(Entity::Submission, id, Hint::CheckTheList)
}

/// Refuses a change that needs the submission to be in `wanted` when it is not (`doing` says
/// what was being recorded, for the message).
fn check_state(submission: &OutboxSubmission, wanted: OutboxState, doing: &str) -> Result<()> {
    if submission.state == wanted {
        return Ok(());
    }
    let id = &submission.id;
    let why = match submission.state {
        OutboxState::Queued => format!("submission {id:?} has not been delivered yet"),
        OutboxState::Sent => format!(
            "submission {id:?} has already been delivered (its receipt is kept) and cannot change"
        ),
        OutboxState::Refused => format!(
            "submission {id:?} was refused by the awarding body for good; package a new one instead"
        ),
    };
    Err(Error::invalid(
        "state",
        format!("Cannot record {doing}: {why}."),
    ))
}

impl Store {
    /// The endpoint this data folder is enrolled with, if any.
    pub(crate) fn enrollment(&self) -> Result<Option<Enrollment>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ENROLLMENT_COLUMNS} FROM enrollment WHERE singleton = 1"
            ))
            .at(&self.path)?
            .query_row([], enrollment_from_row)
            .optional()
            .at(&self.path)
    }

    /// Records the enrollment, replacing any earlier one.
    pub(crate) fn set_enrollment(&mut self, e: &Enrollment) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO enrollment (singleton, {ENROLLMENT_COLUMNS})
                     VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (singleton) DO UPDATE SET
                        endpoint = excluded.endpoint, institution_id = excluded.institution_id,
                        institution_name = excluded.institution_name,
                        identifier = excluded.identifier, awarding_body = excluded.awarding_body,
                        fingerprint = excluded.fingerprint, key_sets = excluded.key_sets,
                        public_key = excluded.public_key, keychain_user = excluded.keychain_user,
                        enrolled_at = excluded.enrolled_at"
                ),
                params![
                    e.endpoint,
                    e.institution_id,
                    e.institution_name,
                    e.identifier,
                    e.awarding_body,
                    e.fingerprint,
                    e.key_sets,
                    e.public_key,
                    e.keychain_user,
                    time_text(&e.enrolled_at),
                ],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// Forgets the enrollment; `false` when there was none.
    pub(crate) fn remove_enrollment(&mut self) -> Result<bool> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute("DELETE FROM enrollment WHERE singleton = 1", [])
                .map(|n| n > 0)
                .at(&path)
        })
    }

    /// The sealed blob with this ciphertext hash, if kept.
    pub(crate) fn sealed_blob(&self, sha256: &str) -> Result<Option<SealedBlob>> {
        load_blob(&self.conn, sha256).at(&self.path)
    }

    /// The blob sealing this plaintext to these recipients, if kept.
    pub(crate) fn sealed_blob_for(
        &self,
        plain_blake3: &str,
        recipients: &str,
    ) -> Result<Option<SealedBlob>> {
        load_blob_for(&self.conn, plain_blake3, recipients).at(&self.path)
    }

    /// Every sealed blob, by ciphertext hash.
    pub(crate) fn sealed_blobs(&self) -> Result<Vec<SealedBlob>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {BLOB_COLUMNS} FROM sealed_blobs ORDER BY sha256"
            ))
            .at(&self.path)?
            .query_map([], blob_from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)
    }

    /// Keeps a sealed blob. Adding one already kept with the same ciphertext facts is a no-op
    /// (its upload progress stays as stored); one that disagrees with a kept blob, by
    /// ciphertext hash or by (plaintext, recipients), is refused.
    pub(crate) fn add_sealed_blob(&mut self, blob: &SealedBlob) -> Result<()> {
        let path = self.path.clone();
        let same_facts = |kept: &SealedBlob| {
            kept.sha256 == blob.sha256
                && kept.size == blob.size
                && kept.plain_blake3 == blob.plain_blake3
                && kept.plain_size == blob.plain_size
                && kept.recipients == blob.recipients
                && kept.file == blob.file
        };
        self.write(|tx| {
            let by_hash = load_blob(tx, &blob.sha256).at(&path)?;
            let by_plain = load_blob_for(tx, &blob.plain_blake3, &blob.recipients).at(&path)?;
            match (by_hash, by_plain) {
                (None, None) => {}
                (Some(kept), _) if same_facts(&kept) => return Ok(()),
                (Some(_), _) => {
                    return Err(Error::invalid(
                        "sha256",
                        format!(
                            "A different blob with SHA-256 {} is already in the outbox (another size, plaintext, recipients or file); a ciphertext hash names one blob only.",
                            blob.sha256
                        ),
                    ));
                }
                (None, Some(kept)) => {
                    return Err(Error::invalid(
                        "plain_blake3",
                        format!(
                            "This plaintext is already sealed to these recipients as blob {}; use that blob instead of sealing it again.",
                            kept.sha256
                        ),
                    ));
                }
            }
            tx.execute(
                &format!(
                    "INSERT INTO sealed_blobs ({BLOB_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                ),
                params![
                    blob.sha256,
                    blob.size,
                    blob.plain_blake3,
                    blob.plain_size,
                    blob.recipients,
                    blob.file,
                    blob.upload_url,
                    blob.held,
                ],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// Records (or with `None` forgets) where a blob's upload can be resumed. Refused for a
    /// blob the endpoint already holds: there is nothing left to upload.
    pub(crate) fn set_blob_upload_url(&mut self, sha256: &str, url: Option<&str>) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            let kept = load_blob(tx, sha256)
                .at(&path)?
                .ok_or_else(|| blob_not_found(sha256))?;
            if kept.held && url.is_some() {
                return Err(Error::invalid(
                    "upload_url",
                    format!(
                        "The endpoint already holds blob {sha256}, so it has no upload to resume."
                    ),
                ));
            }
            tx.execute(
                "UPDATE sealed_blobs SET upload_url = ?2 WHERE sha256 = ?1",
                params![sha256, url],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// Marks a blob as held by the endpoint (and forgets its upload, now finished).
    pub(crate) fn set_blob_held(&mut self, sha256: &str) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE sealed_blobs SET held = 1, upload_url = NULL WHERE sha256 = ?1",
                    [sha256],
                )
                .at(&path)?;
            if changed == 0 {
                return Err(blob_not_found(sha256));
            }
            Ok(())
        })
    }

    /// Puts a submission in the outbox with the blobs it needs, in one transaction: refused,
    /// with nothing written, when its id is taken or a blob is not a sealed blob. The review
    /// and the blob list's shape are checked by [`Workspace`](crate::Workspace) first.
    pub(crate) fn queue_submission(
        &mut self,
        new: &NewOutboxSubmission,
    ) -> Result<OutboxSubmission> {
        let path = self.path.clone();
        self.write(|tx| {
            if load_submission(tx, &new.id).at(&path)?.is_some() {
                return Err(Error::invalid(
                    "id",
                    format!(
                        "A submission with id {:?} is already in the outbox; give each submission a new id.",
                        new.id
                    ),
                ));
            }
            for sha256 in &new.blobs {
                if load_blob(tx, sha256).at(&path)?.is_none() {
                    return Err(Error::invalid(
                        "blobs",
                        format!(
                            "Blob {sha256} is not a sealed blob in the outbox; add it before queueing a submission that needs it."
                        ),
                    ));
                }
            }
            tx.execute(
                "INSERT INTO outbox (id, review_id, award, framework_id, framework_version,
                    responds_to, envelope, manifest, summary, state, queued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    new.id,
                    new.review_id,
                    new.award,
                    new.framework_id,
                    new.framework_version,
                    new.responds_to,
                    new.envelope,
                    new.manifest,
                    new.summary,
                    OutboxState::Queued.as_str(),
                    time_text(&new.queued_at),
                ],
            )
            .at(&path)?;
            for (position, sha256) in new.blobs.iter().enumerate() {
                tx.execute(
                    "INSERT INTO outbox_blobs (submission_id, position, sha256) VALUES (?1, ?2, ?3)",
                    params![new.id, position, sha256],
                )
                .at(&path)?;
            }
            load_submission(tx, &new.id)
                .at(&path)?
                .ok_or_else(|| submission_not_found(&new.id))
        })
    }

    /// Every submission in the outbox, oldest first.
    pub(crate) fn outbox(&self) -> Result<Vec<OutboxSubmission>> {
        submissions_where(&self.conn, "1", []).at(&self.path)
    }

    /// Submissions in `state`, oldest first.
    pub(crate) fn submissions_in(&self, state: OutboxState) -> Result<Vec<OutboxSubmission>> {
        submissions_where(&self.conn, "state = ?1", [state.as_str()]).at(&self.path)
    }

    /// One submission, if in the outbox.
    pub(crate) fn outbox_submission(&self, id: &str) -> Result<Option<OutboxSubmission>> {
        load_submission(&self.conn, id).at(&self.path)
    }

    /// The newest submission the endpoint knows by `server_id` (re-submissions share it), if
    /// any.
    pub(crate) fn submission_by_server_id(
        &self,
        server_id: &str,
    ) -> Result<Option<OutboxSubmission>> {
        submissions_where(&self.conn, "server_id = ?1", [server_id])
            .map(|mut all| all.pop())
            .at(&self.path)
    }

    /// Reads a submission inside a write, then lets `change` check and update it.
    fn change_submission<T>(
        &mut self,
        id: &str,
        change: impl FnOnce(&rusqlite::Transaction<'_>, &OutboxSubmission) -> Result<T>,
    ) -> Result<T> {
        let path = self.path.clone();
        self.write(|tx| {
            let submission = load_submission(tx, id)
                .at(&path)?
                .ok_or_else(|| submission_not_found(id))?;
            change(tx, &submission)
        })
    }

    /// A failed delivery attempt of a queued submission: counted, with why and when next.
    pub(crate) fn record_attempt(
        &mut self,
        id: &str,
        error: &str,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let path = self.path.clone();
        self.change_submission(id, |tx, s| {
            check_state(s, OutboxState::Queued, "a delivery attempt")?;
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![id, error, next_attempt_at.as_ref().map(time_text)],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// The endpoint refused a queued submission for good: it is no longer retried.
    pub(crate) fn record_refused(&mut self, id: &str, error: &str) -> Result<()> {
        let path = self.path.clone();
        self.change_submission(id, |tx, s| {
            check_state(s, OutboxState::Queued, "a refusal")?;
            tx.execute(
                "UPDATE outbox SET state = ?2, last_error = ?3, next_attempt_at = NULL WHERE id = ?1",
                params![id, OutboxState::Refused.as_str(), error],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// Adds to the bytes sent for a queued submission.
    pub(crate) fn add_bytes_sent(&mut self, id: &str, n: u64) -> Result<()> {
        let path = self.path.clone();
        self.change_submission(id, |tx, s| {
            check_state(s, OutboxState::Queued, "bytes sent")?;
            // SQLite's integers are signed 64-bit: past that a sum would silently become a
            // floating-point number.
            let total = s
                .bytes_sent
                .checked_add(n)
                .filter(|t| i64::try_from(*t).is_ok())
                .ok_or_else(|| {
                    Error::invalid(
                        "bytes_sent",
                        format!(
                            "{n} more bytes for submission {id:?} is more than can be counted."
                        ),
                    )
                })?;
            tx.execute(
                "UPDATE outbox SET bytes_sent = ?2 WHERE id = ?1",
                params![id, total],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// The endpoint committed a queued submission: its id and receipt are kept. Recording the
    /// same id and receipt again is a no-op (the endpoint answers a repeated envelope with the
    /// same receipt); anything else on a delivered submission is refused.
    pub(crate) fn record_sent(
        &mut self,
        id: &str,
        server_id: &str,
        receipt: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.path.clone();
        self.change_submission(id, |tx, s| {
            if s.state == OutboxState::Sent
                && s.server_id.as_deref() == Some(server_id)
                && s.receipt.as_deref() == Some(receipt)
            {
                return Ok(());
            }
            check_state(s, OutboxState::Queued, "a delivery")?;
            // A re-submission (it answers `server_id`) becomes a new version of the same
            // endpoint submission; any other submission must get an id of its own.
            if s.responds_to.as_deref() != Some(server_id)
                && let Some(other) = submissions_where(tx, "server_id = ?1", [server_id])
                    .at(&path)?
                    .pop()
            {
                return Err(Error::invalid(
                    "server_id",
                    format!(
                        "The endpoint's submission {server_id} is already recorded for submission {:?}, and this one does not answer it.",
                        other.id
                    ),
                ));
            }
            tx.execute(
                "UPDATE outbox SET state = ?2, server_id = ?3, receipt = ?4, sent_at = ?5,
                    last_error = NULL, next_attempt_at = NULL
                 WHERE id = ?1",
                params![id, OutboxState::Sent.as_str(), server_id, receipt, time_text(&at)],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// The status pulled from the endpoint for a delivered submission, with its tag.
    pub(crate) fn record_status(
        &mut self,
        id: &str,
        status: &str,
        tag: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.path.clone();
        self.change_submission(id, |tx, s| {
            check_state(s, OutboxState::Sent, "a status")?;
            tx.execute(
                "UPDATE outbox SET status = ?2, status_tag = ?3, status_checked_at = ?4 WHERE id = ?1",
                params![id, status, tag, time_text(&at)],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    /// A delivered submission's status was checked and had not changed.
    pub(crate) fn record_status_checked(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        let path = self.path.clone();
        self.change_submission(id, |tx, s| {
            check_state(s, OutboxState::Sent, "a status check")?;
            tx.execute(
                "UPDATE outbox SET status_checked_at = ?2 WHERE id = ?1",
                params![id, time_text(&at)],
            )
            .map(|_| ())
            .at(&path)
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// A store with one review to queue submissions for, and one sealed blob.
    fn store_with_blob(dir: &std::path::Path) -> (Store, SealedBlob) {
        let mut store =
            Store::open(&dir.join("waymark.sqlite3"), &crate::store::Cipher::Plain).expect("open");
        store
            .conn
            .execute_batch(
                "INSERT INTO institution VALUES ('i', 'School', NULL, NULL, NULL, NULL, NULL, 't', 't');
                 INSERT INTO framework_versions VALUES ('f', '1.0', 'format = 1', 't');
                 INSERT INTO reviews (id, institution_id, framework_id, framework_version, registered_at, registered_by)
                     VALUES ('r', 'i', 'f', '1.0', 't', 'Head');",
            )
            .expect("review");
        let blob = SealedBlob {
            sha256: "a".repeat(64),
            size: 10,
            plain_blake3: "b".repeat(64),
            plain_size: 5,
            recipients: "wks1".into(),
            file: "outbox/blobs/a.age".into(),
            upload_url: None,
            held: false,
        };
        store.add_sealed_blob(&blob).expect("blob");
        (store, blob)
    }

    fn new(blob: &SealedBlob, queued_at: DateTime<Utc>) -> NewOutboxSubmission {
        NewOutboxSubmission {
            id: "s1".into(),
            review_id: "r".into(),
            award: "mark".into(),
            framework_id: "f".into(),
            framework_version: "1.0".into(),
            responds_to: None,
            envelope: "{}".into(),
            manifest: blob.sha256.clone(),
            blobs: vec![blob.sha256.clone()],
            summary: "{}".into(),
            queued_at,
        }
    }

    /// Times are stored as every time in the store is: RFC 3339 UTC text with milliseconds.
    #[test]
    fn times_are_stored_as_rfc_3339_utc_text_with_milliseconds() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut store, blob) = store_with_blob(dir.path());
        let queued_at = Utc
            .with_ymd_and_hms(2025, 5, 2, 9, 30, 0)
            .single()
            .expect("time")
            + chrono::Duration::microseconds(7_500);
        store
            .queue_submission(&new(&blob, queued_at))
            .expect("queue");
        let text: String = store
            .conn
            .query_row("SELECT queued_at FROM outbox WHERE id = 's1'", [], |r| {
                r.get(0)
            })
            .expect("read");
        assert_eq!(text, "2025-05-02T09:30:00.007Z");
    }

    /// A hand-edited row is reported naming the table, row and column, never read as a default.
    #[test]
    fn a_state_or_time_this_build_does_not_know_is_a_stored_value_error() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut store, blob) = store_with_blob(dir.path());
        store
            .queue_submission(&new(&blob, Utc::now()))
            .expect("queue");
        for (edit, column, value) in [
            (
                "UPDATE outbox SET next_attempt_at = 'soon' WHERE id = 's1'",
                "next_attempt_at",
                "soon",
            ),
            // The CHECK keeps unknown states out; a newer build's would come without it.
            (
                "PRAGMA ignore_check_constraints = ON; UPDATE outbox SET state = 'lost', next_attempt_at = NULL WHERE id = 's1'",
                "state",
                "lost",
            ),
        ] {
            store.conn.execute_batch(edit).expect("edit");
            match store.outbox_submission("s1") {
                Err(Error::StoredValueInvalid {
                    table,
                    row,
                    column: c,
                    value: v,
                    ..
                }) => assert_eq!(
                    (table, row.as_str(), c, v.as_str()),
                    ("outbox", "s1", column, value)
                ),
                other => panic!("expected a stored value error, got {other:?}"),
            }
        }
    }
}
