//! [`SubmissionStore`] on SQLite.
//!
//! A submission's row holds where its review stands; its envelopes (with their receipts), its
//! events and its award are rows of their own. `versions` and `last_event` are not stored: they
//! are the count of its envelopes and the highest sequence of its events, read through the
//! primary key and `events_by_submission`, so they can never disagree with the rows.
//!
//! Everything that changes a submission runs in one write transaction on the single writer, so
//! a check made inside it (the envelope is new, the state is still `from`) cannot be raced.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use waymark_protocol::api::Recommendation;
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::receipt::{RECEIPT_FORMAT, Receipt};
use waymark_protocol::review::{
    Actor, AwardRecord, Event, EventKind, EvidenceRequest, Feedback, ReviewState, Role,
};
use waymark_protocol::{AssessorId, InstitutionId, Sha256, SubmissionId};

use super::{SqliteMeta, parse_time, time_text};
use crate::meta::codec::{
    bad, enum_text, from_json, opt_json, parse_enum, parse_state, to_json, to_u32, to_u64,
};
use crate::meta::submissions::{
    CommitOutcome, EnvelopeRecord, NewEnvelope, StoredAward, SubmissionRecord, Transition,
};
use crate::meta::{MetaError, MetaResult, SubmissionStore};

pub(super) fn parse_id<T: std::str::FromStr>(what: &str, text: &str) -> MetaResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| bad(what, e))
}

pub(super) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn parse_date(text: &str) -> MetaResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| bad("date", e))
}

// ---------------------------------------------------------------------------------------------
// Submissions

/// The columns [`SubmissionRow`] reads, in order, over `submissions s LEFT JOIN awards a`.
const SUBMISSION_COLUMNS: &str = "s.id, s.institution, s.framework_id, s.framework_version, \
     s.award, s.state, s.received_at, s.updated_at, s.review_due, s.assessor, s.moderator, \
     s.request, s.recommendation, s.feedback, a.record, \
     (SELECT COUNT(*) FROM envelopes e WHERE e.submission = s.id), \
     (SELECT COALESCE(MAX(v.sequence), 0) FROM events v WHERE v.submission = s.id)";

fn select_submissions(filter: &str) -> String {
    format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions s \
         LEFT JOIN awards a ON a.verification_code = s.award_code {filter}"
    )
}

/// Newest first; ids are UUID v7, so they break ties in time order too.
const NEWEST_FIRST: &str = "ORDER BY s.received_at DESC, s.id DESC";

/// A submission as read, before parsing.
struct SubmissionRow {
    id: String,
    institution: String,
    framework_id: String,
    framework_version: String,
    award: String,
    state: String,
    received_at: String,
    updated_at: String,
    review_due: Option<String>,
    assessor: Option<String>,
    moderator: Option<String>,
    request: Option<String>,
    recommendation: Option<String>,
    feedback: Option<String>,
    award_record: Option<String>,
    versions: i64,
    last_event: i64,
}

fn submission_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SubmissionRow> {
    Ok(SubmissionRow {
        id: r.get(0)?,
        institution: r.get(1)?,
        framework_id: r.get(2)?,
        framework_version: r.get(3)?,
        award: r.get(4)?,
        state: r.get(5)?,
        received_at: r.get(6)?,
        updated_at: r.get(7)?,
        review_due: r.get(8)?,
        assessor: r.get(9)?,
        moderator: r.get(10)?,
        request: r.get(11)?,
        recommendation: r.get(12)?,
        feedback: r.get(13)?,
        award_record: r.get(14)?,
        versions: r.get(15)?,
        last_event: r.get(16)?,
    })
}

