//! Evidence files that stay in the school's own folders: what Waymark records about each (path,
//! size, modified time, BLAKE3 hash, media type) and how it notices change.
//!
//! `files.rs` reads the disk (stat, hash, walk folders); `scan.rs` decides each item's status
//! like git's index does: size and modified time first, hashing only what may have changed;
//! `watch.rs` notices changes in the watched folders as they happen (without touching the
//! database).

mod files;
mod hashing;
mod scan;
mod vault;
mod watch;

use serde::Serialize;

pub(crate) use files::FactsReader;
pub(crate) use files::path_from_key;
pub(crate) use files::{Entry, list_dir, mtime_ns, parent_of, walk_sized};
pub use files::{FileFacts, path_key, walk};
pub use hashing::hash_file;
pub(crate) use hashing::{Hashed, Progress as HashProgress, hash_many, now_ns};
pub(crate) use scan::{Look, Observation, RACY_WINDOW_NS, look};
pub(crate) use vault::encrypt_legacy;
pub use vault::{BlobReader, Stored, VAULT_DIR, Vault};
pub use watch::{ChangeBatch, FolderWatcher, MAX_PATHS, MAX_WAIT_FACTOR, WatchError};

/// What a rescan found for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStatus {
    /// The file is there with the recorded content.
    Ok,
    /// The content differs from the recorded hash (accept the new version to record it).
    Modified,
    /// The file is gone and its content was not found elsewhere.
    Missing,
    /// The same content was found at another path and the item now points there.
    Moved,
    /// The file is there but cannot be read (permissions, locked by another program).
    Unreadable,
}

impl EvidenceStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceStatus::Ok => "ok",
            EvidenceStatus::Modified => "modified",
            EvidenceStatus::Missing => "missing",
            EvidenceStatus::Moved => "moved",
            EvidenceStatus::Unreadable => "unreadable",
        }
    }

    /// Every status.
    pub const ALL: [EvidenceStatus; 5] = [
        EvidenceStatus::Ok,
        EvidenceStatus::Modified,
        EvidenceStatus::Missing,
        EvidenceStatus::Moved,
        EvidenceStatus::Unreadable,
    ];

    /// Parses the stored spelling; `None` for a value this build does not know.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the file can still be shown to an assessor (counts towards required evidence).
    pub fn is_present(self) -> bool {
        matches!(
            self,
            EvidenceStatus::Ok | EvidenceStatus::Modified | EvidenceStatus::Moved
        )
    }

    /// Whether the lead should look at the item (changed, missing or unreadable): what the
    /// dashboard's "needs attention" counts.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            EvidenceStatus::Modified | EvidenceStatus::Missing | EvidenceStatus::Unreadable
        )
    }
}

/// Why a file could not be read, as data (the OS's own words only when no kind fits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadProblem {
    /// Nothing is at the path.
    NotFound,
    /// Waymark may not read it.
    PermissionDenied,
    /// Something other than a regular file (a folder, a pipe, a device) is at the path.
    NotAFile,
    /// Anything else, in the operating system's words.
    Other {
        /// What the OS said.
        message: String,
    },
}

impl ReadProblem {
    /// The kind of an I/O failure.
    pub fn of(e: &std::io::Error) -> Self {
        use std::io::ErrorKind;
        match e.kind() {
            ErrorKind::NotFound => ReadProblem::NotFound,
            ErrorKind::PermissionDenied => ReadProblem::PermissionDenied,
            // FileFacts::of refuses anything but a regular file; a folder may also fail on read.
            ErrorKind::InvalidInput | ErrorKind::IsADirectory => ReadProblem::NotAFile,
            _ => ReadProblem::Other {
                message: e.to_string(),
            },
        }
    }
}

/// Why an item has its status, as data (kept in the database as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StatusDetail {
    /// The content differs from the accepted version.
    Changed,
    /// The file is no longer at its path and its content was not found elsewhere.
    Gone,
    /// The accepted content was found at a new path, which the item now points to.
    MovedFrom {
        /// The old path (for people).
        from: String,
    },
    /// The file was found at a new path with content changed since it was accepted.
    MovedAndChanged {
        /// The old path (for people).
        from: String,
    },
    /// The file is there but cannot be read.
    Unreadable {
        /// Why.
        problem: ReadProblem,
    },
}

/// A link from an item to a benchmark, optionally to one of its evidence requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceLink {
    /// The benchmark.
    pub benchmark_id: String,
    /// The requirement it satisfies, if any.
    pub requirement_id: Option<String>,
}

/// One tracked evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceItem {
    /// Stable id.
    pub id: String,
    /// Where the file is (for people; non-UTF-8 bytes shown as �).
    pub path: String,
    /// Title (defaults to the file name).
    pub title: String,
    /// A note about it.
    pub note: Option<String>,
    /// Media type guessed from the name.
    pub media_type: String,
    /// Size in bytes at the accepted version.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// BLAKE3 of the accepted version (hex).
    pub hash: String,
    /// Status after the last scan.
    pub status: EvidenceStatus,
    /// Why it has that status (moved from where, why it cannot be read).
    pub status_detail: Option<StatusDetail>,
    /// Whether the file is there to show an assessor (counts towards required evidence).
    pub present: bool,
    /// Whether the lead should look at it (changed, missing, unreadable).
    pub needs_attention: bool,
    /// Whether it shows pupils' personal data.
    pub personal_data: bool,
    /// The hash of the version copied into the vault, once frozen.
    pub frozen_hash: Option<String>,
    /// Benchmarks and requirements it serves.
    pub links: Vec<EvidenceLink>,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: String,
}

/// A folder added as evidence: watched for changes while the app runs and searched for files
/// that moved. Kept apart from its files so a folder that is empty today still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFolder {
    /// The folder, exactly as the OS names it (non-UTF-8 names kept).
    pub path: std::path::PathBuf,
    /// Who added it.
    pub added_by: String,
    /// When (RFC 3339).
    pub added_at: String,
}
