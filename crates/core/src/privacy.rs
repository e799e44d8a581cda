//! What a data folder holds about people, and the rights over it: the types the Privacy screen
//! and `waymark privacy`/`export`/`import`/`erase` show. The rules are in
//! `workspace/privacy/`; these are what they hand back.
//!
//! The export archive (`docs/export-format.md`) is a tar file: `waymark-export/export.json`
//! ([`ExportManifest`]: every table of the database as values) first, a plain-language
//! `README.txt`, then with `--with-evidence` the frozen evidence (`evidence/<blake3>`) and the
//! sealed submission blobs (`outbox/…`).

use serde::{Deserialize, Serialize};

use crate::store::TableDump;

/// `format` of every export archive's manifest.
pub const EXPORT_FORMAT: &str = "waymark-export";

/// The manifest's format version: raised when the archive's layout changes (a new table is
/// not a change of format: tables are listed as they are).
pub const EXPORT_FORMAT_VERSION: u32 = 1;

/// The folder every entry of an archive is in.
pub const EXPORT_ROOT: &str = "waymark-export";

/// `export.json`: what an archive holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportManifest {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// [`EXPORT_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The database's schema version (the tables are as that version has them).
    pub schema_version: i64,
    /// When the export was made (RFC 3339 UTC).
    pub exported_at: String,
    /// The Waymark that made it.
    pub waymark_version: String,
    /// Whether the evidence files are in the archive.
    pub with_evidence: bool,
    /// Files in the archive besides this manifest, in archive order.
    pub files: Vec<ExportedFile>,
    /// Every table, every row.
    pub tables: Vec<TableDump>,
}

/// A file carried in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedFile {
    /// Its name in the archive (under [`EXPORT_ROOT`]).
    pub name: String,
    /// What it is.
    pub kind: ExportedKind,
    /// Its size in bytes.
    pub bytes: u64,
    /// For evidence, its BLAKE3 (the vault's name for it); for a sealed blob, the data
    /// folder's relative path it is restored to.
    pub key: String,
}

/// The kinds of file an archive carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportedKind {
    /// A frozen copy of an evidence file, as it was accepted.
    Evidence,
    /// A submission's encrypted blob, sealed to the awarding body.
    SealedBlob,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportReport {
    /// The archive.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Tables written.
    pub tables: u32,
    /// Rows written, all tables together.
    pub rows: u64,
    /// Evidence copies and sealed blobs carried.
    pub files: u32,
    /// Submissions still waiting to be sent whose sealed blobs are not in the archive
    /// (exported without evidence): after an import they must be submitted again.
    pub waiting_not_carried: u32,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    /// The data folder it made.
    pub data_dir: String,
    /// Tables and rows written.
    pub tables: u32,
    /// Rows written.
    pub rows: u64,
    /// Files restored (evidence copies and sealed blobs).
    pub files: u32,
    /// The schema version the export had (the data was then upgraded to this Waymark's).
    pub from_schema: i64,
}

/// The kinds of thing a data folder holds, as the Privacy screen counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HeldKind {
    /// The institution's profile (name, contact, email).
    Institution,
    /// Self-reviews (one per framework and renewal).
    Reviews,
    /// Current responses (level and commentary).
    Responses,
    /// Every earlier version of every response.
    HistoryEntries,
    /// Responses kept from benchmarks a framework update removed.
    ArchivedResponses,
    /// Planned future actions.
    Actions,
    /// Working-group members (names, roles, emails).
    WorkingGroup,
    /// Evidence files tracked (they stay where they are; Waymark records their path and hash).
    EvidenceFiles,
    /// Folders whose files are tracked.
    EvidenceFolders,
    /// Frozen copies of evidence in the vault.
    FrozenCopies,
    /// Submissions to the awarding body (queued, sent or refused).
    Submissions,
    /// Erasures recorded (what kind and when; never what was erased).
    Erasures,
}

impl HeldKind {
    /// Every kind, in the screen's order, with the table it is counted in.
    pub const TABLES: &'static [(HeldKind, &'static str)] = &[
        (HeldKind::Institution, "institution"),
        (HeldKind::Reviews, "reviews"),
        (HeldKind::Responses, "responses"),
        (HeldKind::HistoryEntries, "response_history"),
        (HeldKind::ArchivedResponses, "archived_responses"),
        (HeldKind::Actions, "future_actions"),
        (HeldKind::WorkingGroup, "contributors"),
        (HeldKind::EvidenceFiles, "evidence_items"),
        (HeldKind::EvidenceFolders, "evidence_folders"),
        (HeldKind::FrozenCopies, "vault_blobs"),
        (HeldKind::Submissions, "outbox"),
        (HeldKind::Erasures, "erasures"),
    ];
}