fn to_submission(row: SubmissionRow) -> MetaResult<SubmissionRecord> {
    Ok(SubmissionRecord {
        id: parse_id("submission id", &row.id)?,
        institution: parse_id("institution id", &row.institution)?,
        framework: FrameworkRef {
            id: row.framework_id,
            version: row.framework_version,
        },
        award: row.award,
        state: parse_state(&row.state)?,
        received_at: parse_time(&row.received_at)?,
        updated_at: parse_time(&row.updated_at)?,
        review_due: row.review_due.as_deref().map(parse_date).transpose()?,
        assessor: row
            .assessor
            .as_deref()
            .map(|a| parse_id::<AssessorId>("assessor id", a))
            .transpose()?,
        moderator: row
            .moderator
            .as_deref()
            .map(|a| parse_id::<AssessorId>("moderator id", a))
            .transpose()?,
        request: opt_json::<EvidenceRequest>("evidence request", row.request)?,
        recommendation: opt_json::<Recommendation>("recommendation", row.recommendation)?,
        feedback: opt_json::<Feedback>("feedback", row.feedback)?,
        award_record: opt_json::<AwardRecord>("award", row.award_record)?,
        versions: to_u32("version count", row.versions)?,
        last_event: to_u64("event sequence", row.last_event)?,
    })
}

fn load_submission(c: &Connection, id: SubmissionId) -> MetaResult<Option<SubmissionRecord>> {
    c.query_row(
        &select_submissions("WHERE s.id = ?1"),
        [id.to_string()],
        submission_row,
    )
    .optional()?
    .map(to_submission)
    .transpose()
}

fn load_submissions(
    c: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> MetaResult<Vec<SubmissionRecord>> {
    let mut stmt = c.prepare(&select_submissions(filter))?;
    let rows = stmt.query_map(params, submission_row)?;
    rows.map(|r| to_submission(r?)).collect()
}

// ---------------------------------------------------------------------------------------------
// Envelopes

const ENVELOPE_COLUMNS: &str = "submission, version, sha256, signed, blobs, receipt, received_at";

type EnvelopeRow = (String, i64, String, String, String, String, String);

fn envelope_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EnvelopeRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn to_envelope(
    (submission, version, sha256, signed, blobs, receipt, received_at): EnvelopeRow,
) -> MetaResult<EnvelopeRecord> {
    Ok(EnvelopeRecord {
        submission: parse_id("submission id", &submission)?,
        version: to_u32("envelope version", version)?,
        sha256: parse_id::<Sha256>("envelope hash", &sha256)?,
        signed: from_json("envelope", &signed)?,
        blobs: from_json("blob list", &blobs)?,
        receipt: from_json("receipt", &receipt)?,
        received_at: parse_time(&received_at)?,
    })
}

/// The envelope with this hash and the institution of its submission.
fn envelope_by_hash(
    c: &Connection,
    sha256: &Sha256,
) -> MetaResult<Option<(EnvelopeRecord, InstitutionId)>> {
    let found = c
        .query_row(
            &format!(
                "SELECT {ENVELOPE_COLUMNS}, (SELECT institution FROM submissions s WHERE s.id = submission) \
                 FROM envelopes WHERE sha256 = ?1"
            ),
            [sha256.to_hex()],
            |r| Ok((envelope_row(r)?, r.get::<_, String>(7)?)),
        )
        .optional()?;
    found
        .map(|(row, institution)| {
            Ok((
                to_envelope(row)?,
                parse_id::<InstitutionId>("institution id", &institution)?,
            ))
        })
        .transpose()
}

// ---------------------------------------------------------------------------------------------
// Events

/// Appends an event and returns its sequence (AUTOINCREMENT: strictly increasing, never
/// reused, even after the newest row is gone).
pub(super) fn insert_event(
    tx: &Connection,
    submission: SubmissionId,
    at: DateTime<Utc>,
    actor: &Actor,
    state: ReviewState,
    kind: &EventKind,
) -> MetaResult<u64> {
    tx.execute(
        "INSERT INTO events (submission, at, actor_role, actor_assessor, state, kind) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            submission.to_string(),
            time_text(at),
            enum_text(actor.role)?,
            actor.assessor.map(|a| a.to_string()),
            state.as_str(),
            to_json("event", kind)?,
        ],
    )?;
    to_u64("event sequence", tx.last_insert_rowid())
}

type EventRow = (i64, String, String, String, Option<String>, String, String);

