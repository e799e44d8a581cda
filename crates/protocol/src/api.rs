//! Request and response bodies of the HTTP API (`/v1/...`). The endpoint's OpenAPI document
//! (`docs/openapi.json`) is generated from these types and the server's handlers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::crypt::Recipient;
use crate::envelope::BlobRef;
use crate::ids::FrameworkRef;
use crate::keys::SignedKeySet;
use crate::review::{AwardRecord, Event, EvidenceRequest, Feedback, Outcome, ReviewState, Role};
use crate::signed::{PublicKey, Signed};
use crate::{AssessorId, InstitutionId, Sha256, SubmissionId};

/// `GET /health` and `GET /ready`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` (health), `ready` or `not_ready` (readiness).
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// `GET /v1/key-sets`: every key set, oldest first, for [`crate::keys::verify_chain`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeySets {
    /// The chain.
    pub key_sets: Vec<SignedKeySet>,
}

/// `POST /v1/enrollments/redeem`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RedeemRequest {
    /// The secret part of the enrollment code (never the whole code: the rest stays local).
    pub secret: String,
    /// An institution's Ed25519 public key (its envelopes are checked against it).
    pub public_key: Option<PublicKey>,
    /// An assessor's age recipient (added to the key set so they can decrypt).
    pub age_recipient: Option<Recipient>,
    /// A name for the device or installation (shown in the awarding body's records).
    pub device: Option<String>,
}

/// The answer to a redeemed code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RedeemResponse {
    /// The account the token belongs to.
    pub account: Account,
    /// The bearer token: shown once, kept by the client in the OS keychain.
    pub token: String,
    /// The key set chain (the client checks it against the fingerprint in the code).
    pub key_sets: Vec<SignedKeySet>,
}

/// Who a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Account {
    /// A school or college.
    Institution(InstitutionInfo),
    /// An assessor or moderator.
    Assessor(AssessorInfo),
}

/// An institution as the awarding body registered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InstitutionInfo {
    /// Its id.
    pub id: InstitutionId,
    /// Its name.
    pub name: String,
    /// Its public identifier (a URN).
    pub identifier: String,
    /// Its registered signing key, once enrolled.
    pub public_key: Option<PublicKey>,
}

/// An assessor account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessorInfo {
    /// Its id.
    pub id: AssessorId,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their registered age recipient, once enrolled.
    pub age_recipient: Option<Recipient>,
}

/// `POST /v1/blobs/held`: which of these blobs does the server already hold for me?
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeldRequest {
    /// Ciphertext hashes (at most 20,000).
    pub sha256: Vec<Sha256>,
}

/// The blobs held, a subset of those asked about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeldResponse {
    /// Those the server holds for this institution, verified.
    pub held: Vec<BlobRef>,
}

/// `POST /v1/submissions`: commit a signed envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitRequest {
    /// The envelope, signed by the institution's key.
    pub envelope: Signed,
}

/// The answer to a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitResponse {
    /// The submission.
    pub submission: SubmissionId,
    /// The signed receipt (the same one again when the envelope was already committed).
    pub receipt: Signed,
    /// False when this envelope had been committed before (nothing new was recorded).
    pub created: bool,
}

/// One submission in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmissionSummary {
    /// Its id.
    pub id: SubmissionId,
    /// The institution.
    pub institution: InstitutionId,
    /// The institution's name.
    pub institution_name: String,
    /// The framework.
    pub framework: FrameworkRef,
    /// The award applied for.
    pub award: String,
    /// Where the review stands.
    pub state: ReviewState,
    /// When the first envelope arrived.
    pub received_at: DateTime<Utc>,
    /// When anything last happened.
    pub updated_at: DateTime<Utc>,
    /// When the review is due (once assigned).
    pub review_due: Option<NaiveDate>,
    /// How many envelopes (1 + re-submissions).
    pub versions: u32,
}

/// `GET /v1/submissions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmissionList {
    /// Newest first.
    pub submissions: Vec<SubmissionSummary>,
}

