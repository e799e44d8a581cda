//! The core's error type: every message says what happened and what the user can do, and every
//! error has a stable [`ErrorCode`] the UI, scripts (`--json`) and, later, the server API match
//! on.
//!
//! Messages here are neutral: they never name a command-line flag or command, because the
//! desktop app shows them too. What a front end can add (the CLI's "run `waymark init`") it
//! adds itself, from the typed parts ([`Entity`], [`Hint`]), never by parsing the text.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::framework::{FrameworkError, FrameworkNotFound};
use crate::progress::Reason;

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Declares [`ErrorCode`] once: each code's variant, its spelling and its meaning, so the enum,
/// [`ErrorCode::ALL`] and `docs/errors.md` cannot disagree.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal: $meaning:literal,)*) => {
        /// Every stable error code Waymark reports, in one place. `docs/errors.md` lists them
        /// with their meaning (generated from this list; a test fails when it is stale).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order `docs/errors.md` lists them.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as scripts see it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// What the code means and what usually helps, for `docs/errors.md`.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $meaning,)*
                }
            }
        }
    };
}

error_codes! {
    /// A framework file was refused.
    FrameworkInvalid = "framework_invalid":
        "A framework file was refused: its syntax or a rule is wrong. Every problem is listed with its place and a fix.",
    /// SQLite failed while using a Waymark database.
    Database = "database":
        "SQLite failed while using the data folder's database (another program may hold it, or the disk is failing).",
    /// The data folder could not be made or read.
    DataDir = "data_dir":
        "The data folder could not be created or read, or none could be chosen (no home folder).",
    /// The database file is not an SQLite database at all.
    NotADatabase = "not_a_database":
        "The database file is empty or is not an SQLite database (an incomplete copy, or another file under its name). Nothing was changed.",
    /// The database file is SQLite but not Waymark's.
    ForeignDatabase = "foreign_database":
        "The database file is SQLite but was not written by Waymark (or records an impossible version). Nothing was changed.",
    /// The database or its folder cannot be written.
    ReadOnly = "read_only":
        "The database or its folder cannot be written, so Waymark cannot save. Nothing was changed.",
    /// The data folder is encrypted and this computer's keychain has no entry for its key.
    DataKeyMissing = "data_key_missing":
        "The data folder is encrypted with a key kept in the OS keychain, and this computer's keychain has no entry for it (a new computer, a reset or restored keychain). Restore the keychain entry from a backup of the keychain, or import an export of the data into a new data folder. Nothing in the folder was changed.",
    /// The keychain holds a key for the data folder, but not the key it was encrypted with.
    DataKeyWrong = "data_key_wrong":
        "The keychain holds a key under the data folder's entry, but not the key the folder was encrypted with (the entry was replaced, or the folder was copied from another computer). Restore the entry from a backup of the keychain. Nothing in the folder was changed.",
    /// The OS keychain, where the data folder's key is kept, could not be used.
    Keychain = "keychain":
        "The OS keychain, where the data folder's encryption key is kept, is not available, is locked or refused access; Waymark never keeps that key in a file. Unlock the keychain (or run in a desktop session with one) and try again. Nothing was changed.",
    /// The database was written by a newer Waymark.
    SchemaTooNew = "schema_too_new":
        "The database was written by a newer Waymark; update Waymark to open it. Nothing was changed.",
    /// A value stored in the database is not one this Waymark knows.
    StoredValueInvalid = "stored_value_invalid":
        "A value stored in the database is not one this Waymark knows (a damaged or hand-edited row); the message names the table, row and column.",
    /// Something named does not exist.
    NotFound = "not_found":
        "Something named (a benchmark, framework, action, evidence item, …) does not exist; the message says what exists.",
    /// Input broke a rule; the error names the field.
    InvalidInput = "invalid_input":
        "Input broke a rule; `field` names the input and the message says how to fix it.",
    /// Nothing is registered yet.
    NotRegistered = "not_registered":
        "No self-review is registered in this data folder yet.",
    /// A certificate was asked for before its conditions hold.
    NotEligible = "not_eligible":
        "A certificate was asked for before its conditions are met; the message lists what is still missing.",
    /// An award the awarding body issues was asked to be printed.
    IssuedByAwardingBody = "issued_by_awarding_body":
        "The award is issued by the awarding body after assessment, so it cannot be printed by the school.",
    /// Someone else saved a newer version first.
    Conflict = "conflict":
        "Someone saved a newer version of the same response first; nothing was overwritten, and both versions can be compared.",
    /// An export archive cannot be imported (damaged, not Waymark's, or from a newer Waymark).
    ImportInvalid = "import_invalid":
        "An export archive cannot be imported: it is damaged, is not a Waymark export, or was made by a newer Waymark; the message says which part. Nothing was written.",
    /// An import was asked into a data folder that already holds data.
    ImportTargetInUse = "import_target_in_use":
        "An export can only be imported into a new, empty data folder, so that nothing already there is overwritten; choose another folder. Nothing was written.",
    /// Enrolling with, sending to or hearing from the awarding body failed (the app only).
    Submission = "submission":
        "Enrolling with the awarding body, sending a submission or checking its review failed; the message says what happened and what to do, and `detail` gives the submission's own code (see submission-errors.md). Nothing queued is lost.",
    /// The assessor's workspace refused or failed (the app's assessor mode only).
    Assessment = "assessment":
        "The assessor's workspace refused or failed: signing in as an assessor, opening (downloading, verifying, decrypting) a submission, or sending a request, recommendation or moderation; the message says what happened and what to do, and `detail` gives the assessor workspace's own code (e.g. `tampered`, `not_impartial`, `not_opened`, `newer_version`, `not_signed_in`, `keychain_missing`, `network_offline`). Nothing half-opened is kept, and nothing refused was sent.",
    /// The review is closed (its renewal started): it is kept read-only.
    ReviewClosed = "review_closed":
        "The review is closed: it is the record of an awarded mark, kept exactly as it was when its renewal started, so nothing in it can be changed (and it cannot be renewed again). Make changes in the renewal review.",
    /// The user cancelled; nothing was changed.
    Cancelled = "cancelled":
        "The user cancelled a long operation; nothing was saved.",
    /// Reading or writing a file failed.
    Io = "io":
        "Reading or writing a file failed; the message names the file.",
    /// The disk is full.
    DiskFull = "disk_full":
        "The disk is full; free some space and try again. Nothing half-written was left behind.",
    /// The operating system could not open a file or folder for the user.
    OpenFailed = "open_failed":
        "The operating system could not open a file or show a folder for the user.",
    /// A fault inside Waymark.
    Internal = "internal":
        "A fault inside Waymark (a background task stopped unexpectedly). Nothing was saved; please report it.",
    /// A watched folder disappeared.
    WatchFolderGone = "watch_folder_gone":
        "A watched evidence folder was deleted, renamed or unmounted.",
    /// The system's limit on watched folders was reached.
    WatchLimitReached = "watch_limit_reached":
        "The operating system's limit on watched folders was reached; statuses are still checked on start and on demand.",
    /// A folder cannot be watched for lack of permission.
    WatchPermissionDenied = "watch_permission_denied":
        "A folder cannot be watched because Waymark may not read it.",
    /// Watching failed for another reason.
    WatchFailed = "watch_failed":
        "Watching a folder failed for another reason.",
    /// The command line was used wrongly (unknown flag, missing argument).
    Usage = "usage":
        "The command line was used wrongly (unknown option, missing argument); exit status 2.",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of thing an error can say was not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A framework benchmark.
    Benchmark,
    /// A framework (by id).
    Framework,
    /// A version of a framework.
    FrameworkVersion,
    /// A registered review.
    Review,
    /// A response to a benchmark.
    Response,
    /// A planned future action.
    FutureAction,
    /// A member of the working group.
    Contributor,
    /// A tracked evidence file.
    EvidenceItem,
    /// A benchmark's evidence requirement.
    EvidenceRequirement,
    /// A link from an evidence item to a benchmark or requirement.
    EvidenceLink,
    /// A folder added as evidence.
    WatchedFolder,
    /// A certificate or mark of the framework.
    Award,
    /// A submission in the outbox (to the awarding body).
    Submission,
    /// An encrypted blob kept in the outbox for sending.
    SealedBlob,
}

