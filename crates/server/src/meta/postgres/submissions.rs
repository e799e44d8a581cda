//! [`SubmissionStore`] on PostgreSQL: the same rows as SQLite's (`sql/0003_submissions.sql`),
//! in native types.
//!
//! A submission's row holds where its review stands; its envelopes (with their receipts), its
//! events and its award are rows of their own. `versions` and `last_event` are not stored: they
//! are the count of its envelopes and the highest sequence of its events, read in the same
//! statement (one snapshot) as the row, so they can never disagree with the rows.
//!
//! Several instances write at once, so every change to a submission first holds its row lock
//! (a `FOR UPDATE`, or the compare-and-set `UPDATE` itself) and keeps it until commit: the
//! checks made under it (the state is still `from`, the envelope count) cannot be raced, and
//! the event sequence taken under it orders one submission's events by commit. Two commits of
//! the same envelope queue on an advisory lock keyed on its hash.
//!
//! Times are truncated to microseconds (what TIMESTAMPTZ keeps) before anything is recorded or
//! signed, so what a call returns is what a later read returns, and a receipt's `received_at`
//! is its envelope's.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, SubsecRound as _, Utc};
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{GenericClient, IsolationLevel, Row, Transaction};
use uuid::Uuid;
use waymark_protocol::api::Recommendation;
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::receipt::{RECEIPT_FORMAT, Receipt};
use waymark_protocol::review::{
    Actor, AwardRecord, Event, EventKind, EvidenceRequest, Feedback, ReviewState, Role,
};
use waymark_protocol::{AssessorId, InstitutionId, Sha256, SubmissionId};

use super::{PgMeta, TxError, TxResult, pg_error};
use crate::meta::codec::{
    bad, enum_text, from_json, opt_json, parse_enum, parse_state, to_json, to_u32, to_u64,
};
use crate::meta::submissions::{
    CommitOutcome, EnvelopeRecord, NewEnvelope, StoredAward, SubmissionRecord, Transition,
};
use crate::meta::{MetaError, MetaResult, SubmissionStore};

/// Column `index` of `row`, typed (a type the schema does not give is a corrupt store).
pub(super) fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> MetaResult<T> {
    row.try_get(index).map_err(|e| bad("value", e))
}

/// A time as TIMESTAMPTZ keeps it (microseconds; the driver truncates, so must we).
pub(super) fn stored_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// A body's error as the store's (outside [`PgMeta::transaction`], nothing is retried).
fn outcome<T>(result: TxResult<T>) -> MetaResult<T> {
    result.map_err(|e| match e {
        TxError::Pg(e) => pg_error(&e),
        TxError::Meta(e) => e,
    })
}

// ---------------------------------------------------------------------------------------------
// Submissions

/// The columns [`to_submission`] reads, in order, over `submissions s LEFT JOIN awards a`.
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

/// Newest first; ids are UUID v7 (compared as bytes, as SQLite compares their text), so they
/// break ties in time order too.
const NEWEST_FIRST: &str = "ORDER BY s.received_at DESC, s.id DESC";

fn to_submission(r: &Row) -> MetaResult<SubmissionRecord> {
    Ok(SubmissionRecord {
        id: SubmissionId(get(r, 0)?),
        institution: InstitutionId(get(r, 1)?),
        framework: FrameworkRef {
            id: get(r, 2)?,
            version: get(r, 3)?,
        },
        award: get(r, 4)?,
        state: parse_state(get(r, 5)?)?,
        received_at: get(r, 6)?,
        updated_at: get(r, 7)?,
        review_due: get(r, 8)?,
        assessor: get::<Option<Uuid>>(r, 9)?.map(AssessorId),
        moderator: get::<Option<Uuid>>(r, 10)?.map(AssessorId),
        request: opt_json::<EvidenceRequest>("evidence request", get(r, 11)?)?,
        recommendation: opt_json::<Recommendation>("recommendation", get(r, 12)?)?,
        feedback: opt_json::<Feedback>("feedback", get(r, 13)?)?,
        award_record: opt_json::<AwardRecord>("award", get(r, 14)?)?,
        versions: to_u32("version count", get(r, 15)?)?,
        last_event: to_u64("event sequence", get(r, 16)?)?,
    })
}

