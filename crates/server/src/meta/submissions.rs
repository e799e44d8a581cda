//! Submissions, their envelopes and receipts, the review's events, and awards.
//!
//! Every change to a submission's review goes through [`SubmissionStore::transition`], a
//! compare-and-set on the state: two requests (or two server instances) racing to move the same
//! submission cannot both succeed, and every change is recorded as an [`Event`] in the same
//! transaction. Events and receipts take their order from the store's own sequence, not from
//! any machine's clock.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use waymark_protocol::api::{Recommendation, SubmissionSummary};
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::ids::FrameworkRef;
use waymark_protocol::receipt::Receipt;
use waymark_protocol::review::{
    Actor, AwardRecord, Event, EventKind, EvidenceRequest, Feedback, ReviewState,
};
use waymark_protocol::signed::Signed;
use waymark_protocol::{AssessorId, InstitutionId, Sha256, SubmissionId};

use super::MetaResult;

/// A submission as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionRecord {
    /// Its id.
    pub id: SubmissionId,
    /// Who applied.
    pub institution: InstitutionId,
    /// The framework.
    pub framework: FrameworkRef,
    /// The award applied for.
    pub award: String,
    /// Where the review stands.
    pub state: ReviewState,
    /// When the first envelope arrived.
    pub received_at: DateTime<Utc>,
    /// When anything last changed.
    pub updated_at: DateTime<Utc>,
    /// Due date, once assigned.
    pub review_due: Option<NaiveDate>,
    /// The assessor, once assigned.
    pub assessor: Option<AssessorId>,
    /// The moderator, once assigned.
    pub moderator: Option<AssessorId>,
    /// The open request for more evidence.
    pub request: Option<EvidenceRequest>,
    /// The assessor's recommendation, while it stands.
    pub recommendation: Option<Recommendation>,
    /// Feedback, once decided.
    pub feedback: Option<Feedback>,
    /// The award, once made.
    pub award_record: Option<AwardRecord>,
    /// Envelopes so far.
    pub versions: u32,
    /// The sequence of the newest event (for `If-None-Match` / `since`).
    pub last_event: u64,
}

impl SubmissionRecord {
    /// The record as a list shows it, with its institution's name (looked up by the caller).
    pub fn summary(&self, institution_name: String) -> SubmissionSummary {
        SubmissionSummary {
            id: self.id,
            institution: self.institution,
            institution_name,
            framework: self.framework.clone(),
            award: self.award.clone(),
            state: self.state,
            received_at: self.received_at,
            updated_at: self.updated_at,
            review_due: self.review_due,
            versions: self.versions,
        }
    }
}

/// One envelope of a submission, with the receipt the server gave for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeRecord {
    /// The submission.
    pub submission: SubmissionId,
    /// 1, 2, …
    pub version: u32,
    /// SHA-256 of the signed body.
    pub sha256: Sha256,
    /// The envelope as the school signed it.
    pub signed: Signed,
    /// The blobs it lists (manifest first).
    pub blobs: Vec<BlobRef>,
    /// The receipt.
    pub receipt: Signed,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// Signs a receipt (the store calls it inside the commit transaction, once the submission id,
/// version and sequence are known).
pub type ReceiptSigner = Arc<dyn Fn(&Receipt) -> Signed + Send + Sync>;

/// An envelope to commit; the signature and the blobs have been checked by the caller.
#[derive(Clone)]
pub struct NewEnvelope {
    /// The institution (whose key verified the signature).
    pub institution: InstitutionId,
    /// SHA-256 of the signed body (the idempotency key).
    pub sha256: Sha256,
    /// The signed envelope.
    pub signed: Signed,
    /// Its framework.
    pub framework: FrameworkRef,
    /// Its award.
    pub award: String,
    /// The submission it answers, for a re-submission.
    pub responds_to: Option<SubmissionId>,
    /// Its blobs (manifest first).
    pub blobs: Vec<BlobRef>,
    /// Now.
    pub received_at: DateTime<Utc>,
    /// Signs the receipt.
    pub sign: ReceiptSigner,
}