impl Entity {
    /// The English name, capitalised for the start of a sentence.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Benchmark => "Benchmark",
            Entity::Framework => "Framework",
            Entity::FrameworkVersion => "Framework version",
            Entity::Review => "Review",
            Entity::Response => "Response",
            Entity::FutureAction => "Future action",
            Entity::Contributor => "Working group member",
            Entity::EvidenceItem => "Evidence item",
            Entity::EvidenceRequirement => "Evidence requirement",
            Entity::EvidenceLink => "Evidence link",
            Entity::WatchedFolder => "Watched folder",
            Entity::Award => "Certificate",
            Entity::Submission => "Submission",
            Entity::SealedBlob => "Encrypted blob",
        }
    }
}

/// What to do about something not found, as data: each front end words it (the CLI may name
/// its own commands, the app its own screens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hint {
    /// These exist; choose one of them.
    Available {
        /// The ids (or names) that exist.
        ids: Vec<String>,
    },
    /// Ids close to the one given (in the same dimension).
    Nearby {
        /// The nearby ids.
        ids: Vec<String>,
    },
    /// Nothing of this kind exists yet.
    NoneYet,
    /// The id does not match; look at the list of this kind of thing for the ids.
    CheckTheList,
    /// The framework's own list of benchmarks and requirements shows the ids.
    FrameworkContents {
        /// The framework.
        framework: String,
    },
    /// A new framework version must be installed (in the data folder's `frameworks/`).
    InstallFramework,
    /// The database lacks data it should hold; restore it from a backup.
    RestoreBackup,
    /// What an evidence item is linked to (when asked to unlink something it is not).
    LinkedTo {
        /// Its links: requirement ids (with their benchmark) or benchmark ids.
        links: Vec<String>,
    },
    /// It may have been removed meanwhile; look again.
    MaybeRemoved,
    /// Only a benchmark that has a response can be confirmed.
    NoResponse,
}