/// `GET /v1/submissions/{id}`: everything the school may know about its submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmissionStatus {
    /// The summary.
    pub summary: SubmissionSummary,
    /// The open request for more evidence, if any.
    pub request: Option<EvidenceRequest>,
    /// The feedback, once decided.
    pub feedback: Option<Feedback>,
    /// The award, once made.
    pub award: Option<AwardRecord>,
    /// Every receipt, one per envelope, oldest first.
    pub receipts: Vec<Signed>,
    /// The last event's sequence (use as `since`).
    pub last_event: u64,
}

/// `GET /v1/submissions/{id}/events?since=N`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventList {
    /// Events after `since`, oldest first.
    pub events: Vec<Event>,
}

/// An assessor's view of an assigned submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assignment {
    /// The submission.
    pub summary: SubmissionSummary,
    /// This assessor's role on it.
    pub role: Role,
    /// The other person's id (the moderator for an assessor, and the other way round).
    pub other: Option<AssessorId>,
}

/// `GET /v1/assessor/assignments`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignmentList {
    /// Assigned and not finished, due soonest first; finished ones after.
    pub assignments: Vec<Assignment>,
}

/// `GET /v1/assessor/submissions/{id}`: what the assessor's tool needs to fetch, verify and
/// decrypt a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessorSubmission {
    /// The assignment.
    pub assignment: Assignment,
    /// The institution's registered key (envelopes verify against it).
    pub institution_key: PublicKey,
    /// The institution's name and identifier as registered.
    pub institution: InstitutionInfo,
    /// Every envelope, oldest first; the last is current.
    pub envelopes: Vec<Signed>,
    /// The assessor's recommendation (for the moderator, and for the assessor after).
    pub recommendation: Option<Recommendation>,
    /// The review's events.
    pub events: Vec<Event>,
}

/// `POST /v1/assessor/submissions/{id}/recommend`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recommendation {
    /// Award, or not yet.
    pub outcome: Outcome,
    /// The feedback to the school.
    pub feedback: Feedback,
    /// Notes for the moderator (not shown to the school).
    pub notes: String,
    /// The assessor's judgement of benchmarks, for the moderator (not shown to the school).
    /// Absent from recommendations made before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judgements: Vec<BenchmarkJudgement>,
}

/// The assessor's judgement of one benchmark's level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BenchmarkJudgement {
    /// The benchmark's id.
    pub benchmark: String,
    /// The assessor agrees with the school's level.
    pub agreed: bool,
    /// The level the assessor judges instead (when not agreeing, on a framework with levels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// The assessor's note.
    #[serde(default)]
    pub note: String,
}

/// `POST /v1/assessor/submissions/{id}/moderate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Moderation {
    /// The recommendation stands: the award is made or not made.
    Confirm,
    /// Back to the assessor, with the reason.
    SendBack {
        /// Why.
        reason: String,
    },
}

/// `POST /v1/assessor/links`: an assessor declares a link to an institution; they can never be
/// assigned to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LinkDeclaration {
    /// The institution.
    pub institution: InstitutionId,
    /// What the link is (e.g. "contributed to the self-review", "governor since 2024").
    pub reason: String,
}

/// `POST /v1/admin/institutions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewInstitution {
    /// Its name.
    pub name: String,
    /// Its public identifier, a URN (e.g. `urn:schoolid:uk:123456`).
    pub identifier: String,
}

/// `POST /v1/admin/assessors`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewAssessor {
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
}

/// A one-time code issued for an account: give it out of band.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IssuedCode {
    /// The account.
    pub account: Account,
    /// The whole code (`wm1:…`), shown once.
    pub code: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// `POST /v1/admin/submissions/{id}/assign`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignRequest {
    /// The assessor.
    pub assessor: AssessorId,
    /// The moderator (a different assessor).
    pub moderator: AssessorId,
}

/// One award due for renewal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExpiringAward {
    /// The institution.
    pub institution: InstitutionInfo,
    /// The award.
    pub award: AwardRecord,
}

/// `GET /v1/admin/awards/expiring?within_days=N`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExpiringAwards {
    /// Soonest first.
    pub awards: Vec<ExpiringAward>,
}

/// `GET /v1/awards/{code}`: what anyone may know about an award (no sign-in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicAward {
    /// The institution's name.
    pub institution: String,
    /// The mark's title.
    pub award: String,
    /// The framework's title.
    pub framework: String,
    /// The awarding body.
    pub awarding_body: String,
    /// The day it was made.
    pub awarded_on: NaiveDate,
    /// The day it expires.
    pub expires_on: NaiveDate,
    /// Whether it is current today.
    pub current: bool,
}

