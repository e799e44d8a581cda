//! Evidence operations on a workspace: add files and folders, link, rescan, accept changes.
//!
//! One room per kind of thing: `reports.rs` holds what the operations hand back (the types
//! front ends show), `add.rs` adding and linking, `rescan.rs` rescans (all items or the
//! changed paths), `workers.rs` the worker pool that looks at files, `moves.rs` the search for
//! missing items' content, `search_index.rs` the index it searches, `watched.rs` the watched folders, `freeze.rs` copying into the
//! vault, `items.rs` reading and editing single items.

mod add;
mod freeze;
mod items;
mod moves;
mod reports;
mod rescan;
mod search_index;
mod watched;
mod workers;

use std::path::{Path, PathBuf};

pub use reports::{
    AddReport, EvidenceLibrary, FreezeReport, OnProgress, RescanReport, SkipReason, Skipped,
    WorkProgress,
};

pub(super) use crate::evidence::now_ns;

/// `path` made absolute without touching the disk (symlinks kept), as items are stored.
pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}
