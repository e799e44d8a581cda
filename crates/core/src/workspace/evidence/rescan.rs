//! Rescans: every item, or only those at the paths a watcher reported.

use std::path::PathBuf;

use super::moves::find_moved;
use super::watched::watched;
use super::workers::observe_chunks;
use super::{OnProgress, RescanReport, WorkProgress, absolute};
use crate::error::{Error, Result};
use crate::evidence::{EvidenceStatus, Observation, StatusDetail};
use crate::store::Review;
use crate::store::evidence::Finding;
use crate::workspace::Workspace;

impl Workspace {
    /// Looks at every item again: size and time first, hashing only what may have changed.
    /// A missing item whose content is found elsewhere in the watched folders
    /// ([`Workspace::watched_folders`]) is relinked and reported as moved.
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
    /// stat 10,000 files. Missing items are still looked for in every watched folder, and the
    /// report counts only the items looked at. Paths that are not tracked (a new file) are
    /// ignored.
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
        if !gone.is_empty() {
            // Every tracked path: the search skips them and their folders are searched.
            let all: Vec<PathBuf> = match only {
                None => tracked.iter().map(|t| t.path.clone()).collect(),
                Some(_) => self.store.tracked_paths(&review.id)?,
            };
            let roots = watched(self.store.evidence_folders(&review.id)?, &all);
            find_moved(&roots, &all, &tracked, &gone, &mut findings, &mut report);
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
        if !findings.is_empty() {
            self.store.apply_findings(&findings)?;
        }
        Ok(report)
    }
}
