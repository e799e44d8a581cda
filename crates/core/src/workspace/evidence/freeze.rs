//! Freezing: copying each present item's accepted content into the vault.

use std::collections::HashMap;

use super::{FreezeReport, OnProgress, SkipReason, Skipped, WorkProgress};
use crate::error::{Error, Result};
use crate::evidence::{EvidenceStatus, Stored};
use crate::store::Review;
use crate::workspace::Workspace;

impl Workspace {
    /// Copies every present item's accepted content into the data folder's vault (once per
    /// distinct content), checking each file still has that content while it is copied.
    /// Items that are modified, missing, unreadable or changed since the last scan are skipped
    /// with the reason; the rest are frozen.
    pub fn freeze(&mut self, review: &Review) -> Result<FreezeReport> {
        self.freeze_with_progress(review, &mut |_| true)
    }

    /// [`Workspace::freeze`], reporting after each file (copying 5 GB of video takes a while,
    /// and an application waits for it). Returning `false` cancels: nothing is recorded (what
    /// was copied stays in the vault, where the next freeze finds it).
    pub fn freeze_with_progress(
        &mut self,
        review: &Review,
        on_progress: OnProgress<'_>,
    ) -> Result<FreezeReport> {
        let vault = self.vault();
        let statuses: HashMap<String, (EvidenceStatus, String)> = self
            .store
            .evidence(&review.id)?
            .into_iter()
            .map(|i| (i.id, (i.status, i.title)))
            .collect();
        let mut report = FreezeReport::default();
        let mut frozen = Vec::new();
        let tracked = self.store.tracked(&review.id)?;
        let mut progress = WorkProgress {
            files_done: 0,
            files_total: tracked.len() as u64,
            bytes_done: 0,
            bytes_total: tracked.iter().map(|t| t.size).sum(),
        };
        for t in tracked {
            if !on_progress(&progress) {
                return Err(Error::Cancelled);
            }
            progress.files_done += 1;
            progress.bytes_done += t.size;
            let (status, title) = statuses
                .get(&t.id)
                .cloned()
                .unwrap_or((EvidenceStatus::Missing, String::new()));
            let skip = |reason: SkipReason| Skipped {
                path: t.path.to_string_lossy().into_owned(),
                title: Some(title.clone()),
                reason,
            };
            let reason = match status {
                EvidenceStatus::Ok | EvidenceStatus::Moved => None,
                EvidenceStatus::Modified => Some(SkipReason::Modified),
                EvidenceStatus::Missing => Some(SkipReason::Missing),
                EvidenceStatus::Unreadable => Some(SkipReason::Unreadable),
            };
            if let Some(reason) = reason {
                report.skipped.push(skip(reason));
                continue;
            }
            match vault.store(&t.path, &t.hash) {
                Ok(Stored::Copied(bytes)) => {
                    report.copied += 1;
                    report.bytes_copied += bytes;
                    frozen.push((t.id.clone(), t.hash.clone(), t.size));
                }
                Ok(Stored::AlreadyThere) => frozen.push((t.id.clone(), t.hash.clone(), t.size)),
                Ok(Stored::Changed(_)) => report.skipped.push(skip(SkipReason::ChangedSinceScan)),
                Err(e) => report.skipped.push(skip(SkipReason::CopyFailed {
                    message: e.to_string(),
                })),
            }
        }
        if !on_progress(&progress) {
            return Err(Error::Cancelled);
        }
        report.frozen = frozen.len() as u32;
        self.store.record_frozen(&frozen)?;
        Ok(report)
    }
}