/// Why a database file is not one Waymark can open, found before anything is written to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Foreign {
    /// The file has zero bytes (an interrupted copy, or a file created by mistake).
    Empty,
    /// The file is not SQLite at all (or is damaged beyond reading).
    NotSqlite,
    /// An SQLite database of another program: its tables.
    OtherProgram {
        /// Some of the tables it holds, for the message.
        tables: Vec<String>,
    },
    /// A `user_version` no Waymark ever writes.
    ImpossibleVersion {
        /// The version found.
        found: i64,
    },
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A framework file was refused.
    #[error(transparent)]
    Framework(#[from] FrameworkError),
    /// SQLite failed.
    #[error("The Waymark database at {} could not be used ({source}). If another copy of Waymark is using it, close that one; otherwise check that the disk has space and the folder can be written to.", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The data folder could not be made or read.
    #[error("The data folder {} could not be used ({source}). Choose a folder you can write to.", path.display())]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// No data folder could be chosen at all.
    #[error(
        "This system reports no home folder, so Waymark cannot choose where to keep your data. Choose a data folder you can write to."
    )]
    NoDataDir,
    /// The database file is not one Waymark can open; it was left exactly as it was.
    #[error("{}", foreign_message(path, kind))]
    ForeignDatabase {
        /// The database file.
        path: PathBuf,
        /// What was found.
        kind: Foreign,
    },
    /// The folder is encrypted and the keychain has no entry for its key; nothing was changed.
    #[error("The data folder {} is encrypted, and this computer's OS keychain has no entry for its key ({entry}). Nothing in the folder was changed, and Waymark will not replace it. To open it again, restore that entry from a backup of the keychain (the key is not kept anywhere else), or import an export of the data into a new data folder.", dir.display())]
    DataKeyMissing {
        /// The data folder.
        dir: PathBuf,
        /// Where the key should be: the keychain's service and entry names.
        entry: String,
    },
    /// The keychain's key for this folder is not the one it was encrypted with.
    #[error("The data folder {} is encrypted with another key than the one this computer's OS keychain holds for it ({entry}): the entry was replaced, or the folder comes from another computer. Nothing in the folder was changed. Restore the entry from a backup of the keychain (or of the computer the folder came from), or import an export of the data into a new data folder.", dir.display())]
    DataKeyWrong {
        /// The data folder.
        dir: PathBuf,
        /// The keychain's service and entry names.
        entry: String,
    },
    /// The OS keychain could not be used for the data folder's key.
    #[error("The data folder {} needs its encryption key from the OS keychain, which could not be used: {source}. Nothing in the folder was changed.", dir.display())]
    Keychain {
        /// The data folder.
        dir: PathBuf,
        /// What the keychain said.
        source: waymark_keychain::KeychainError,
    },
    /// The database or its folder is read-only.
    #[error("The Waymark database at {} cannot be written ({reason}), so nothing could be saved. Make the file and its folder writable (or copy the data folder somewhere writable) and open it again. Nothing was changed.", path.display())]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// What SQLite or the OS said.
        reason: String,
    },
    /// The database is from a newer Waymark.
    #[error("The database at {} was written by a newer Waymark (data version {found}; this Waymark understands up to {supported}). Update Waymark to open it. Nothing was changed.", path.display())]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// A stored value is not one this build knows: a damaged or hand-edited row.
    #[error("The database at {} holds a value this Waymark does not know: {table}.{column} = {value:?} in row {row}. The row may have been edited by hand or written by a newer Waymark; restore the data folder from a backup or update Waymark.", path.display())]
    StoredValueInvalid {
        /// The database file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// The row's id.
        row: String,
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
    },
    /// Something named by the user does not exist.
    #[error("{} {id:?} was not found. {hint}", what.name())]
    NotFound {
        /// What kind of thing.
        what: Entity,
        /// The id given.
        id: String,
        /// What to do, e.g. which ids exist.
        hint: Hint,
    },
    /// User input broke a rule; `field` says which input.
    #[error("{field}: {message}")]
    Invalid {
        /// The input concerned ("level", "email", "due_date").
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// No review is registered yet.
    #[error("No self-review is registered yet: register the institution for a framework first.")]
    NotRegistered,
    /// The user cancelled a long operation; nothing was saved.
    #[error("Cancelled; nothing was changed.")]
    Cancelled,
    /// The edit was based on an older revision than the one stored.
    #[error(
        "{benchmark} was changed by {by} at {} since you opened it. Your text has not been lost: reload to see both versions and choose.",
        local_time(at)
    )]
    Conflict {
        /// The benchmark.
        benchmark: String,
        /// Who made the newer change.
        by: String,
        /// When.
        at: String,
    },
    /// A change to a closed review: refused by the store itself (the triggers of migration 8),
    /// whichever operation tried it.
    #[error(
        "This review is closed: it is the record of the awarded mark, kept exactly as it was when its renewal started, so it cannot be changed. Nothing was saved; make the change in the renewal review."
    )]
    ReviewClosed,
    /// A renewal asked for a review that was renewed already.
    #[error(
        "This review was renewed already, at {}: a review is renewed once. Carry on with the renewal (review {renewal}).",
        local_time(at)
    )]
    AlreadyRenewed {
        /// The renewal's review id.
        renewal: String,
        /// When the renewal started.
        at: String,
    },
    /// A self-issued award whose conditions do not hold yet.
    #[error(
        "The {award} is not available yet: {}. It can be printed as soon as every condition is met.",
        join_reasons(reasons)
    )]
    NotEligible {
        /// The award's title.
        award: String,
        /// What stands in the way, as the core judged it.
        reasons: Vec<Reason>,
    },
    /// An award the awarding body issues, asked for as if the school could print it.
    #[error(
        "The {award} is awarded by {awarding_body} after assessment, so it cannot be printed here. When every condition is met, apply to the awarding body; they issue the award."
    )]
    IssuedByAwardingBody {
        /// The award's title.
        award: String,
        /// Who awards it.
        awarding_body: String,
    },
    /// An export archive cannot be imported.
    #[error("The export {} cannot be imported: {problem}. Nothing was written; make a new export with `waymark export` (or the Privacy screen) and import that.", path.display())]
    ImportInvalid {
        /// The archive.
        path: PathBuf,
        /// What is wrong with it, and where.
        problem: String,
    },
    /// The import's target folder already holds Waymark data.
    #[error("The data folder {} already holds Waymark data, and an import never overwrites data. Choose a new, empty folder for the import (`--data-dir NEW_FOLDER`). Nothing was written.", path.display())]
    ImportTargetInUse {
        /// The data folder.
        path: PathBuf,
    },
    /// Reading or writing a file failed (a full disk has its own code).
    #[error("{} could not be {} ({source}). {}", path.display(), action.verb(), io_advice(source))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        action: IoAction,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A fault inside Waymark (e.g. a background task that stopped); nothing was saved.
    #[error(
        "{0} This is a fault in Waymark: nothing was saved; try again, and please report it if it happens again."
    )]
    Internal(String),
}

