//! What evidence operations hand back: reports, progress, skipped paths and their reasons.

use serde::Serialize;

use crate::evidence::{EvidenceItem, ReadProblem};

/// A path that could not be added or frozen, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    /// The path (lossy for non-UTF-8 names).
    pub path: String,
    /// The item's title, when it was a tracked item.
    pub title: Option<String>,
    /// Why.
    pub reason: SkipReason,
}

/// Why a file was skipped, as data (worded by each front end; see `crate::english`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// The file or folder could not be read.
    CannotRead {
        /// Why.
        problem: ReadProblem,
    },
    /// Not frozen: modified since it was added (accept or restore it first).
    Modified,
    /// Not frozen: missing.
    Missing,
    /// Not frozen: cannot be read.
    Unreadable,
    /// Not frozen: it changed after the last scan.
    ChangedSinceScan,
    /// Copying it into the vault failed.
    CopyFailed {
        /// What the operating system said.
        message: String,
    },
}

/// Everything the evidence screen lists: the items, the folders added as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceLibrary {
    /// Tracked items, in the order added.
    pub items: Vec<EvidenceItem>,
    /// The watched folders ([`Workspace::watched_folders`]), for people (lossy names).
    pub folders: Vec<String>,
}

/// What adding evidence did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AddReport {
    /// Items added or newly linked.
    pub added: Vec<EvidenceItem>,
    /// Paths skipped, each with its reason; the rest were still added.
    pub skipped: Vec<Skipped>,
}

/// What a rescan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RescanReport {
    /// Items checked.
    pub checked: u32,
    /// Items whose content had to be hashed (the rest were judged by size and time).
    pub hashed: u32,
    /// Items per status after the scan.
    pub ok: u32,
    /// Content differs from the accepted version.
    pub modified: u32,
    /// Gone and not found elsewhere.
    pub missing: u32,
    /// Found at a new path and relinked.
    pub moved: u32,
    /// There but not readable.
    pub unreadable: u32,
}

/// How far a long evidence operation has got, for progress bars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkProgress {
    /// Files dealt with so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub files_done: u64,
    /// Files in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub files_total: u64,
    /// Bytes of those files so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_done: u64,
    /// Bytes in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_total: u64,
}

/// Called before the work starts, after each file (a rescan: each chunk of files), and every
/// 100 ms while a long file is being hashed; returning `false` cancels the operation, which
/// then saves nothing.
pub type OnProgress<'a> = &'a mut dyn FnMut(&WorkProgress) -> bool;

/// What freezing evidence into the vault did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FreezeReport {
    /// Items whose accepted content is now in the vault.
    pub frozen: u32,
    /// Of those, blobs newly copied (the rest were already there: identical files are stored once).
    pub copied: u32,
    /// Bytes copied.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_copied: u64,
    /// Items not frozen, each with the reason and what to do.
    pub skipped: Vec<Skipped>,
}
