//! What the submission screens show, as the shell decides it from the outbox and the endpoint's
//! last status: the UI formats these and derives nothing (which stage a submission is at, what
//! the award card offers, whether renewal is open).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use waymark_core::renewal::RenewalState;

/// The awarding body this data folder is enrolled with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Connection {
    /// The endpoint's address.
    pub endpoint: String,
    /// The awarding body's name, from its verified key set.
    pub awarding_body: String,
    /// The institution as the awarding body recorded it.
    pub institution_name: String,
    /// The institution's identifier there (e.g. its URN).
    pub identifier: String,
    /// The key-set fingerprint pinned, grouped for reading aloud.
    pub fingerprint: String,
    /// When this computer enrolled (RFC 3339).
    pub enrolled_at: String,
    /// Where the credentials are kept, in words.
    pub keychain: String,
    /// Why the credentials cannot be read now, if they cannot (the keychain locked or gone).
    pub credentials_problem: Option<String>,
}

/// An enrollment code, checked without spending it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CodeCheck {
    /// The endpoint the code names.
    pub endpoint: String,
    /// The awarding body's name, from the key set that matched the code's fingerprint.
    pub awarding_body: String,
    /// The fingerprint the code pins, grouped: compare it with the awarding body's letter.
    pub fingerprint: String,
    /// The connection this code would replace, if this computer is enrolled already.
    pub replaces: Option<String>,
}

/// What enrolling did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Enrolled {
    /// The connection now.
    pub connection: Connection,
    /// The connection it replaced, in words.
    pub replaced: Option<String>,
}

/// One evidence file in a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PreviewItem {
    /// The evidence item's id (for opening it).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file's name, without its folder.
    pub file_name: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
}

/// What applying (or re-submitting) would send, before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApplyPreview {
    /// The award applied for.
    pub award: String,
    /// Its title.
    pub award_title: String,
    /// The framework and version, in words.
    pub framework: String,
    /// The endpoint's submission this answers, for a re-submission.
    pub resubmission_of: Option<String>,
    /// Benchmarks with a response.
    pub benchmarks: u32,
    /// Evidence items sent.
    pub evidence_count: u32,
    /// Their total size in bytes.
    #[ts(type = "number")]
    pub evidence_bytes: u64,
    /// Bytes of evidence that will go over the network (the rest the awarding body holds).
    #[ts(type = "number")]
    pub bytes_to_send: u64,
    /// The evidence not sent before (all of it on a first application).
    pub new_evidence: Vec<PreviewItem>,
    /// Benchmarks whose response changed since the submission answered (re-submissions).
    pub changed_benchmarks: Vec<String>,
    /// The working group.
    pub contributors: Vec<String>,
    /// Planned future actions.
    pub actions: u32,
    /// Items flagged as showing pupils' personal data: each must be confirmed.
    pub personal_data: Vec<PreviewItem>,
    /// Whether this computer is enrolled (without it, applying asks for a code first).
    pub enrolled: bool,
}

/// Which part of applying is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ApplyStage {
    /// Copying evidence into the vault so what is sent is what was reviewed.
    Freezing,
    /// Encrypting the evidence and the manifest to the awarding body.
    Encrypting,
}

/// How far applying has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ApplyProgress {
    /// The part running.
    pub stage: ApplyStage,
    /// Bytes done (0 of 0 while the total is not known).
    #[ts(type = "number")]
    pub done: u64,
    /// Bytes in all.
    #[ts(type = "number")]
    pub total: u64,
}

/// What applying did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Applied {
    /// The outbox entry.
    pub submission_id: String,
    /// Blobs encrypted now.
    pub sealed: u32,
    /// Blobs reused from earlier submissions.
    pub reused: u32,
    /// What happens next, in words.
    pub message: String,
}

/// What the background delivery is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Nothing to send.
    Idle,
    /// Sending now.
    Sending,
    /// No network (or the endpoint cannot be reached): it is sent once there is.
    Offline,
    /// Waiting after a failure someone may need to act on (a proxy, a certificate).
    Waiting,
    /// Something is queued but this computer is not enrolled (or its credentials are gone).
    NeedsEnrollment,
    /// Network activity is paused on the Privacy screen (the right to restriction): nothing
    /// is sent or checked until it is resumed.
    Paused,
}

