//! The rights over a data folder's personal data, decided here once for the app and the CLI:
//! access (the overview), portability (export, import), rectification (a correction owed to
//! the awarding body), restriction (network activity paused) and erasure.

use std::path::Path;

use crate::error::Result;
use crate::evidence::VAULT_DIR;
use crate::privacy::{
    EnrolledWith, ErasureRecord, FilesSize, HeldCount, HeldKind, KnownExport, PrivacyOverview,
    SentRecord,
};

use super::Workspace;
use crate::outbox::OUTBOX_DIR;

mod erase;
mod export;
mod import;

/// Local setting: when network activity was paused (absent: not paused).
const RESTRICTED_SETTING: &str = "network_restricted_since";
/// Local setting: when the profile or working group last changed while enrolled and has not
/// been sent since (absent: nothing owed).
const CORRECTION_SETTING: &str = "profile_changed_at";
/// Local setting: the exports made from this folder (JSON list of [`KnownExport`]).
const EXPORTS_SETTING: &str = "exports";

impl Workspace {
    /// What this folder holds and has sent, for the Privacy screen and `waymark privacy`.
    pub fn privacy_overview(&self) -> Result<PrivacyOverview> {
        let mut held = Vec::with_capacity(HeldKind::TABLES.len());
        for &(kind, table) in HeldKind::TABLES {
            held.push(HeldCount {
                kind,
                count: self.store.count_rows(table)?,
            });
        }
        let mut tracked_folders = Vec::new();
        for review in self.reviews()? {
            for folder in self.watched_folders(&review)? {
                let shown = folder.display().to_string();
                if !tracked_folders.contains(&shown) {
                    tracked_folders.push(shown);
                }
            }
        }
        let enrollment = self.enrollment()?;
        let enrolled_with = enrollment.as_ref().map(|e| EnrolledWith {
            awarding_body: e.awarding_body.clone(),
            endpoint: e.endpoint.clone(),
            institution_name: e.institution_name.clone(),
            enrolled_at: e.enrolled_at.to_rfc3339(),
        });
        let mut sent: Vec<SentRecord> = self
            .outbox()?
            .into_iter()
            .map(|s| SentRecord {
                submission_id: s.id,
                award: s.award,
                to: enrollment
                    .as_ref()
                    .map_or_else(String::new, |e| e.awarding_body.clone()),
                endpoint: enrollment
                    .as_ref()
                    .map_or_else(String::new, |e| e.endpoint.clone()),
                state: s.state.as_str().to_owned(),
                queued_at: s.queued_at.to_rfc3339(),
                sent_at: s.sent_at.map(|t| t.to_rfc3339()),
                files: u32::try_from(s.blobs.len().saturating_sub(1)).unwrap_or(u32::MAX),
            })
            .collect();
        sent.sort_by(|a, b| b.queued_at.cmp(&a.queued_at));
        Ok(PrivacyOverview {
            data_dir: self.data_dir.display().to_string(),
            held,
            tracked_folders,
            vault: folder_size(&self.data_dir.join(VAULT_DIR)),
            outbox: folder_size(&self.data_dir.join(OUTBOX_DIR)),
            enrolled_with,
            sent,
            network_restricted: self.network_restricted()?,
            correction_due: self.profile_correction_due()?.is_some(),
            exports: self.known_exports()?,
            erasures: self
                .store
                .erasures()?
                .into_iter()
                .map(|(kind, erased_at, erased_by)| ErasureRecord {
                    kind,
                    erased_at,
                    erased_by,
                })
                .collect(),
        })
    }

    /// Whether network activity is paused (the right to restriction): nothing is sent,
    /// checked or downloaded until it is resumed, and the outbox says it is waiting.
    pub fn network_restricted(&self) -> Result<bool> {
        Ok(self.store.local_setting(RESTRICTED_SETTING)?.is_some())
    }

    /// Pauses (`true`) or resumes network activity.
    pub fn set_network_restricted(&mut self, restricted: bool) -> Result<()> {
        if restricted == self.network_restricted()? {
            return Ok(());
        }
        let since = restricted.then(crate::store::now);
        self.store
            .set_local_setting(RESTRICTED_SETTING, since.as_deref())
    }

    /// When a correction of the profile or working group made while enrolled is still to be
    /// sent to the awarding body: the time of the change the correction must carry.
    pub fn profile_correction_due(&self) -> Result<Option<String>> {
        self.store.local_setting(CORRECTION_SETTING)
    }

    /// Records that the correction of `changed_at` reached the awarding body; a change made
    /// since is still owed.
    pub fn record_profile_correction_sent(&mut self, changed_at: &str) -> Result<()> {
        if self.profile_correction_due()?.as_deref() == Some(changed_at) {
            self.store.set_local_setting(CORRECTION_SETTING, None)?;
        }
        Ok(())
    }

    /// Notes a change of the profile or working group: owed to the awarding body once
    /// enrolled (before enrolment the endpoint has nothing to correct; the enrolment itself
    /// sends the details).
    pub(super) fn note_profile_changed(&mut self) -> Result<()> {
        if self.enrollment()?.is_some() {
            self.store
                .set_local_setting(CORRECTION_SETTING, Some(&crate::store::now()))?;
        }
        Ok(())
    }

    /// The exports made from this folder.
    pub fn known_exports(&self) -> Result<Vec<KnownExport>> {
        Ok(self
            .store
            .local_setting(EXPORTS_SETTING)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    fn remember_export(&mut self, export: KnownExport) -> Result<()> {
        let mut known = self.known_exports()?;
        known.retain(|k| k.path != export.path);
        known.push(export);
        let text = serde_json::to_string(&known)
            .map_err(|e| crate::Error::Internal(format!("The list of exports: {e}")))?;
        self.store.set_local_setting(EXPORTS_SETTING, Some(&text))
    }
}

/// Files under a folder and their size (0 when it does not exist).
fn folder_size(root: &Path) -> FilesSize {
    let mut size = FilesSize::default();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(entry.path()),
                Ok(t) if t.is_file() => {
                    size.files += 1;
                    size.bytes += entry.metadata().map_or(0, |m| m.len());
                }
                _ => {}
            }
        }
    }
    size
}
