//! What the assessor's desk hands to a front end (the desktop app's assessor mode): plain data,
//! every judgement already made (overdue, impartiality, which steps are open, what changed), so
//! the UI only formats. With the `ts` feature each type also derives its TypeScript declaration.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use waymark_protocol::review::{Outcome, ReviewState, Role};

/// One row of the assessor's list of assigned submissions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssignmentRow {
    /// The submission's id (UUID text).
    pub submission: String,
    /// The institution's name as registered with the awarding body.
    pub institution_name: String,
    /// The framework's id and version.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// The framework's title, when this build knows the framework.
    pub framework_title: Option<String>,
    /// The award's id.
    pub award: String,
    /// The award's title, when this build knows the framework.
    pub award_title: Option<String>,
    /// The day the first envelope arrived.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub received_on: NaiveDate,
    /// When the review is due (once assigned).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub review_due: Option<NaiveDate>,
    /// The due date has passed and the review is not finished.
    pub overdue: bool,
    /// Where the review stands.
    pub state: ReviewState,
    /// This assessor's role on it.
    pub role: Role,
    /// How many versions the school has sent (1 + re-submissions).
    pub versions: u32,
    /// The local decrypted copy, when there is one on this computer.
    pub copy: Option<CopyInfo>,
}

/// The local copy of a submission on this computer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CopyInfo {
    /// Which version it holds.
    pub version: u32,
    /// When it was opened (downloaded, verified, decrypted).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub opened_at: DateTime<Utc>,
    /// It holds the newest version the school sent.
    pub current: bool,
    /// When the review finished (or was reassigned) as far as this computer saw.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub finished_at: Option<DateTime<Utc>>,
    /// When it will be removed (the review is over: finished or reassigned).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub remove_after: Option<DateTime<Utc>>,
}

/// Where opening a submission has got to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpenProgress {
    /// What is happening.
    pub stage: OpenStage,
    /// Bytes done of this stage.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    /// Bytes in all of this stage.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// The file being worked on (its name as the school sent it), if any.
    pub file: Option<String>,
}

/// A stage of opening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OpenStage {
    /// Checking the school's signature on every version.
    Verifying,
    /// Downloading the encrypted files (checked against the signed sizes and SHA-256).
    Downloading,
    /// Decrypting and checking each file against the manifest's BLAKE3.
    Decrypting,
}

/// What opening found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Opened {
    /// The submission.
    pub submission: String,
    /// The version opened.
    pub version: u32,
    /// Evidence files verified.
    pub evidence_files: u32,
    /// Bytes of evidence (as the school sent them).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub evidence_bytes: u64,
    /// Where the submission names this assessor (empty: it does not).
    pub named_in: Vec<String>,
}

/// A submission as the assessor reads it: the school's self-review, read-only, with the review
/// around it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "DeskSubmissionView"))]
pub struct SubmissionView {
    /// The submission.
    pub submission: String,
    /// This assessor's role.
    pub role: Role,
    /// Where the review stands (the endpoint's word, or the last seen when offline).
    pub state: ReviewState,
    /// Whether `state` was read from the endpoint just now (false: offline, last seen).
    pub live: bool,
    /// The version the local copy holds.
    pub version: u32,
    /// The newest version the school sent.
    pub versions: u32,
    /// The institution.
    pub institution: InstitutionView,
    /// The framework (id, version, title) and whether it has levels.
    pub framework: FrameworkView,
    /// The award applied for.
    pub award: AwardView,
    /// When the school prepared this version and who.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub prepared_at: DateTime<Utc>,
    /// Who prepared it.
    pub prepared_by: String,
    /// The day the first version arrived.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub received_on: NaiveDate,
    /// When the review is due.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub review_due: Option<NaiveDate>,
    /// Past due and not finished.
    pub overdue: bool,
    /// Dimensions with their benchmarks, in the framework's order.
    pub dimensions: Vec<DimensionView>,
    /// The evidence files the school sent.
    pub evidence: Vec<EvidenceView>,
    /// The school's action plan.
    pub actions: Vec<ActionView>,
    /// The working group.
    pub working_group: Vec<ContributorView>,
    /// The history of changes, summarised.
    pub history: HistoryView,
    /// Where the submission names this assessor (working group, history, editors, preparer):
    /// when not empty, no decision may be recorded.
    pub named_in: Vec<String>,
    /// What changed since the version before this one (none for version 1).
    pub changes: Option<Changes>,
    /// The requests for more evidence made so far, oldest first.
    pub requests: Vec<RequestView>,
    /// The assessor's recommendation (the moderator sees it; the assessor after sending it).
    pub recommendation: Option<RecommendationView>,
    /// The moderator's last reason for sending the recommendation back, if it was sent back
    /// since the last recommendation.
    pub sent_back: Option<String>,
    /// What this assessor may do now (impartiality, version and state considered).
    pub may: Allowed,
    /// The draft kept on this computer.
    pub draft: Draft,
    /// The local copy.
    pub copy: CopyInfo,
}