/// What was being done to a file when it failed, for [`Error::Io`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoAction {
    /// Reading it.
    Read,
    /// Writing or saving it.
    Write,
}

impl IoAction {
    fn verb(self) -> &'static str {
        match self {
            IoAction::Read => "read",
            IoAction::Write => "saved",
        }
    }
}

fn io_advice(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::StorageFull => {
            "The disk is full: free some space and try again; nothing half-written was left."
        }
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "Choose a folder you can write to, or check the file's permissions."
        }
        _ => {
            "Check that the folder exists and can be written to and that the file is not open in another program."
        }
    }
}

/// "10:05 on 1 December 2026" in this computer's time zone, for a stored RFC 3339 time (the
/// text as it is when it cannot be read).
fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at).map_or_else(
        |_| at.to_owned(),
        |t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M on %-d %B %Y")
                .to_string()
        },
    )
}

fn join_reasons(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn foreign_message(path: &Path, kind: &Foreign) -> String {
    let p = path.display();
    let what = match kind {
        Foreign::Empty => format!(
            "The database file {p} is empty (0 bytes): perhaps an interrupted copy or a file created by mistake."
        ),
        Foreign::NotSqlite => format!(
            "The file {p} is not a Waymark database: it is not an SQLite database at all, or it is damaged."
        ),
        Foreign::OtherProgram { tables } => format!(
            "The file {p} is an SQLite database of another program (it holds {}), not Waymark's.",
            if tables.is_empty() {
                "no Waymark tables".to_owned()
            } else {
                format!("tables such as {}", tables.join(", "))
            }
        ),
        Foreign::ImpossibleVersion { found } => format!(
            "The database file {p} records data version {found}, which no Waymark writes: it is damaged or belongs to another program."
        ),
    };
    format!(
        "{what} Nothing was changed. Restore the data folder from a backup, or move the file away to start a new self-review in this folder."
    )
}

impl Error {
    /// The stable, machine-readable code for the UI and scripts.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Framework(_) => ErrorCode::FrameworkInvalid,
            Error::Database { .. } => ErrorCode::Database,
            Error::DataDir { .. } | Error::NoDataDir => ErrorCode::DataDir,
            Error::ForeignDatabase { kind, .. } => match kind {
                Foreign::Empty | Foreign::NotSqlite => ErrorCode::NotADatabase,
                Foreign::OtherProgram { .. } | Foreign::ImpossibleVersion { .. } => {
                    ErrorCode::ForeignDatabase
                }
            },
            Error::ReadOnly { .. } => ErrorCode::ReadOnly,
            Error::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Error::StoredValueInvalid { .. } => ErrorCode::StoredValueInvalid,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Invalid { .. } => ErrorCode::InvalidInput,
            Error::NotRegistered => ErrorCode::NotRegistered,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::ReviewClosed | Error::AlreadyRenewed { .. } => ErrorCode::ReviewClosed,
            Error::NotEligible { .. } => ErrorCode::NotEligible,
            Error::IssuedByAwardingBody { .. } => ErrorCode::IssuedByAwardingBody,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::StorageFull => {
                ErrorCode::DiskFull
            }
            Error::Io { .. } => ErrorCode::Io,
            Error::DataKeyMissing { .. } => ErrorCode::DataKeyMissing,
            Error::DataKeyWrong { .. } => ErrorCode::DataKeyWrong,
            Error::Keychain { .. } => ErrorCode::Keychain,
            Error::ImportInvalid { .. } => ErrorCode::ImportInvalid,
            Error::ImportTargetInUse { .. } => ErrorCode::ImportTargetInUse,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The input at fault, for forms that show the message beside it.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(what: Entity, id: impl Into<String>, hint: Hint) -> Self {
        Error::NotFound {
            what,
            id: id.into(),
            hint,
        }
    }
}

/// A framework the catalog does not hold: not found, with the ids it does hold as the hint.
impl From<FrameworkNotFound> for Error {
    fn from(e: FrameworkNotFound) -> Self {
        let id = e.wanted();
        Error::not_found(Entity::Framework, id, Hint::Available { ids: e.available })
    }
}

/// Attaches the database path to SQLite errors, and tells the failures a person can act on
/// (read-only, not a database, a value this build does not know) from the rest.
pub(crate) trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T>;
}

