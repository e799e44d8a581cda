//! Rescans: every item, or only those at the paths a watcher reported.

use std::collections::HashSet;
use std::path::PathBuf;

use super::moves::{Missing, find_moved};
use super::search_index::{IndexUpdate, TrackedPaths};
use super::watched::watched;
use super::workers::{Step, observe_all};
use super::{OnProgress, RescanReport, WorkProgress, absolute};
use crate::error::{Error, Result};
use crate::evidence::{EvidenceStatus, Look, Observation, StatusDetail};
use crate::store::Review;
use crate::store::evidence::{Finding, Glance, Tracked};
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
        let mut progress = WorkProgress::default();
        let mut report = RescanReport::default();
        // The items to record something for: their place among the glances, what was seen and
        // when. An ok item whose size and time are unchanged is not among them: writing
        // nothing for it keeps a quiet rescan of 10,000 files to stats alone.
        let mut closer: Vec<(usize, Look, i64)> = Vec::new();
        let store = &self.store;
        // Stat (and, where needed, hash) in parallel, starting while the items are still being
        // read; tally on this thread, reporting progress and honouring a cancel after each
        // chunk.
        let glances = observe_all(
            |each| match only {
                None => store.each_glance(&review.id, each),
                Some(changed) => {
                    store
                        .glances_under(&review.id, changed)?
                        .into_iter()
                        .for_each(each);
                    Ok(())
                }
            },
            |step| match step {
                Step::Read { files, bytes } => {
                    progress.files_total = files;
                    progress.bytes_total = bytes;
                    on_progress(&progress)
                }
                Step::Chunk {
                    base,
                    items,
                    looks,
                    checked_at_ns,
                } => {
                    for (j, (g, look)) in items.iter().zip(looks).enumerate() {
                        progress.files_done += 1;
                        progress.bytes_done += g.size;
                        report.checked += 1;
                        if look.unchanged() && g.status == EvidenceStatus::Ok {
                            report.ok += 1;
                        } else {
                            closer.push((base + j, look, checked_at_ns));
                        }
                    }
                    on_progress(&progress)
                }
            },
        )?;
        let Some(glances) = glances else {
            return Err(Error::Cancelled);
        };
        // The whole record of only the items that need one.
        let rowids: Vec<i64> = closer.iter().map(|&(i, ..)| glances[i].rowid).collect();
        let tracked = self.store.tracked_rows(&rowids)?;
        let mut findings = Vec::with_capacity(tracked.len());
        let mut gone = Vec::new();
        for (ti, ((_, look, checked_at_ns), t)) in closer.into_iter().zip(&tracked).enumerate() {
            let mut f = Finding {
                id: t.id.clone(),
                status: EvidenceStatus::Ok,
                detail: None,
                moved_to: None,
                facts: None,
                seen_hash: None,
                checked_at_ns,
            };
            match look.against(&t.hash) {
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
        let mut changes = IndexChanges::default();
        let looked = Looked {
            glances: &glances,
            tracked: &tracked,
            gone: &gone,
        };
        match only {
            None => self.search_all(review, &looked, &mut findings, &mut changes, &mut report)?,
            Some(paths) => self.search_batch(
                review,
                paths,
                &looked,
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
        looked: &Looked<'_>,
        findings: &mut Vec<Finding>,
        changes: &mut IndexChanges,
        report: &mut RescanReport,
    ) -> Result<()> {
        let covered = self.store.search_roots(&review.id)?;
        if looked.gone.is_empty() && covered.is_empty() {
            return Ok(());
        }
        let roots = watched(
            self.store.evidence_folders(&review.id)?,
            looked.glances.iter().map(|g| g.path.as_path()),
        );
        let mut update =
            IndexUpdate::new(&self.store, &review.id, TrackedPaths::all(looked.glances))?;
        update.refresh(&roots, &covered)?;
        // Written first, so the search reads the index as it is now (only when a folder
        // changed since it was listed, or on the first search).
        let listed = update.changes;
        self.store.apply_rescan(&review.id, &[], &listed)?;
        let missing: Vec<Missing<'_>> = looked.missing().collect();
        find_moved(&self.store, &review.id, &missing, findings, changes, report)
    }

    /// The search after a watcher's batch: the index takes in the paths the batch names (the
    /// rest of it is unchanged: the watcher would have said), and missing items are looked for
    /// in it when the batch made one missing or changed an untracked file. The index is built
    /// (or extended to newly watched folders) only when a search needs it.
    fn search_batch(
        &mut self,
        review: &Review,
        paths: &[PathBuf],
        looked: &Looked<'_>,
        findings: &mut Vec<Finding>,
        changes: &mut IndexChanges,
        report: &mut RescanReport,
    ) -> Result<()> {
        let covered = self.store.search_roots(&review.id)?;
        let mut update = IndexUpdate::new(&self.store, &review.id, TrackedPaths::Ask)?;
        let uncovered = !covered.is_empty() && update.apply_paths(&covered, paths)?;
        let looked_at: HashSet<i64> = looked.glances.iter().map(|g| g.rowid).collect();
        let earlier: Vec<Tracked> = self
            .store
            .missing_items(&review.id)?
            .into_iter()
            .filter(|t| !looked_at.contains(&t.rowid))
            .collect();
        let search = !looked.gone.is_empty()
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
        let missing: Vec<Missing<'_>> = looked
            .missing()
            .chain(earlier.iter().map(|t| (None, t)))
            .collect();
        find_moved(&self.store, &review.id, &missing, findings, changes, report)
    }
}

/// What the stats of a rescan found, for the search for missing items that follows.
struct Looked<'a> {
    /// Every item glanced at, in order.
    glances: &'a [Glance],
    /// The whole record of the items something is recorded for.
    tracked: &'a [Tracked],
    /// The items found gone: the index of each one's finding and its place in `tracked`.
    gone: &'a [(usize, usize)],
}

impl<'a> Looked<'a> {
    /// The items found gone, to look for.
    fn missing(&self) -> impl Iterator<Item = Missing<'a>> + '_ {
        self.gone
            .iter()
            .map(|&(i, ti)| (Some(i), &self.tracked[ti]))
    }
}