/// The background delivery, for the progress bar and the quiet indicator.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Delivery {
    /// What it is doing.
    pub state: DeliveryState,
    /// The submission being sent or waiting (outbox id).
    pub submission_id: Option<String>,
    /// Bytes the endpoint has of it.
    #[ts(type = "number")]
    pub bytes_done: u64,
    /// Bytes in all.
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// Files the endpoint holds whole.
    pub files_done: u32,
    /// Files in all.
    pub files_total: u32,
    /// Recent speed, once measured.
    #[ts(type = "number | null")]
    pub bytes_per_second: Option<u64>,
    /// Time left at that speed.
    #[ts(type = "number | null")]
    pub seconds_left: Option<u64>,
    /// What is happening and what to do, in plain words.
    pub message: Option<String>,
    /// When it is tried again (RFC 3339).
    pub next_attempt_at: Option<String>,
    /// Submissions waiting to be sent.
    pub queued: u32,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            state: DeliveryState::Idle,
            submission_id: None,
            bytes_done: 0,
            bytes_total: 0,
            files_done: 0,
            files_total: 0,
            bytes_per_second: None,
            seconds_left: None,
            message: None,
            next_attempt_at: None,
            queued: 0,
        }
    }
}

/// Where a submission stands, from queued on this computer to the awarding body's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Packaged and waiting to be sent.
    Queued,
    /// Being sent (or part sent, waiting for the network).
    Uploading,
    /// The awarding body received it (a signed receipt is kept).
    Received,
    /// Assigned to an assessor, to be reviewed by a date.
    UnderReview,
    /// The assessor asked for more evidence.
    MoreEvidenceRequested,
    /// The school answered with a re-submission.
    Resubmitted,
    /// The assessor recommended an outcome; a moderator confirms it.
    Recommended,
    /// The award was made.
    Awarded,
    /// The award was not made this time.
    NotAwarded,
    /// The endpoint refused it for good.
    Refused,
}

/// Done, happening now, or still to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Passed.
    Done,
    /// Where it is now.
    Current,
    /// Still to come.
    Upcoming,
}

/// One step of a submission's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TimelineStep {
    /// The step.
    pub stage: Stage,
    /// Its name in words.
    pub label: String,
    /// Passed, now, or to come.
    pub state: StepState,
    /// When it happened (RFC 3339 or a date), when known.
    pub at: Option<String>,
    /// A line of detail (the review's due date, the award's expiry).
    pub detail: Option<String>,
}

/// One benchmark an assessor asked more evidence for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RequestedBenchmark {
    /// The benchmark.
    pub benchmark_id: String,
    /// Its title (the id when the framework no longer has it).
    pub benchmark_title: String,
    /// What the assessor asked for.
    pub message: String,
    /// The request's overall message.
    pub request: String,
    /// The submission asked about (the endpoint's id).
    pub submission: String,
}

/// The assessor's request for more evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RequestView {
    /// The overall message.
    pub message: String,
    /// Each benchmark concerned.
    pub benchmarks: Vec<RequestedBenchmark>,
}

/// The awarding body's feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FeedbackView {
    /// Strengths.
    pub strengths: String,
    /// Areas for development.
    pub areas_for_development: String,
    /// Areas of enhanced or exceptional practice (frameworks without levels).
    pub enhanced_practice: Option<String>,
}

/// An award made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AwardView {
    /// The award's id in the framework.
    pub award: String,
    /// Its title.
    pub title: String,
    /// The public verification code.
    pub verification_code: String,
    /// Where anyone can check it.
    pub verification_url: String,
    /// The day it was made.
    pub awarded_on: String,
    /// The day it expires.
    pub expires_on: String,
    /// Days until it expires (negative once expired).
    #[ts(type = "number")]
    pub days_left: i64,
}

/// One envelope sent for a submission (the first, then each re-submission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VersionView {
    /// The outbox entry.
    pub id: String,
    /// When it was queued (RFC 3339).
    pub queued_at: String,
    /// When the awarding body received it.
    pub sent_at: Option<String>,
    /// Whether its signed receipt is kept.
    pub has_receipt: bool,
    /// Bytes of evidence put on the network for it.
    #[ts(type = "number")]
    pub bytes_sent: u64,
    /// Why the last try failed or why it was refused.
    pub last_error: Option<String>,
}