impl<T> AtPath<T> for rusqlite::Result<T> {
    fn at(self, path: &Path) -> Result<T> {
        self.map_err(|source| database_error(path, source))
    }
}

/// The message the store's triggers abort a write to a closed review with (migration 8).
pub(crate) const REVIEW_CLOSED: &str = "review_closed";

/// Maps an SQLite error on `path` to the most specific [`Error`].
pub(crate) fn database_error(path: &Path, source: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as Sql;
    if let rusqlite::Error::FromSqlConversionFailure(_, _, inner) = &source
        && let Some(bad) = inner.downcast_ref::<crate::store::BadStoredValue>()
    {
        return Error::StoredValueInvalid {
            path: path.to_owned(),
            table: bad.table,
            row: bad.row.clone(),
            column: bad.column,
            value: bad.value.clone(),
        };
    }
    // RAISE(ABORT, 'review_closed') in a trigger of migration 8: a write to a closed review.
    if let rusqlite::Error::SqliteFailure(e, Some(message)) = &source
        && e.code == Sql::ConstraintViolation
        && message == REVIEW_CLOSED
    {
        return Error::ReviewClosed;
    }
    match source.sqlite_error_code() {
        Some(Sql::ReadOnly) => Error::ReadOnly {
            path: path.to_owned(),
            reason: source.to_string(),
        },
        Some(Sql::NotADatabase) => Error::ForeignDatabase {
            path: path.to_owned(),
            kind: Foreign::NotSqlite,
        },
        Some(Sql::DiskFull) => Error::Io {
            path: path.to_owned(),
            action: IoAction::Write,
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        },
        _ => Error::Database {
            path: path.to_owned(),
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The framework crate's not-found error becomes the core's, code and message unchanged.
    #[test]
    fn a_framework_not_found_is_the_cores_not_found() {
        let catalog = crate::Catalog::bundled().expect("bundled");
        for version in [None, Some("9.9")] {
            let missing = catalog
                .find("no-such-framework", version)
                .expect_err("not in the catalog");
            let words = missing.to_string();
            let code = missing.code();
            let error = Error::from(missing);
            assert_eq!(code, error.code().as_str());
            assert_eq!(words, error.to_string());
            let Error::NotFound { what, id, hint } = error else {
                panic!("expected not found, got {error}");
            };
            assert_eq!(what, Entity::Framework);
            assert_eq!(
                id,
                version.map_or("no-such-framework".to_owned(), |v| format!(
                    "no-such-framework {v}"
                ))
            );
            assert_eq!(hint, Hint::Available { ids: catalog.ids() });
        }
    }

    /// `docs/errors.md` is generated from [`ErrorCode::ALL`]; `WAYMARK_BLESS=1` rewrites it.
    #[test]
    fn the_error_code_reference_is_current() {
        let mut doc = String::from(
            "# Error codes\n\n\
             <!-- Generated from crates/core/src/error.rs (ErrorCode::meaning) by \
             `make errors`; do not edit by hand. -->\n\n\
             Every failure Waymark reports carries one of these codes: the command line prints \
             it with `--json` as `{\"error\":{\"code\":…,\"message\":…,\"field\":…}}` on stderr \
             (exit status 1, or 2 for `usage`), and the desktop app receives it as \
             `CommandError.code`. Codes are stable: scripts may match on them; the messages \
             are for people and may be reworded.\n\n\
             | code | meaning |\n| --- | --- |\n",
        );
        for code in ErrorCode::ALL {
            doc.push_str(&format!("| `{}` | {} |\n", code.as_str(), code.meaning()));
        }
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
        if std::env::var_os("WAYMARK_BLESS").is_some() {
            std::fs::write(&path, &doc).expect("write docs/errors.md");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == doc,
            "docs/errors.md is stale: run `make errors` and commit it"
        );
    }

    #[test]
    fn every_code_is_listed_once_and_spelled_as_serde_spells_it() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} listed twice");
            let json = serde_json::to_string(code).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn a_conflict_says_when_in_words_not_as_a_timestamp() {
        let e = Error::Conflict {
            benchmark: "1.1".into(),
            by: "Alex".into(),
            at: "2026-12-01T10:05:06.073Z".into(),
        };
        let m = e.to_string();
        assert!(m.contains("December 2026"), "{m}");
        assert!(!m.contains("T10:05:06"), "{m}");
    }

    #[test]
    fn a_full_disk_has_its_own_code() {
        let e = Error::Io {
            path: PathBuf::from("/tmp/report.pdf"),
            action: IoAction::Write,
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
        assert_eq!(e.code(), ErrorCode::DiskFull);
        assert!(e.to_string().contains("The disk is full"), "{e}");
    }
}