/// How many of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HeldCount {
    /// The kind.
    pub kind: HeldKind,
    /// How many.
    pub count: u64,
}

/// Files and their total size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FilesSize {
    /// Files.
    pub files: u64,
    /// Bytes, all together.
    pub bytes: u64,
}

/// Something sent to the awarding body: what, to whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SentRecord {
    /// The submission's local id.
    pub submission_id: String,
    /// The award applied for.
    pub award: String,
    /// The awarding body.
    pub to: String,
    /// Its endpoint.
    pub endpoint: String,
    /// `queued` (not sent yet), `sent` or `refused`.
    pub state: String,
    /// When it was confirmed for sending.
    pub queued_at: String,
    /// When the endpoint acknowledged it.
    pub sent_at: Option<String>,
    /// Evidence copies it carries (sealed blobs, the manifest not counted).
    pub files: u32,
}

/// The awarding body this folder is enrolled with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrolledWith {
    /// The awarding body.
    pub awarding_body: String,
    /// Its endpoint.
    pub endpoint: String,
    /// The institution's name as it recorded it.
    pub institution_name: String,
    /// When.
    pub enrolled_at: String,
}

/// An export this folder made (erasure removes it too, while it is still an export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnownExport {
    /// Where it was written.
    pub path: String,
    /// When.
    pub made_at: String,
    /// Whether it carries evidence.
    pub with_evidence: bool,
}

/// One recorded erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErasureRecord {
    /// What kind of thing (`working_group_member`).
    pub kind: String,
    /// When.
    pub erased_at: String,
    /// Who erased it.
    pub erased_by: Option<String>,
}

/// Everything the Privacy screen shows: what is held, what has been sent, the switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PrivacyOverview {
    /// The data folder.
    pub data_dir: String,
    /// What the database holds, by kind.
    pub held: Vec<HeldCount>,
    /// Folders with tracked evidence (the files themselves stay there).
    pub tracked_folders: Vec<String>,
    /// The vault of frozen copies.
    pub vault: FilesSize,
    /// Sealed submission blobs waiting in, or kept by, the outbox.
    pub outbox: FilesSize,
    /// The awarding body, once enrolled.
    pub enrolled_with: Option<EnrolledWith>,
    /// Every submission, newest first.
    pub sent: Vec<SentRecord>,
    /// Network activity is paused (the right to restriction).
    pub network_restricted: bool,
    /// A profile or working-group correction is still to be sent to the awarding body.
    pub correction_due: bool,
    /// Exports made from this folder.
    pub exports: Vec<KnownExport>,
    /// Erasures recorded, newest first.
    pub erasures: Vec<ErasureRecord>,
}

/// What erasing this folder removes, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErasurePlan {
    /// The data folder.
    pub data_dir: String,
    /// Files and folders of Waymark's that go (folders with everything in them).
    pub paths: Vec<String>,
    /// Their total size.
    pub bytes: u64,
    /// OS keychain entries that go (`service/user`).
    pub keychain_entries: Vec<String>,
    /// Exports made from this folder that go with it.
    pub exports: Vec<String>,
    /// The awarding body still holding this institution's data, when enrolled: erase there
    /// first (the local credentials are needed to ask).
    pub enrolled_with: Option<EnrolledWith>,
    /// What the user must type to confirm.
    pub confirmation: String,
}

/// What an erasure removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErasureReport {
    /// Files removed.
    pub files: u64,
    /// Their size.
    pub bytes: u64,
    /// Keychain entries removed.
    pub keychain_entries: Vec<String>,
    /// Files in the data folder that were not Waymark's, left where they were.
    pub left: Vec<String>,
}

/// The words a user types to confirm erasure.
pub const ERASE_CONFIRMATION: &str = "erase everything";

/// Refuses anything but [`ERASE_CONFIRMATION`] (surrounding spaces aside): checked by
/// [`Workspace::erase`](crate::Workspace::erase) and, before they ask the awarding body to erase
/// anything, by the front ends.
pub fn check_erase_confirmation(typed: &str) -> crate::Result<()> {
    if typed.trim() == ERASE_CONFIRMATION {
        return Ok(());
    }
    Err(crate::Error::invalid(
        "confirmation",
        format!("Type \"{ERASE_CONFIRMATION}\" to confirm; nothing was erased."),
    ))
}