fn to_event(
    (sequence, submission, at, role, assessor, state, kind): EventRow,
) -> MetaResult<Event> {
    Ok(Event {
        sequence: to_u64("event sequence", sequence)?,
        submission: parse_id("submission id", &submission)?,
        at: parse_time(&at)?,
        actor: Actor {
            role: parse_enum::<Role>("role", &role)?,
            assessor: assessor
                .as_deref()
                .map(|a| parse_id::<AssessorId>("assessor id", a))
                .transpose()?,
        },
        state: parse_state(&state)?,
        kind: from_json("event", &kind)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Awards

type AwardRow = (String, String, String, String);

const AWARD_SELECT: &str = "SELECT a.record, a.institution, s.framework_id, s.framework_version \
     FROM awards a JOIN submissions s ON s.id = a.submission";

fn award_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AwardRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_award((record, institution, id, version): AwardRow) -> MetaResult<StoredAward> {
    Ok(StoredAward {
        record: from_json("award", &record)?,
        institution: parse_id("institution id", &institution)?,
        framework: FrameworkRef { id, version },
    })
}

// ---------------------------------------------------------------------------------------------
// Commit

/// Inside the commit transaction.
fn commit(tx: &Connection, new: &NewEnvelope) -> MetaResult<CommitOutcome> {
    if let Some((existing, institution)) = envelope_by_hash(tx, &new.sha256)? {
        // The hash covers the signed body, which names the institution whose key verified it:
        // the same bytes from another institution cannot have passed the caller's checks.
        if institution != new.institution {
            return Err(MetaError::Conflict(format!(
                "envelope {} is recorded for another institution",
                new.sha256
            )));
        }
        return Ok(CommitOutcome::Existing(existing));
    }
    let at = new.received_at;
    let (submission, version, state) = match new.responds_to {
        None => {
            let id = SubmissionId::new();
            tx.execute(
                "INSERT INTO submissions (id, institution, framework_id, framework_version, award, \
                 state, received_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    id.to_string(),
                    new.institution.to_string(),
                    new.framework.id,
                    new.framework.version,
                    new.award,
                    ReviewState::Received.as_str(),
                    time_text(at),
                ],
            )?;
            (id, 1, ReviewState::Received)
        }
        Some(id) => {
            let found = tx
                .query_row(
                    "SELECT institution, framework_id, framework_version, award, state, \
                     (SELECT COUNT(*) FROM envelopes e WHERE e.submission = s.id) \
                     FROM submissions s WHERE id = ?1",
                    [id.to_string()],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            FrameworkRef {
                                id: r.get(1)?,
                                version: r.get(2)?,
                            },
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, i64>(5)?,
                        ))
                    },
                )
                .optional()?;
            let Some((institution, framework, award, state, versions)) = found else {
                return Ok(CommitOutcome::UnknownSubmission);
            };
            if parse_id::<InstitutionId>("institution id", &institution)? != new.institution {
                return Ok(CommitOutcome::UnknownSubmission);
            }
            let state = parse_state(&state)?;
            if state != ReviewState::MoreEvidenceRequested {
                return Ok(CommitOutcome::NotAwaitingEvidence(state));
            }
            if framework != new.framework || award != new.award {
                return Ok(CommitOutcome::DifferentAward);
            }
            let changed = tx.execute(
                "UPDATE submissions SET state = ?1, request = NULL, updated_at = ?2 \
                 WHERE id = ?3 AND state = ?4",
                params![
                    ReviewState::Resubmitted.as_str(),
                    time_text(at),
                    id.to_string(),
                    ReviewState::MoreEvidenceRequested.as_str(),
                ],
            )?;
            if changed != 1 {
                return Err(MetaError::Internal(format!(
                    "submission {id} changed inside its own transaction"
                )));
            }
            let version = to_u32("version count", versions)? + 1;
            (id, version, ReviewState::Resubmitted)
        }
    };
    let sequence = insert_event(
        tx,
        submission,
        at,
        &Actor {
            role: Role::Institution,
            assessor: None,
        },
        state,
        &EventKind::Received {
            version,
            envelope_sha256: new.sha256,
        },
    )?;
    let receipt = (new.sign)(&Receipt {
        format: RECEIPT_FORMAT,
        submission,
        version,
        institution: new.institution,
        envelope_sha256: new.sha256,
        received_at: at,
        sequence,
    });
    tx.execute(
        "INSERT INTO envelopes (submission, version, sha256, signed, blobs, receipt, received_at, \
         sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            submission.to_string(),
            version,
            new.sha256.to_hex(),
            to_json("envelope", &new.signed)?,
            to_json("blob list", &new.blobs)?,
            to_json("receipt", &receipt)?,
            time_text(at),
            i64::try_from(sequence).map_err(|e| MetaError::Internal(e.to_string()))?,
        ],
    )?;
    Ok(CommitOutcome::Created(EnvelopeRecord {
        submission,
        version,
        sha256: new.sha256,
        signed: new.signed.clone(),
        blobs: new.blobs.clone(),
        receipt,
        received_at: at,
    }))
}