async fn load_submission<C: GenericClient>(
    c: &C,
    id: SubmissionId,
) -> TxResult<Option<SubmissionRecord>> {
    let row = c
        .query_opt(&select_submissions("WHERE s.id = $1"), &[&id.0])
        .await?;
    Ok(row.as_ref().map(to_submission).transpose()?)
}

async fn load_submissions<C: GenericClient>(
    c: &C,
    filter: &str,
    params: &[&(dyn ToSql + Sync)],
) -> TxResult<Vec<SubmissionRecord>> {
    let rows = c.query(&select_submissions(filter), params).await?;
    Ok(rows.iter().map(to_submission).collect::<MetaResult<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Envelopes

const ENVELOPE_COLUMNS: &str =
    "e.submission, e.version, e.sha256, e.signed, e.blobs, e.receipt, e.received_at";

fn to_envelope(r: &Row) -> MetaResult<EnvelopeRecord> {
    Ok(EnvelopeRecord {
        submission: SubmissionId(get(r, 0)?),
        version: to_u32("envelope version", get(r, 1)?)?,
        sha256: get::<String>(r, 2)?
            .parse::<Sha256>()
            .map_err(|e| bad("envelope hash", e))?,
        signed: from_json("envelope", get(r, 3)?)?,
        blobs: from_json("blob list", get(r, 4)?)?,
        receipt: from_json("receipt", get(r, 5)?)?,
        received_at: get(r, 6)?,
    })
}

/// The envelope with this hash (hex) and the institution of its submission.
async fn envelope_by_hash(
    tx: &Transaction<'_>,
    sha256: &str,
) -> TxResult<Option<(EnvelopeRecord, InstitutionId)>> {
    let row = tx
        .query_opt(
            &format!(
                "SELECT {ENVELOPE_COLUMNS}, s.institution \
                 FROM envelopes e JOIN submissions s ON s.id = e.submission WHERE e.sha256 = $1"
            ),
            &[&sha256],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some((to_envelope(&row)?, InstitutionId(get(&row, 7)?))))
}

// ---------------------------------------------------------------------------------------------
// Events

/// Appends an event and returns its sequence (an identity: strictly increasing, never reused).
/// The caller holds the submission's row lock, so no other event of this submission can
/// commit between this one's number and its commit.
pub(super) async fn insert_event(
    tx: &Transaction<'_>,
    submission: SubmissionId,
    at: DateTime<Utc>,
    actor: &Actor,
    state: ReviewState,
    kind: &EventKind,
) -> TxResult<u64> {
    let role = enum_text(actor.role)?;
    let assessor = actor.assessor.map(|a| a.0);
    let kind = to_json("event", kind)?;
    let row = tx
        .query_one(
            "INSERT INTO events (submission, at, actor_role, actor_assessor, state, kind) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING sequence",
            &[&submission.0, &at, &role, &assessor, &state.as_str(), &kind],
        )
        .await?;
    Ok(to_u64("event sequence", get(&row, 0)?)?)
}

fn to_event(r: &Row) -> MetaResult<Event> {
    Ok(Event {
        sequence: to_u64("event sequence", get(r, 0)?)?,
        submission: SubmissionId(get(r, 1)?),
        at: get(r, 2)?,
        actor: Actor {
            role: parse_enum::<Role>("role", get(r, 3)?)?,
            assessor: get::<Option<Uuid>>(r, 4)?.map(AssessorId),
        },
        state: parse_state(get(r, 5)?)?,
        kind: from_json("event", get(r, 6)?)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Awards

const AWARD_SELECT: &str = "SELECT a.record, a.institution, s.framework_id, s.framework_version \
     FROM awards a JOIN submissions s ON s.id = a.submission";

fn to_award(r: &Row) -> MetaResult<StoredAward> {
    Ok(StoredAward {
        record: from_json("award", get(r, 0)?)?,
        institution: InstitutionId(get(r, 1)?),
        framework: FrameworkRef {
            id: get(r, 2)?,
            version: get(r, 3)?,
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Commit

/// Inside the commit transaction (READ COMMITTED: each statement reads what had committed when
/// it began, so once a lock below is held, what follows it sees the holder before us).
async fn commit(tx: &Transaction<'_>, new: &NewEnvelope) -> TxResult<CommitOutcome> {
    let sha256 = new.sha256.to_hex();
    // The same envelope on two instances: the second waits here for the first to commit, then
    // finds its row below (the UNIQUE on sha256 is the backstop). The prefix keeps this key
    // apart from other advisory locks; a collision only makes two commits take turns.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('waymark envelope ' || $1, 0))",
        &[&sha256],
    )
    .await?;
    if let Some((existing, institution)) = envelope_by_hash(tx, &sha256).await? {
        // The hash covers the signed body, which names the institution whose key verified it:
        // the same bytes from another institution cannot have passed the caller's checks.
        if institution != new.institution {
            return Err(MetaError::Conflict(format!(
                "envelope {} is recorded for another institution",
                new.sha256
            ))
            .into());
        }
        return Ok(CommitOutcome::Existing(existing));
    }
    let at = stored_time(new.received_at);
    let (submission, version, state) = match new.responds_to {
        None => {
            let id = SubmissionId::new();
            tx.execute(
                "INSERT INTO submissions (id, institution, framework_id, framework_version, award, \
                 state, received_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                &[
                    &id.0,
                    &new.institution.0,
                    &new.framework.id,
                    &new.framework.version,
                    &new.award,
                    &ReviewState::Received.as_str(),
                    &at,
                ],
            )
            .await?;
            (id, 1, ReviewState::Received)
        }
        Some(id) => {
            // Locked until commit: a transition or another envelope for this submission waits,
            // then sees this one's outcome.
            let found = tx
                .query_opt(
                    "SELECT institution, framework_id, framework_version, award, state \
                     FROM submissions WHERE id = $1 FOR UPDATE",
                    &[&id.0],
                )
                .await?;
            let Some(row) = found else {
                return Ok(CommitOutcome::UnknownSubmission);
            };
            if InstitutionId(get(&row, 0)?) != new.institution {
                return Ok(CommitOutcome::UnknownSubmission);
            }
            let state = parse_state(get(&row, 4)?)?;
            if state != ReviewState::MoreEvidenceRequested {
                return Ok(CommitOutcome::NotAwaitingEvidence(state));
            }
            let framework = FrameworkRef {
                id: get(&row, 1)?,
                version: get(&row, 2)?,
            };
            let award: String = get(&row, 3)?;
            if framework != new.framework || award != new.award {
                return Ok(CommitOutcome::DifferentAward);
            }
            let changed = tx
                .execute(
                    "UPDATE submissions SET state = $1, request = NULL, updated_at = $2 \
                     WHERE id = $3 AND state = $4",
                    &[
                        &ReviewState::Resubmitted.as_str(),
                        &at,
                        &id.0,
                        &ReviewState::MoreEvidenceRequested.as_str(),
                    ],
                )
                .await?;
            if changed != 1 {
                return Err(MetaError::Internal(format!(
                    "submission {id} changed inside its own transaction"
                ))
                .into());
            }
            // A statement of its own, after the lock: its snapshot has every envelope of this
            // submission (a subquery of the locking SELECT could read an older snapshot).
            let count = tx
                .query_one(
                    "SELECT COUNT(*) FROM envelopes WHERE submission = $1",
                    &[&id.0],
                )
                .await?;
            let version = to_u32("version count", get(&count, 0)?)? + 1;
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
    )
    .await?;
    // Only signs: when an attempt is retried, this receipt is dropped with it.
    let receipt = (new.sign)(&Receipt {
        format: RECEIPT_FORMAT,
        submission,
        version,
        institution: new.institution,
        envelope_sha256: new.sha256,
        received_at: at,
        sequence,
    });
    let signed = to_json("envelope", &new.signed)?;
    let blobs = to_json("blob list", &new.blobs)?;
    let receipt_text = to_json("receipt", &receipt)?;
    let sequence_value = i64::try_from(sequence).map_err(|e| MetaError::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO envelopes (submission, version, sha256, signed, blobs, receipt, received_at, \
         sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &submission.0,
            &i64::from(version),
            &sha256,
            &signed,
            &blobs,
            &receipt_text,
            &at,
            &sequence_value,
        ],
    )
    .await?;
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

/// The compare-and-set with every change at once: `$8`/`$10` say whether the request and the
/// recommendation are written (they may be cleared); the other changes are only ever set.
/// Returns the institution (for the award row) when the submission was still in `$4`.
const TRANSITION_UPDATE: &str = "UPDATE submissions SET state = $1, updated_at = $2, \
     assessor = COALESCE($5, assessor), moderator = COALESCE($6, moderator), \
     review_due = COALESCE($7, review_due), \
     request = CASE WHEN $8 THEN $9 ELSE request END, \
     recommendation = CASE WHEN $10 THEN $11 ELSE recommendation END, \
     feedback = COALESCE($12, feedback), award_code = COALESCE($13, award_code) \
     WHERE id = $3 AND state = $4 RETURNING institution";

/// Inside the transition transaction.
async fn transition(
    tx: &Transaction<'_>,
    step: &Transition,
) -> TxResult<Result<SubmissionRecord, ReviewState>> {
    let id = step.submission;
    let at = stored_time(step.at);
    let changes = &step.changes;
    let request = changes
        .request
        .as_ref()
        .map(|r| {
            r.as_ref()
                .map(|r| to_json("evidence request", r))
                .transpose()
        })
        .transpose()?;
    let recommendation = changes
        .recommendation
        .as_ref()
        .map(|r| r.as_ref().map(|r| to_json("recommendation", r)).transpose())
        .transpose()?;
    let feedback = changes
        .feedback
        .as_ref()
        .map(|f| to_json("feedback", f))
        .transpose()?;
    let assessor = changes.assessor.map(|a| a.0);
    let moderator = changes.moderator.map(|a| a.0);
    let award_code = changes.award.as_ref().map(|a| a.verification_code.as_str());
    let (set_request, request) = (request.is_some(), request.flatten());
    let (set_recommendation, recommendation) = (recommendation.is_some(), recommendation.flatten());
    let params: [&(dyn ToSql + Sync); 13] = [
        &step.to.as_str(),
        &at,
        &id.0,
        &step.from.as_str(),
        &assessor,
        &moderator,
        &changes.review_due,
        &set_request,
        &request,
        &set_recommendation,
        &recommendation,
        &feedback,
        &award_code,
    ];
    // Racing another instance, this waits for its commit and re-checks the state on the row
    // it committed: exactly one of two steps from the same state applies.
    let mut changed = tx.query_opt(TRANSITION_UPDATE, &params).await?;
    if changed.is_none() {
        // Not in `from`: say where it is, locked so that the answer holds until we return.
        let row = tx
            .query_opt(
                "SELECT state FROM submissions WHERE id = $1 FOR UPDATE",
                &[&id.0],
            )
            .await?;
        let Some(row) = row else {
            return Err(MetaError::Internal(format!(
                "a review step was recorded for submission {id}, which does not exist"
            ))
            .into());
        };
        let actual = parse_state(get(&row, 0)?)?;
        if actual != step.from {
            return Ok(Err(actual));
        }
        // Back in `from` since the update read it (the update saw another state committed
        // while a change back, a send-back say, was still open on another instance): locked by
        // us now, the step applies, as it would have just after that change.
        changed = tx.query_opt(TRANSITION_UPDATE, &params).await?;
    }
    let Some(changed) = changed else {
        return Err(MetaError::Internal(format!(
            "submission {id} changed inside its own transaction"
        ))
        .into());
    };
    if let Some(award) = &changes.award {
        let institution: Uuid = get(&changed, 0)?;
        let record = to_json("award", award)?;
        tx.execute(
            "INSERT INTO awards (verification_code, submission, institution, record, awarded_on, \
             expires_on) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &award.verification_code,
                &id.0,
                &institution,
                &record,
                &award.awarded_on,
                &award.expires_on,
            ],
        )
        .await?;
    }
    insert_event(tx, id, at, &step.actor, step.to, &step.kind).await?;
    let record = load_submission(tx, id).await?.ok_or_else(|| {
        MetaError::Internal(format!(
            "submission {id} vanished inside its own transaction"
        ))
    })?;
    Ok(Ok(record))
}

#[async_trait]
impl SubmissionStore for PgMeta {
    // READ COMMITTED: the advisory lock on the hash queues commits of one envelope (the later
    // reads the earlier's row), and a re-submission holds its submission's row lock to commit.
    async fn commit_envelope(&self, new: NewEnvelope) -> MetaResult<CommitOutcome> {
        let new = Arc::new(new);
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let new = Arc::clone(&new);
            Box::pin(async move { commit(tx, &new).await })
        })
        .await
    }

    // One statement: its snapshot gives the row, its envelope count and its newest event at once.
    // Prepared once per connection (`prepare_cached`): this is what every status poll asks,
    // and planning it again each time was most of PostgreSQL's work under the ingest bench.
    async fn submission(&self, id: SubmissionId) -> MetaResult<Option<SubmissionRecord>> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&select_submissions("WHERE s.id = $1"))
            .await?;
        let row = client.query_opt(&statement, &[&id.0]).await?;
        row.as_ref().map(to_submission).transpose()
    }

    // One statement (one snapshot), as above.
    async fn submissions_of(
        &self,
        institution: InstitutionId,
    ) -> MetaResult<Vec<SubmissionRecord>> {
        let client = self.client().await?;
        outcome(
            load_submissions(
                &**client,
                &format!("WHERE s.institution = $1 {NEWEST_FIRST}"),
                &[&institution.0],
            )
            .await,
        )
    }

    // One statement (one snapshot), as above.
    async fn all_submissions(
        &self,
        state: Option<ReviewState>,
    ) -> MetaResult<Vec<SubmissionRecord>> {
        let client = self.client().await?;
        outcome(match state {
            Some(state) => {
                load_submissions(
                    &**client,
                    &format!("WHERE s.state = $1 {NEWEST_FIRST}"),
                    &[&state.as_str()],
                )
                .await
            }
            None => load_submissions(&**client, NEWEST_FIRST, &[]).await,
        })
    }

    // One statement (one snapshot), as above.
    async fn assignments(&self, assessor: AssessorId) -> MetaResult<Vec<SubmissionRecord>> {
        let client = self.client().await?;
        outcome(
            load_submissions(
                &**client,
                "WHERE s.assessor = $1 OR s.moderator = $1 \
                 ORDER BY s.review_due IS NULL, s.review_due, s.received_at, s.id",
                &[&assessor.0],
            )
            .await,
        )
    }

    // One statement: envelopes are only ever added, each committed whole.
    async fn envelopes(&self, submission: SubmissionId) -> MetaResult<Vec<EnvelopeRecord>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ENVELOPE_COLUMNS} FROM envelopes e WHERE e.submission = $1 \
                     ORDER BY e.version"
                ),
                &[&submission.0],
            )
            .await?;
        rows.iter().map(to_envelope).collect()
    }

    // One statement: a submission's events commit in sequence order (each is numbered under
    // its row lock), so once one is visible every earlier one is, and `since` misses nothing.
    async fn events(&self, submission: SubmissionId, since: u64) -> MetaResult<Vec<Event>> {
        // Sequences start at 1; a `since` beyond i64 asks for nothing.
        let Ok(since) = i64::try_from(since) else {
            return Ok(Vec::new());
        };
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT sequence, submission, at, actor_role, actor_assessor, state, kind \
                 FROM events WHERE submission = $1 AND sequence > $2 ORDER BY sequence",
            )
            .await?;
        let rows = client.query(&statement, &[&submission.0, &since]).await?;
        rows.iter().map(to_event).collect()
    }

    // READ COMMITTED: the UPDATE … WHERE state = $from is re-checked on the row a racing
    // instance committed, and the row stays locked while the award and the event are written.
    async fn transition(
        &self,
        step: Transition,
    ) -> MetaResult<Result<SubmissionRecord, ReviewState>> {
        let step = Arc::new(step);
        self.transaction(IsolationLevel::ReadCommitted, move |tx| {
            let step = Arc::clone(&step);
            Box::pin(async move { transition(tx, &step).await })
        })
        .await
    }

    // One statement: an award row is written whole, with its submission's final state.
    async fn award_by_code(&self, code: &str) -> MetaResult<Option<StoredAward>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("{AWARD_SELECT} WHERE a.verification_code = $1"),
                &[&code],
            )
            .await?;
        row.as_ref().map(to_award).transpose()
    }

    // One statement, as above.
    async fn awards_expiring(
        &self,
        from: NaiveDate,
        before: NaiveDate,
    ) -> MetaResult<Vec<StoredAward>> {
        let client = self.client().await?;
        // COLLATE "C": codes in byte order, as SQLite orders them, whatever the database's locale.
        let rows = client
            .query(
                &format!(
                    "{AWARD_SELECT} WHERE a.expires_on >= $1 AND a.expires_on <= $2 \
                     ORDER BY a.expires_on, a.verification_code COLLATE \"C\""
                ),
                &[&from, &before],
            )
            .await?;
        rows.iter().map(to_award).collect()
    }
}
