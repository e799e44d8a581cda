//! Rescans: every item, or only those at the paths a watcher reported.

use std::collections::HashSet;
use std::path::PathBuf;

use super::moves::{Missing, find_moved};
use super::search_index::{IndexUpdate, TrackedPaths};
use super::watched::watched;
use super::workers::observe_chunks;
use super::{OnProgress, RescanReport, WorkProgress, absolute};
use crate::error::{Error, Result};
use crate::evidence::{EvidenceStatus, Observation, StatusDetail};
use crate::store::Review;
use crate::store::evidence::{Finding, Tracked};
use crate::store::search_index::IndexChanges;
use crate::workspace::Workspace;

impl Workspace {
    /// Looks at every item again: size and time first, hashing only what may have changed.
    /// A missing item whose content is found elsewhere in the watched folders
    /// ([`Workspace::watched_folders`]) is relinked and reported as moved; only folders whose
    /// entries changed since the last search are listed again.
    pub fn rescan(&mut self, review: &Review) -> Result<RescanReport> {
        self.rescan_with(review, &mut |_| true)
    }

    /// [`Workspace::rescan`] reporting progress before it starts and after each chunk of files
    /// (looked at in parallel), cancellable (a cancelled rescan records nothing).
    pub fn rescan_with(
        &mut self,
        review: &Review,
        on_progress: OnProgress<'_>,
    ) -> Result<RescanReport> {
        self.rescan_items(review, None, on_progress)
    }

    /// Looks again only at the items at or under `changed` (the paths a
    /// [`crate::evidence::FolderWatcher`] batch names), so a change in one folder does not
    /// stat 10,000 files. A new or changed untracked file among them is checked against the
    /// missing items (one whose content it has is relinked, counted as moved); the report
    /// otherwise counts only the items looked at. No folder is walked: the search index takes
    /// in the paths named (see ARCHITECTURE.md, "Evidence").
    pub fn rescan_paths(&mut self, review: &Review, changed: &[PathBuf]) -> Result<RescanReport> {
        // Spelled as stored (absolute, no trailing separator) so the index finds them.
        let changed: Vec<PathBuf> = changed
            .iter()
            .map(|p| absolute(p).components().collect())
            .collect();
        self.rescan_items(review, Some(&changed), &mut |_| true)
    }