// ---------------------------------------------------------------------------------------------
// Transitions

/// Inside the transition transaction.
fn transition(
    tx: &Connection,
    step: &Transition,
) -> MetaResult<Result<SubmissionRecord, ReviewState>> {
    let id = step.submission.to_string();
    let changed = tx.execute(
        "UPDATE submissions SET state = ?1, updated_at = ?2 WHERE id = ?3 AND state = ?4",
        params![step.to.as_str(), time_text(step.at), id, step.from.as_str()],
    )?;
    if changed == 0 {
        let actual: Option<String> = tx
            .query_row("SELECT state FROM submissions WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .optional()?;
        return match actual {
            Some(state) => Ok(Err(parse_state(&state)?)),
            None => Err(MetaError::Internal(format!(
                "a review step was recorded for submission {id}, which does not exist"
            ))),
        };
    }
    let changes = &step.changes;
    if let Some(assessor) = changes.assessor {
        tx.execute(
            "UPDATE submissions SET assessor = ?1 WHERE id = ?2",
            params![assessor.to_string(), id],
        )?;
    }
    if let Some(moderator) = changes.moderator {
        tx.execute(
            "UPDATE submissions SET moderator = ?1 WHERE id = ?2",
            params![moderator.to_string(), id],
        )?;
    }
    if let Some(due) = changes.review_due {
        tx.execute(
            "UPDATE submissions SET review_due = ?1 WHERE id = ?2",
            params![date_text(due), id],
        )?;
    }
    if let Some(request) = &changes.request {
        let text = request
            .as_ref()
            .map(|r| to_json("evidence request", r))
            .transpose()?;
        tx.execute(
            "UPDATE submissions SET request = ?1 WHERE id = ?2",
            params![text, id],
        )?;
    }
    if let Some(recommendation) = &changes.recommendation {
        let text = recommendation
            .as_ref()
            .map(|r| to_json("recommendation", r))
            .transpose()?;
        tx.execute(
            "UPDATE submissions SET recommendation = ?1 WHERE id = ?2",
            params![text, id],
        )?;
    }
    if let Some(feedback) = &changes.feedback {
        tx.execute(
            "UPDATE submissions SET feedback = ?1 WHERE id = ?2",
            params![to_json("feedback", feedback)?, id],
        )?;
    }
    if let Some(award) = &changes.award {
        tx.execute(
            "INSERT INTO awards (verification_code, submission, institution, record, awarded_on, \
             expires_on) SELECT ?1, id, institution, ?2, ?3, ?4 FROM submissions WHERE id = ?5",
            params![
                award.verification_code,
                to_json("award", award)?,
                date_text(award.awarded_on),
                date_text(award.expires_on),
                id,
            ],
        )?;
        tx.execute(
            "UPDATE submissions SET award_code = ?1 WHERE id = ?2",
            params![award.verification_code, id],
        )?;
    }
    insert_event(
        tx,
        step.submission,
        step.at,
        &step.actor,
        step.to,
        &step.kind,
    )?;
    let record = load_submission(tx, step.submission)?.ok_or_else(|| {
        MetaError::Internal(format!(
            "submission {id} vanished inside its own transaction"
        ))
    })?;
    Ok(Ok(record))
}

#[async_trait]
impl SubmissionStore for SqliteMeta {
    async fn commit_envelope(&self, new: NewEnvelope) -> MetaResult<CommitOutcome> {
        // Durable: the school is told its receipt is safe.
        self.write(true, move |tx| commit(tx, &new)).await
    }

    async fn submission(&self, id: SubmissionId) -> MetaResult<Option<SubmissionRecord>> {
        self.read(move |c| load_submission(c, id)).await
    }

    async fn submissions_of(
        &self,
        institution: InstitutionId,
    ) -> MetaResult<Vec<SubmissionRecord>> {
        self.read(move |c| {
            load_submissions(
                c,
                &format!("WHERE s.institution = ?1 {NEWEST_FIRST}"),
                [institution.to_string()],
            )
        })
        .await
    }

    async fn all_submissions(
        &self,
        state: Option<ReviewState>,
    ) -> MetaResult<Vec<SubmissionRecord>> {
        self.read(move |c| match state {
            Some(state) => load_submissions(
                c,
                &format!("WHERE s.state = ?1 {NEWEST_FIRST}"),
                [state.as_str()],
            ),
            None => load_submissions(c, NEWEST_FIRST, []),
        })
        .await
    }

    async fn assignments(&self, assessor: AssessorId) -> MetaResult<Vec<SubmissionRecord>> {
        self.read(move |c| {
            load_submissions(
                c,
                "WHERE s.assessor = ?1 OR s.moderator = ?1 \
                 ORDER BY s.review_due IS NULL, s.review_due, s.received_at, s.id",
                [assessor.to_string()],
            )
        })
        .await
    }

    async fn envelopes(&self, submission: SubmissionId) -> MetaResult<Vec<EnvelopeRecord>> {
        self.read(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {ENVELOPE_COLUMNS} FROM envelopes WHERE submission = ?1 ORDER BY version"
            ))?;
            let rows = stmt.query_map([submission.to_string()], envelope_row)?;
            rows.map(|r| to_envelope(r?)).collect()
        })
        .await
    }

    async fn events(&self, submission: SubmissionId, since: u64) -> MetaResult<Vec<Event>> {
        // Sequences start at 1; a `since` beyond i64 asks for nothing.
        let Ok(since) = i64::try_from(since) else {
            return Ok(Vec::new());
        };
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT sequence, submission, at, actor_role, actor_assessor, state, kind \
                 FROM events WHERE submission = ?1 AND sequence > ?2 ORDER BY sequence",
            )?;
            let rows = stmt.query_map(params![submission.to_string(), since], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?;
            rows.map(|r| to_event(r?)).collect()
        })
        .await
    }

    async fn transition(
        &self,
        step: Transition,
    ) -> MetaResult<Result<SubmissionRecord, ReviewState>> {
        // Durable: an award or a decision is something people are told about.
        self.write(true, move |tx| transition(tx, &step)).await
    }

    async fn award_by_code(&self, code: &str) -> MetaResult<Option<StoredAward>> {
        let code = code.to_owned();
        self.read(move |c| {
            c.query_row(
                &format!("{AWARD_SELECT} WHERE a.verification_code = ?1"),
                [code],
                award_row,
            )
            .optional()?
            .map(to_award)
            .transpose()
        })
        .await
    }

    async fn awards_expiring(
        &self,
        from: NaiveDate,
        before: NaiveDate,
    ) -> MetaResult<Vec<StoredAward>> {
        self.read(move |c| {
            let mut stmt = c.prepare(&format!(
                "{AWARD_SELECT} WHERE a.expires_on >= ?1 AND a.expires_on <= ?2 \
                 ORDER BY a.expires_on, a.verification_code"
            ))?;
            let rows = stmt.query_map(params![date_text(from), date_text(before)], award_row)?;
            rows.map(|r| to_award(r?)).collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use waymark_protocol::encoding::Base64Bytes;
    use waymark_protocol::envelope::BlobRef;
    use waymark_protocol::review::{BenchmarkRequest, Outcome};
    use waymark_protocol::signed::{KeyId, SecretKey, Signed};

    use super::*;
    use crate::meta::AccountStore as _;
    use crate::meta::submissions::ReviewChanges;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn fake_signed(body: &[u8]) -> Signed {
        Signed {
            body: Base64Bytes(body.to_vec()),
            signature: Base64Bytes(vec![0; 64]),
            key_id: KeyId("0".repeat(32)),
        }
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        meta: SqliteMeta,
        school: InstitutionId,
        key: Arc<SecretKey>,
    }

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let meta = SqliteMeta::open(dir.path()).unwrap();
        let school = meta
            .add_institution("School", "urn:x:1", at("2026-03-01T00:00:00Z"))
            .await
            .unwrap()
            .id;
        Fixture {
            _dir: dir,
            meta,
            school,
            key: Arc::new(SecretKey::generate()),
        }
    }

    fn framework() -> FrameworkRef {
        FrameworkRef {
            id: "computing-quality".into(),
            version: "2.0".into(),
        }
    }

    fn envelope(f: &Fixture, body: &[u8], responds_to: Option<SubmissionId>) -> NewEnvelope {
        let key = Arc::clone(&f.key);
        NewEnvelope {
            institution: f.school,
            sha256: Sha256::of(body),
            signed: fake_signed(body),
            framework: framework(),
            award: "quality-mark".into(),
            responds_to,
            blobs: vec![BlobRef {
                sha256: Sha256::of(b"manifest"),
                size: 8,
            }],
            received_at: at("2026-03-02T09:00:00Z"),
            sign: Arc::new(move |r: &Receipt| r.sign(&key)),
        }
    }

    fn created(outcome: CommitOutcome) -> EnvelopeRecord {
        match outcome {
            CommitOutcome::Created(r) => r,
            other => panic!("expected Created, got {other:?}"),
        }
    }

    fn step(id: SubmissionId, from: ReviewState, to: ReviewState, kind: EventKind) -> Transition {
        Transition {
            submission: id,
            from,
            to,
            at: at("2026-03-03T09:00:00Z"),
            actor: Actor {
                role: Role::AwardingBody,
                assessor: None,
            },
            kind,
            changes: ReviewChanges::default(),
        }
    }

    #[tokio::test]
    async fn a_commit_is_idempotent_and_its_receipt_names_the_sequence() {
        let f = fixture().await;
        let first = created(
            f.meta
                .commit_envelope(envelope(&f, b"one", None))
                .await
                .unwrap(),
        );
        let receipt: Receipt = first
            .receipt
            .open(waymark_protocol::signed::Purpose::Receipt, &f.key.public())
            .unwrap();
        assert_eq!(receipt.version, 1);
        assert_eq!(receipt.envelope_sha256, Sha256::of(b"one"));

        let again = f
            .meta
            .commit_envelope(envelope(&f, b"one", None))
            .await
            .unwrap();
        assert_eq!(again, CommitOutcome::Existing(first.clone()));

        let record = f.meta.submission(first.submission).await.unwrap().unwrap();
        assert_eq!(record.state, ReviewState::Received);
        assert_eq!(record.versions, 1);
        assert_eq!(record.last_event, receipt.sequence);
        assert_eq!(f.meta.submissions_of(f.school).await.unwrap().len(), 1);
        let events = f.meta.events(first.submission, 0).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].sequence, receipt.sequence);
        assert!(
            f.meta
                .events(first.submission, receipt.sequence)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn transitions_compare_and_set_and_resubmissions_follow_a_request() {
        let f = fixture().await;
        let first = created(
            f.meta
                .commit_envelope(envelope(&f, b"one", None))
                .await
                .unwrap(),
        );
        let id = first.submission;

        // Not awaiting evidence yet.
        let early = f
            .meta
            .commit_envelope(envelope(&f, b"two", Some(id)))
            .await
            .unwrap();
        assert_eq!(
            early,
            CommitOutcome::NotAwaitingEvidence(ReviewState::Received)
        );
        let unknown = f
            .meta
            .commit_envelope(envelope(&f, b"two", Some(SubmissionId::new())))
            .await
            .unwrap();
        assert_eq!(unknown, CommitOutcome::UnknownSubmission);

        let assessor = f
            .meta
            .add_assessor("A", "a@x.test", at("2026-03-01T00:00:00Z"))
            .await
            .unwrap()
            .id;
        let mut assign = step(
            id,
            ReviewState::Received,
            ReviewState::UnderReview,
            EventKind::Assigned {
                review_due: NaiveDate::from_ymd_opt(2026, 3, 30).unwrap(),
            },
        );
        assign.changes.assessor = Some(assessor);
        assign.changes.review_due = NaiveDate::from_ymd_opt(2026, 3, 30);
        let after = f.meta.transition(assign.clone()).await.unwrap().unwrap();
        assert_eq!(after.state, ReviewState::UnderReview);
        assert_eq!(after.assessor, Some(assessor));
        // The same step again loses the race and is told the state.
        assert_eq!(
            f.meta.transition(assign).await.unwrap(),
            Err(ReviewState::UnderReview)
        );
        assert_eq!(f.meta.assignments(assessor).await.unwrap().len(), 1);

        let request = EvidenceRequest {
            message: "more please".into(),
            benchmarks: vec![BenchmarkRequest {
                benchmark: "1.1".into(),
                message: "a photo".into(),
            }],
        };
        let mut ask = step(
            id,
            ReviewState::UnderReview,
            ReviewState::MoreEvidenceRequested,
            EventKind::EvidenceRequested {
                request: request.clone(),
            },
        );
        ask.changes.request = Some(Some(request.clone()));
        let after = f.meta.transition(ask).await.unwrap().unwrap();
        assert_eq!(after.request, Some(request));

        let mut other_award = envelope(&f, b"two", Some(id));
        other_award.award = "progress".into();
        assert_eq!(
            f.meta.commit_envelope(other_award).await.unwrap(),
            CommitOutcome::DifferentAward
        );

        let second = created(
            f.meta
                .commit_envelope(envelope(&f, b"two", Some(id)))
                .await
                .unwrap(),
        );
        assert_eq!((second.submission, second.version), (id, 2));
        let record = f.meta.submission(id).await.unwrap().unwrap();
        assert_eq!(record.state, ReviewState::Resubmitted);
        assert_eq!(record.request, None);
        assert_eq!(record.versions, 2);
        assert_eq!(f.meta.envelopes(id).await.unwrap().len(), 2);
        assert_eq!(
            f.meta
                .all_submissions(Some(ReviewState::Resubmitted))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            f.meta
                .all_submissions(Some(ReviewState::Received))
                .await
                .unwrap()
                .is_empty()
        );

        // Recommend, then award: the award is findable by its code and by its expiry.
        let recommendation = Recommendation {
            outcome: Outcome::Award,
            feedback: Feedback::default(),
            notes: "for the moderator".into(),
            judgements: Vec::new(),
        };
        let mut recommend = step(
            id,
            ReviewState::Resubmitted,
            ReviewState::Recommended,
            EventKind::Recommended,
        );
        recommend.changes.recommendation = Some(Some(recommendation.clone()));
        let after = f.meta.transition(recommend).await.unwrap().unwrap();
        assert_eq!(after.recommendation, Some(recommendation));

        let award = AwardRecord {
            verification_code: "WM-ABCD-EFGH".into(),
            submission: id,
            award: "quality-mark".into(),
            title: "Computing Quality Mark".into(),
            awarded_on: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2029, 4, 1).unwrap(),
        };
        let mut confirm = step(
            id,
            ReviewState::Recommended,
            ReviewState::Awarded,
            EventKind::Awarded {
                award: award.clone(),
                feedback: Feedback::default(),
            },
        );
        confirm.changes.award = Some(award.clone());
        confirm.changes.feedback = Some(Feedback::default());
        confirm.changes.recommendation = Some(None);
        let after = f.meta.transition(confirm).await.unwrap().unwrap();
        assert_eq!(after.award_record, Some(award.clone()));
        assert_eq!(after.recommendation, None);
        let stored = f.meta.award_by_code("WM-ABCD-EFGH").await.unwrap().unwrap();
        assert_eq!(stored.record, award);
        assert_eq!(stored.framework, framework());
        assert_eq!(stored.institution, f.school);
        assert!(f.meta.award_by_code("WM-NONE").await.unwrap().is_none());
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            f.meta
                .awards_expiring(d(2029, 1, 1), d(2029, 4, 1))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            f.meta
                .awards_expiring(d(2029, 4, 2), d(2030, 1, 1))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            f.meta
                .awards_expiring(d(2028, 1, 1), d(2029, 3, 31))
                .await
                .unwrap()
                .is_empty()
        );

        // Every change is an event, in order, with the state after it.
        let events = f.meta.events(id, 0).await.unwrap();
        let states: Vec<_> = events.iter().map(|e| e.state).collect();
        assert_eq!(
            states,
            [
                ReviewState::Received,
                ReviewState::UnderReview,
                ReviewState::MoreEvidenceRequested,
                ReviewState::Resubmitted,
                ReviewState::Recommended,
                ReviewState::Awarded
            ]
        );
        assert!(events.windows(2).all(|w| w[0].sequence < w[1].sequence));
        assert_eq!(
            f.meta.submission(id).await.unwrap().unwrap().last_event,
            events.last().unwrap().sequence
        );
    }
}