/// The institution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstitutionView {
    /// Its name (as the school gave it in the submission).
    pub name: String,
    /// Its identifier (e.g. a URN), if given.
    pub identifier: Option<String>,
}

/// The framework.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FrameworkView {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// Whether benchmarks have levels (feedback then has no "enhanced practice" part).
    pub has_levels: bool,
    /// The scale's levels, best last as the framework orders them (empty without levels).
    pub scale: Vec<ScaleLevelView>,
}

/// One level of the scale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScaleLevelView {
    /// The value stored.
    pub value: u32,
    /// Its name.
    pub name: String,
}

/// The award.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "DeskAwardView"))]
pub struct AwardView {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A dimension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DimensionView {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its benchmarks (groups flattened, in order).
    pub benchmarks: Vec<BenchmarkView>,
}

/// A benchmark with the school's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BenchmarkView {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The framework's guidance.
    pub guidance: String,
    /// The level the school chose, if any.
    pub level: Option<u32>,
    /// That level's name on the scale.
    pub level_name: Option<String>,
    /// That level's descriptor for this benchmark.
    pub descriptor: Option<String>,
    /// Every level's descriptor for this benchmark (to compare).
    pub levels: Vec<LevelView>,
    /// The school's commentary.
    pub commentary: String,
    /// When it was last changed and by whom.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub updated_at: Option<DateTime<Utc>>,
    /// Who changed it last.
    pub updated_by: Option<String>,
    /// The ids of the evidence linked to it.
    pub evidence: Vec<String>,
    /// What changed since the version before (none: unchanged or version 1).
    pub changed: Option<BenchmarkChange>,
    /// Requests for more evidence on this benchmark so far, oldest first.
    pub requested: Vec<String>,
}

/// One level's descriptor for a benchmark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LevelView {
    /// The level's value.
    pub value: u32,
    /// The level's name.
    pub name: String,
    /// What the level means for this benchmark.
    pub descriptor: String,
}

/// An evidence file the school sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceView {
    /// Its id in the submission.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its file name.
    pub file_name: String,
    /// Its size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// The school marked it as holding personal data.
    pub personal_data: bool,
    /// The benchmarks it is linked to.
    pub benchmarks: Vec<String>,
    /// New in this version (not in the one before).
    pub added: bool,
}

/// An action of the school's plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionView {
    /// Its title.
    pub title: String,
    /// Its detail.
    pub detail: String,
    /// The benchmark it serves.
    pub benchmark: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// When it is due.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub due: Option<NaiveDate>,
    /// Its status as the school recorded it.
    pub status: String,
}

/// A member of the working group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContributorView {
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Email, if given.
    pub email: Option<String>,
}

/// The history, summarised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryView {
    /// How many changes in all.
    pub changes: u32,
    /// The first and last change.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub first: Option<DateTime<Utc>>,
    /// The last change.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last: Option<DateTime<Utc>>,
    /// Who made changes, with how many each, most first.
    pub editors: Vec<EditorCount>,
    /// The most recent changes, newest first (at most 20).
    pub recent: Vec<HistoryItem>,
}

/// Who made how many changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EditorCount {
    /// Name (or "unknown").
    pub name: String,
    /// Changes.
    pub changes: u32,
}

/// One change in the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryItem {
    /// When.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: DateTime<Utc>,
    /// Which benchmark.
    pub benchmark: String,
    /// Who.
    pub by: Option<String>,
    /// What.
    pub summary: String,
}

/// What changed between two versions of a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Changes {
    /// The version compared with.
    pub from_version: u32,
    /// Benchmarks whose level or commentary changed.
    pub benchmarks: Vec<BenchmarkChange>,
    /// Titles of evidence files added.
    pub evidence_added: Vec<String>,
    /// Titles of evidence files no longer sent.
    pub evidence_removed: Vec<String>,
}

/// How one benchmark changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BenchmarkChange {
    /// The benchmark.
    pub benchmark: String,
    /// The level before (when it changed).
    pub level_before: Option<u32>,
    /// The level now.
    pub level_after: Option<u32>,
    /// The level changed.
    pub level_changed: bool,
    /// The commentary changed.
    pub commentary_changed: bool,
    /// The commentary before (when it changed).
    pub commentary_before: Option<String>,
    /// Evidence files newly linked to it.
    pub evidence_added: Vec<String>,
}