    fn rescan_items(
        &mut self,
        review: &Review,
        only: Option<&[PathBuf]>,
        on_progress: OnProgress<'_>,
    ) -> Result<RescanReport> {
        let tracked = match only {
            None => self.store.tracked(&review.id)?,
            Some(changed) => self.store.tracked_under(&review.id, changed)?,
        };
        let selected: Vec<usize> = (0..tracked.len()).collect();
        let mut progress = WorkProgress {
            files_total: selected.len() as u64,
            bytes_total: selected.iter().map(|&i| tracked[i].size).sum(),
            ..WorkProgress::default()
        };
        let mut report = RescanReport::default();
        let mut findings = Vec::new();
        let mut gone = Vec::new();
        if !on_progress(&progress) {
            return Err(Error::Cancelled);
        }
        // Stat (and, where needed, hash) in parallel; record on this thread, reporting progress
        // and honouring a cancel after each chunk.
        let completed =
            observe_chunks(&tracked, &selected, |chunk, observations, checked_at_ns| {
                for (&ti, observation) in chunk.iter().zip(observations) {
                    let t = &tracked[ti];
                    progress.files_done += 1;
                    progress.bytes_done += t.size;
                    report.checked += 1;
                    let mut f = Finding {
                        id: t.id.clone(),
                        status: EvidenceStatus::Ok,
                        detail: None,
                        moved_to: None,
                        facts: None,
                        seen_hash: None,
                        checked_at_ns,
                    };
                    match observation {
                        // Nothing to record: same status, same facts, no hash needed. Writing nothing
                        // keeps a quiet rescan of 10,000 files to stats alone.
                        Observation::Same { hashed: false, .. }
                            if t.status == EvidenceStatus::Ok =>
                        {
                            report.ok += 1;
                            continue;
                        }
                        Observation::Same { facts, hashed } => {
                            report.hashed += u32::from(hashed);
                            f.facts = Some(facts);
                        }
                        Observation::Changed { facts, hash } => {
                            report.hashed += 1;
                            f.status = EvidenceStatus::Modified;
                            f.detail = Some(StatusDetail::Changed);
                            f.facts = Some(facts);
                            f.seen_hash = Some(hash);
                        }
                        Observation::Unreadable(problem) => {
                            f.status = EvidenceStatus::Unreadable;
                            f.detail = Some(StatusDetail::Unreadable { problem });
                        }
                        Observation::Gone => {
                            gone.push((findings.len(), ti));
                            f.status = EvidenceStatus::Missing;
                            f.detail = Some(StatusDetail::Gone);
                        }
                    }
                    findings.push(f);
                }
                on_progress(&progress)
            });
        if !completed {
            return Err(Error::Cancelled);
        }
        let mut changes = IndexChanges::default();
        match only {
            None => self.search_all(
                review,
                &tracked,
                &gone,
                &mut findings,
                &mut changes,
                &mut report,
            )?,
            Some(paths) => self.search_batch(
                review,
                paths,
                &tracked,
                &gone,
                &mut findings,
                &mut changes,
                &mut report,
            )?,
        }
        for f in &findings {
            match f.status {
                EvidenceStatus::Ok => report.ok += 1,
                EvidenceStatus::Modified => report.modified += 1,
                EvidenceStatus::Missing => report.missing += 1,
                EvidenceStatus::Moved => report.moved += 1,
                EvidenceStatus::Unreadable => report.unreadable += 1,
            }
        }
        // An item that was missing and still is has nothing new to record: with a few files
        // missing, a quiet rescan still writes nothing.
        let unchanged: HashSet<usize> = gone
            .iter()
            .filter(|&&(i, ti)| {
                tracked[ti].status == EvidenceStatus::Missing
                    && findings[i].status == EvidenceStatus::Missing
            })
            .map(|&(i, _)| i)
            .collect();
        let findings: Vec<Finding> = findings
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !unchanged.contains(i))
            .map(|(_, f)| f)
            .collect();
        self.store.apply_rescan(&review.id, &findings, &changes)?;
        Ok(report)
    }

    /// The search after a full rescan: brings the index up to date (listing only folders
    /// changed since they were listed) when something is missing or the index exists (so it
    /// stays true for watcher batches), and looks for every missing item in it.
    fn search_all(
        &mut self,
        review: &Review,
        tracked: &[Tracked],
        gone: &[(usize, usize)],
        findings: &mut Vec<Finding>,
        changes: &mut IndexChanges,
        report: &mut RescanReport,
    ) -> Result<()> {
        let covered = self.store.search_roots(&review.id)?;
        if gone.is_empty() && covered.is_empty() {
            return Ok(());
        }
        let roots = watched(
            self.store.evidence_folders(&review.id)?,
            tracked.iter().map(|t| t.path.as_path()),
        );
        let mut update = IndexUpdate::new(&self.store, &review.id, TrackedPaths::all(tracked))?;
        update.refresh(&roots, &covered)?;
        // Written first, so the search reads the index as it is now (only when a folder
        // changed since it was listed, or on the first search).
        let listed = update.changes;
        self.store.apply_rescan(&review.id, &[], &listed)?;
        let missing: Vec<Missing<'_>> = gone
            .iter()
            .map(|&(i, ti)| (Some(i), &tracked[ti]))
            .collect();
        find_moved(&self.store, &review.id, &missing, findings, changes, report)
    }

    /// The search after a watcher's batch: the index takes in the paths the batch names (the
    /// rest of it is unchanged: the watcher would have said), and missing items are looked for
    /// in it when the batch made one missing or changed an untracked file. The index is built
    /// (or extended to newly watched folders) only when a search needs it.
    #[allow(clippy::too_many_arguments)]
    fn search_batch(
        &mut self,
        review: &Review,
        paths: &[PathBuf],
        tracked: &[Tracked],
        gone: &[(usize, usize)],
        findings: &mut Vec<Finding>,
        changes: &mut IndexChanges,
        report: &mut RescanReport,
    ) -> Result<()> {
        let covered = self.store.search_roots(&review.id)?;
        let mut update = IndexUpdate::new(&self.store, &review.id, TrackedPaths::Ask)?;
        let uncovered = !covered.is_empty() && update.apply_paths(&covered, paths)?;
        let looked_at: HashSet<&str> = tracked.iter().map(|t| t.id.as_str()).collect();
        let earlier: Vec<Tracked> = self
            .store
            .missing_items(&review.id)?
            .into_iter()
            .filter(|t| !looked_at.contains(t.id.as_str()))
            .collect();
        let search = !gone.is_empty()
            || (!earlier.is_empty()
                && (update.candidates_changed || uncovered || covered.is_empty()));
        if search && (covered.is_empty() || uncovered) {
            let roots = watched(
                self.store.evidence_folders(&review.id)?,
                self.store
                    .tracked_paths(&review.id)?
                    .iter()
                    .map(PathBuf::as_path),
            );
            update.extend(&roots, &covered)?;
        }
        let listed = update.changes;
        if !search {
            *changes = listed;
            return Ok(());
        }
        self.store.apply_rescan(&review.id, &[], &listed)?;
        let missing: Vec<Missing<'_>> = gone
            .iter()
            .map(|&(i, ti)| (Some(i), &tracked[ti]))
            .chain(earlier.iter().map(|t| (None, t)))
            .collect();
        find_moved(&self.store, &review.id, &missing, findings, changes, report)
    }
}