/// What a commit did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    /// A new submission, or a new version of one.
    Created(EnvelopeRecord),
    /// This envelope was committed before: its receipt again, nothing recorded.
    Existing(EnvelopeRecord),
    /// Refused: the submission answered does not exist for this institution.
    UnknownSubmission,
    /// Refused: the submission answered is not waiting for more evidence (its state given).
    NotAwaitingEvidence(ReviewState),
    /// Refused: a re-submission must keep the framework and award of its submission.
    DifferentAward,
}

/// What a transition changes besides the state (each `Some` is written).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewChanges {
    /// New assessor.
    pub assessor: Option<AssessorId>,
    /// New moderator.
    pub moderator: Option<AssessorId>,
    /// New due date.
    pub review_due: Option<NaiveDate>,
    /// Set (`Some(Some)`) or clear (`Some(None)`) the open request.
    pub request: Option<Option<EvidenceRequest>>,
    /// Set or clear the recommendation.
    pub recommendation: Option<Option<Recommendation>>,
    /// Set the feedback.
    pub feedback: Option<Feedback>,
    /// Record an award (also in the awards table, by verification code).
    pub award: Option<AwardRecord>,
}

/// A review step to record: moves `submission` from `from` to `to` only if it is still in
/// `from`, applies `changes` and appends the event, all at once.
#[derive(Clone, Debug)]
pub struct Transition {
    /// The submission.
    pub submission: SubmissionId,
    /// The state it must be in.
    pub from: ReviewState,
    /// The state after.
    pub to: ReviewState,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What happened (the event's kind).
    pub kind: EventKind,
    /// What else changes.
    pub changes: ReviewChanges,
}

/// An award with what its public page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAward {
    /// The award.
    pub record: AwardRecord,
    /// The institution.
    pub institution: InstitutionId,
    /// The framework.
    pub framework: FrameworkRef,
}

/// Submissions and their review.
#[async_trait]
pub trait SubmissionStore: Send + Sync {
    /// Records an envelope atomically: idempotent on its SHA-256 (the same envelope again
    /// returns the first receipt); a new submission in `received`, or for a re-submission a
    /// new version moving `more_evidence_requested` → `resubmitted` (clearing the request). The
    /// receipt is signed inside the transaction and stored durably, with the `received` event.
    async fn commit_envelope(&self, new: NewEnvelope) -> MetaResult<CommitOutcome>;

    /// One submission.
    async fn submission(&self, id: SubmissionId) -> MetaResult<Option<SubmissionRecord>>;
    /// An institution's submissions, newest first.
    async fn submissions_of(&self, institution: InstitutionId)
    -> MetaResult<Vec<SubmissionRecord>>;
    /// Every submission, newest first, optionally only those in `state`.
    async fn all_submissions(
        &self,
        state: Option<ReviewState>,
    ) -> MetaResult<Vec<SubmissionRecord>>;
    /// Submissions where this assessor is the assessor or the moderator.
    async fn assignments(&self, assessor: AssessorId) -> MetaResult<Vec<SubmissionRecord>>;
    /// A submission's envelopes, oldest first.
    async fn envelopes(&self, submission: SubmissionId) -> MetaResult<Vec<EnvelopeRecord>>;
    /// A submission's events after `since`, oldest first.
    async fn events(&self, submission: SubmissionId, since: u64) -> MetaResult<Vec<Event>>;

    /// Applies a review step (compare-and-set on the state). `Err(actual)` when the submission
    /// was no longer in `from` (nothing written); `Ok` with the record after. A submission
    /// that does not exist is a [`MetaError::Internal`](super::MetaError) (callers load it
    /// first, to check who may take the step).
    async fn transition(
        &self,
        step: Transition,
    ) -> MetaResult<Result<SubmissionRecord, ReviewState>>;

    /// An award by its public verification code.
    async fn award_by_code(&self, code: &str) -> MetaResult<Option<StoredAward>>;
    /// Awards expiring on or before `before` (and not yet expired before `from`), soonest first.
    async fn awards_expiring(
        &self,
        from: NaiveDate,
        before: NaiveDate,
    ) -> MetaResult<Vec<StoredAward>>;
}