/// A request for more evidence made earlier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "DeskRequestView"))]
pub struct RequestView {
    /// When.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: DateTime<Utc>,
    /// The overall message.
    pub message: String,
    /// Per benchmark: id and message.
    pub benchmarks: Vec<BenchmarkMessage>,
}

/// A benchmark and a message about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BenchmarkMessage {
    /// The benchmark.
    pub benchmark: String,
    /// The message.
    pub message: String,
}

/// The assessor's recommendation as the moderator reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecommendationView {
    /// Award or not yet.
    pub outcome: Outcome,
    /// Strengths.
    pub strengths: String,
    /// Areas for development.
    pub areas_for_development: String,
    /// Areas of enhanced or exceptional practice (frameworks without levels).
    pub enhanced_practice: Option<String>,
    /// Notes for the moderator.
    pub notes: String,
    /// The assessor's judgement of each benchmark they judged.
    pub judgements: Vec<JudgementView>,
}

/// The assessor's judgement of one benchmark, as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JudgementView {
    /// The benchmark.
    pub benchmark: String,
    /// Agrees with the school's level.
    pub agreed: bool,
    /// The level the assessor judges instead (when not agreeing).
    pub level: Option<u32>,
    /// The assessor's note.
    pub note: String,
}

/// What the assessor may do now, each with the reason when not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Allowed {
    /// Ask the school for more evidence.
    pub request_evidence: bool,
    /// Recommend an outcome.
    pub recommend: bool,
    /// Confirm or send back the recommendation (the moderator).
    pub moderate: bool,
    /// Why no decision may be recorded now, in words (impartiality, a newer version to open,
    /// the review's state), when none may.
    pub why_not: Option<String>,
}

/// The assessor's draft, kept on this computer (encrypted) and sent only when they submit it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Draft {
    /// Per benchmark: a judgement, a note, and what more evidence is wanted.
    #[serde(default)]
    pub judgements: Vec<Judgement>,
    /// The overall message of a request for more evidence.
    #[serde(default)]
    pub request_message: String,
    /// Feedback: strengths.
    #[serde(default)]
    pub strengths: String,
    /// Feedback: areas for development.
    #[serde(default)]
    pub areas_for_development: String,
    /// Feedback for frameworks without levels: areas of enhanced or exceptional practice.
    #[serde(default)]
    pub enhanced_practice: String,
    /// The recommendation, once chosen.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Notes for the moderator (not shown to the school).
    #[serde(default)]
    pub notes: String,
    /// The moderator's reason for sending a recommendation back.
    #[serde(default)]
    pub send_back_reason: String,
    /// When it was last saved here (set by the desk).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub saved_at: Option<DateTime<Utc>>,
}

/// The assessor's view of one benchmark in the draft.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Judgement {
    /// The benchmark.
    pub benchmark: String,
    /// Agree, a different judgement, or not yet decided.
    #[serde(default)]
    pub verdict: Verdict,
    /// The level the assessor judges (with [`Verdict::Differ`]).
    #[serde(default)]
    pub level: Option<u32>,
    /// The assessor's note on it (sent with the recommendation, for the moderator).
    #[serde(default)]
    pub note: String,
    /// What more evidence is wanted for it (sent with a request for more evidence).
    #[serde(default)]
    pub request: String,
}

/// The assessor's verdict on a benchmark's level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Not judged yet.
    #[default]
    Undecided,
    /// Agrees with the school's level.
    Agree,
    /// Judges it differently.
    Differ,
}

/// A problem with a draft before it can be sent, about one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DraftProblem {
    /// The field: `request_message`, `strengths`, `areas_for_development`,
    /// `enhanced_practice`, `outcome`, `send_back_reason`, or `judgements.<benchmark>.level`
    /// / `.request` / `.note`.
    pub field: String,
    /// What is wrong and how to put it right.
    pub message: String,
}

/// A moderator's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ModerationChoice {
    /// The recommendation stands.
    Confirm,
    /// Back to the assessor, with the draft's `send_back_reason`.
    SendBack,
}

/// The desk's settings (non-secret, in the profile folder).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeskSettings {
    /// Days a local copy is kept after its review finished or was reassigned (0: removed at
    /// once, the next time the list is read).
    pub keep_finished_days: u32,
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            keep_finished_days: 14,
        }
    }
}

/// Who is signed in, for the app's assessor mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeskInfo {
    /// The assessor's name as the awarding body registered it.
    pub name: String,
    /// Their email.
    pub email: String,
    /// The awarding body.
    pub awarding_body: String,
    /// The endpoint's address.
    pub endpoint: String,
    /// The assessor's id.
    pub assessor: String,
    /// The profile folder (where the local copies are).
    pub folder: String,
    /// The settings.
    pub settings: DeskSettings,
}