/// `POST /v1/school/erasure` and `POST /v1/admin/institutions/{id}/erasure`: the signed
/// confirmation of an institution's erasure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErasureResponse {
    /// A [`crate::erasure::ErasureConfirmation`] signed by the endpoint's key (purpose
    /// `waymark/erasure/1`): keep it as proof; verify it with
    /// [`crate::erasure::verify_erasure`].
    pub confirmation: Signed,
    /// False when the institution had been erased before: the first confirmation again.
    pub created: bool,
}

/// The version of [`InstitutionProfile`] this build writes and reads.
pub const PROFILE_FORMAT: u32 = 1;

/// `PUT /v1/school/profile`: the institution's own statement of its details and working group,
/// as the school's app holds them; the endpoint keeps the current one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InstitutionProfile {
    /// [`PROFILE_FORMAT`].
    pub format: u32,
    /// The name as it should appear on certificates (1 to 200 characters).
    pub name: String,
    /// A reference number such as a URN or UKPRN (letters, digits, `-` and `/`; at most 32).
    pub identifier: Option<String>,
    /// The phase of education.
    pub phase: Option<Phase>,
    /// Who to contact about the review.
    pub contact_name: Option<String>,
    /// Their email.
    pub email: Option<String>,
    /// Their role.
    pub role: Option<String>,
    /// The working group: the people who contribute to the self-review (at most 200).
    pub working_group: Vec<WorkingGroupMember>,
}

/// The phase of education.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Primary school.
    Primary,
    /// Secondary school.
    Secondary,
    /// All-through school.
    AllThrough,
    /// Special school.
    Special,
    /// Further education college.
    FurtherEducation,
    /// University or other higher education.
    HigherEducation,
    /// Anything else.
    Other,
}

/// A member of the working group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkingGroupMember {
    /// Their name (1 to 200 characters).
    pub name: String,
    /// Their role ("Computing lead").
    pub role: Option<String>,
    /// Their email.
    pub email: Option<String>,
}

/// The profile the endpoint holds for an institution (`GET /v1/school/profile`, the answer to
/// `PUT`, and what an assigned assessor or the administrator reads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProfileRecord {
    /// The institution.
    pub institution: InstitutionId,
    /// The profile as stored (trimmed; empty optional texts as `null`).
    pub profile: InstitutionProfile,
    /// 1 for the first profile sent, one more at each correction that changed something.
    pub version: u32,
    /// When the current version was recorded (the endpoint's clock).
    pub corrected_at: DateTime<Utc>,
    /// The fields this request changed (`name`, `email`, `working_group`, …); empty when it
    /// changed nothing (a repeated request), and then no event was recorded.
    pub changed: Vec<String>,
    /// The open submissions whose events now hold a `profile_corrected` event (the assessor
    /// sees it there); empty when nothing changed or no review is open.
    pub recorded_in: Vec<SubmissionId>,
}

/// The body of a `422 invalid_profile`: an [`crate::ApiError`] with every problem, each naming
/// its field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProfileProblems {
    /// `invalid_profile`.
    pub code: crate::ApiErrorCode,
    /// For people.
    pub message: String,
    /// Every problem found, in the order of the fields.
    pub problems: Vec<FieldProblem>,
}

/// One field's problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field: `name`, `identifier`, `contact_name`, `email`, `role`, `format`,
    /// `working_group`, or `working_group[2].email` for a member's.
    pub field: String,
    /// Stable; clients decide on this.
    pub code: FieldProblemCode,
    /// For people: what is wrong and how to fix it.
    pub message: String,
}

/// What is wrong with a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblemCode {
    /// Empty, but required.
    Required,
    /// Longer than allowed.
    TooLong,
    /// More items than allowed.
    TooMany,
    /// Holds control characters.
    ControlCharacters,
    /// Not an email address.
    NotAnEmail,
    /// Not a reference number.
    NotAnIdentifier,
    /// A `format` this endpoint does not read.
    UnsupportedFormat,
}