/// One submission (with its re-submissions), as the Submissions screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SubmissionView {
    /// The newest outbox entry of it (for its receipt).
    pub id: String,
    /// The endpoint's id, once received.
    pub server_id: Option<String>,
    /// The review it submits.
    pub review_id: String,
    /// The award applied for.
    pub award: String,
    /// Its title.
    pub award_title: String,
    /// Framework and version, in words.
    pub framework: String,
    /// Where it stands.
    pub stage: Stage,
    /// That in words.
    pub stage_label: String,
    /// Every step, passed and to come.
    pub timeline: Vec<TimelineStep>,
    /// When the review is due.
    pub review_due: Option<String>,
    /// The open request for more evidence.
    pub request: Option<RequestView>,
    /// The feedback, once decided.
    pub feedback: Option<FeedbackView>,
    /// The award, once made.
    pub award_record: Option<AwardView>,
    /// Each envelope, oldest first.
    pub versions: Vec<VersionView>,
    /// Whether the lead can answer with a re-submission now.
    pub can_resubmit: bool,
    /// When the status was last checked with the awarding body.
    pub checked_at: Option<String>,
}

/// What a mark's card on the dashboard offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    /// Eligible and not applied for (or applied and not awarded): "Apply".
    Apply,
    /// The assessor asked for more evidence: "Re-submit".
    Resubmit,
    /// An application is on its way or decided: show where it stands.
    Follow,
    /// Not eligible yet (the core's reasons say why).
    NotYet,
}

/// A mark the awarding body issues, with what its card offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Application {
    /// The award.
    pub award: String,
    /// What the card offers.
    pub offer: Offer,
    /// Its latest submission, if any.
    pub latest: Option<String>,
    /// That submission's stage.
    pub stage: Option<Stage>,
    /// The stage in words.
    pub stage_label: Option<String>,
}

/// Renewal of the awarded mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RenewalView {
    /// The award.
    pub award: String,
    /// Its title.
    pub award_title: String,
    /// The review that earned it.
    pub awarded_review: String,
    /// The day it expires.
    pub expires_on: String,
    /// The day renewal opens (the notice period before expiry).
    pub opens_on: String,
    /// Days until it expires (negative once expired).
    #[ts(type = "number")]
    pub days_left: i64,
    /// Not yet, open, or expired.
    pub state: RenewalState,
    /// Months before expiry that renewal opens (a setting).
    pub notice_months: u32,
    /// The renewal review, once started.
    pub renewal_review: Option<String>,
    /// Whether "Start renewal" is offered now.
    pub can_start: bool,
}

/// Everything the submission screens show, read in one go.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Overview {
    /// The awarding body, once enrolled.
    pub connection: Option<Connection>,
    /// The background delivery.
    pub delivery: Delivery,
    /// Every submission, newest first.
    pub submissions: Vec<SubmissionView>,
    /// Each mark the awarding body issues, with what its card offers.
    pub applications: Vec<Application>,
    /// Benchmarks of the current review the assessor asked more evidence for.
    pub requests: Vec<RequestedBenchmark>,
    /// Renewal of the awarded mark, once there is one.
    pub renewal: Option<RenewalView>,
    /// Months before expiry that renewal opens (the setting, also before any award).
    pub notice_months: u32,
}

/// A receipt, as the lead can read and save it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReceiptView {
    /// The outbox entry.
    pub id: String,
    /// The signed receipt, as received (pretty-printed JSON).
    pub text: String,
    /// Whether it verified against the awarding body's pinned keys just now.
    pub verified: bool,
    /// What the check found, in words.
    pub check: String,
    /// When the awarding body received the submission.
    pub received_at: Option<String>,
    /// Which envelope of the submission it is (1 = first).
    pub version: Option<u32>,
}

/// Saving a receipt.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SaveReceiptInput {
    /// The outbox entry.
    pub id: String,
    /// Where to save it: the path the save dialog returned.
    pub path: String,
}
