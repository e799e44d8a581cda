//! The watched folders: the folders added as evidence plus the folders tracked files are in.

use std::path::{Path, PathBuf};

use super::absolute;
use crate::error::{Entity, Error, Hint, Result};
use crate::evidence::{EvidenceFolder, parent_of};
use crate::store::Review;
use crate::workspace::Workspace;

/// Folders without those inside another one of them, so no file is visited twice.
pub(super) fn minimise(mut folders: Vec<PathBuf>) -> Vec<PathBuf> {
    // Paths sort component by component, so a folder's subfolders come right after it.
    folders.sort();
    folders.dedup();
    let mut kept: Vec<PathBuf> = Vec::with_capacity(folders.len());
    for f in folders {
        if kept.last().is_none_or(|k| !f.starts_with(k)) {
            kept.push(f);
        }
    }
    kept
}

/// The folders added as evidence plus the folders tracked files are in, minimised.
pub(super) fn watched<'a>(
    recorded: Vec<EvidenceFolder>,
    tracked: impl IntoIterator<Item = &'a Path>,
) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = recorded.into_iter().map(|f| f.path).collect();
    // Items added together share a folder and come one after another: comparing with the last
    // folder kept (as bytes) leaves a handful to sort instead of one per item.
    let mut last: Option<&Path> = None;
    for dir in tracked.into_iter().filter_map(parent_of) {
        if last.is_none_or(|l| l.as_os_str() != dir.as_os_str()) {
            all.push(dir.to_owned());
            last = Some(dir);
        }
    }
    minimise(all)
}

impl Workspace {
    /// The folders to watch for changes and to search for moved files: the folders added as
    /// evidence plus the folder of every tracked file, without folders inside others (a
    /// recursive watch of the outer one covers them). The desktop shell hands these to a
    /// [`crate::evidence::FolderWatcher`]; rescans search the same ones.
    pub fn watched_folders(&self, review: &Review) -> Result<Vec<PathBuf>> {
        Ok(watched(
            self.store.evidence_folders(&review.id)?,
            self.store
                .tracked_paths(&review.id)?
                .iter()
                .map(PathBuf::as_path),
        ))
    }

    /// Stops watching a folder added as evidence. Items already added from it stay tracked
    /// (remove them one by one), and the folders they are in are still searched for moves.
    pub fn remove_watched_folder(&mut self, review: &Review, folder: &Path) -> Result<()> {
        if self
            .store
            .remove_evidence_folder(&review.id, &absolute(folder))?
        {
            return Ok(());
        }
        let recorded: Vec<String> = self
            .store
            .evidence_folders(&review.id)?
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        Err(Error::not_found(
            Entity::WatchedFolder,
            folder.display().to_string(),
            Hint::Available { ids: recorded },
        ))
    }

    /// The folders added whole as evidence (each watched even while empty).
    pub fn evidence_folders(&self, review: &Review) -> Result<Vec<EvidenceFolder>> {
        self.store.evidence_folders(&review.id)
    }
}
