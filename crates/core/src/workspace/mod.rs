//! The one entry point front ends use: a data folder's store plus the frameworks it needs.
//!
//! Every operation validates user input against the review's own framework version before it
//! reaches the store, so the store never holds a level off the scale or a benchmark that does
//! not exist. The CLI and the desktop shell are thin adapters over these methods.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Entity, Error, Hint, Result};
use crate::evidence::EvidenceStatus;
use crate::framework::{Catalog, Framework, FrameworkDef, FrameworkError, ScaleLevel};
use crate::keys::{FolderKeys, KeyStore, OsKeychain};
use crate::progress::{self, Progress};
use crate::store::{
    ActionStatus, ArchivedResponse, Contributor, ContributorInput, FutureAction, HistoryEntry,
    Institution, InstitutionInput, NewAction, Response, ResponseEdit, Review, Store,
};
use crate::upgrade::{self, UpgradeReport};

mod evidence;
mod outbox;
mod privacy;
mod renewal;
pub use evidence::{
    AddReport, EvidenceLibrary, FreezeReport, OnProgress, RescanReport, SkipReason, Skipped,
    WorkProgress,
};

/// Longest commentary accepted: about 100,000 words, far beyond any real commentary, small
/// enough that a pasted file by mistake is refused rather than stored.
pub const MAX_COMMENTARY_CHARS: usize = 500_000;

/// Folder inside the data folder where extra framework files are installed.
pub const FRAMEWORKS_DIR: &str = "frameworks";

/// The local setting that holds the name recorded in the history for changes made here.
const AUTHOR_SETTING: &str = "author";

/// An open data folder: the only door into the core. Front ends (the desktop shell, the CLI,
/// the documents crate) call these methods and nothing below them; the store is private, so
/// every rule and every validation is here or in a type this returns.
#[derive(Debug)]
pub struct Workspace {
    store: Store,
    /// Where the folder's data key is kept (the OS keychain unless opened with other keys).
    key_store: Arc<dyn KeyStore>,
    /// The folder's keys; `None` only for the benches' plaintext door.
    folder_keys: Option<Arc<FolderKeys>>,
    /// Loaded on first use: opening a data folder to show status must not parse every
    /// installed framework.
    catalog: OnceCell<(Catalog, Vec<FrameworkError>)>,
    data_dir: PathBuf,
    /// Parsed framework versions, by (id, version): reads take `&self`, so the cache is
    /// filled through a `RefCell` (a `Workspace` is used by one thread at a time).
    frameworks: RefCell<HashMap<(String, String), Arc<Framework>>>,
    /// The day rules about dates are judged on; `None` is this computer's local date.
    today: Option<chrono::NaiveDate>,
}

/// The framework a review is judged by, with the facts about it the UI must not work out
/// itself: benchmark order and the levels in order of maturity.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewFramework {
    /// The review.
    pub review: Review,
    /// The exact definition of the review's framework version.
    pub framework: FrameworkDef,
    /// The scale's levels from least to most mature (empty without a scale).
    pub levels_by_maturity: Vec<ScaleLevel>,
    /// Every benchmark in framework order.
    pub order: Vec<BenchmarkPlace>,
}

/// Where a benchmark sits in its framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BenchmarkPlace {
    /// The benchmark.
    pub id: String,
    /// Its dimension.
    pub dimension: String,
    /// Its group, when the dimension is grouped.
    pub group: Option<String>,
}

/// Everything a benchmark's page shows besides the framework text.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BenchmarkDetail {
    /// The current response, if answered.
    pub response: Option<Response>,
    /// Every change, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Future actions linked to this benchmark.
    pub actions: Vec<FutureAction>,
    /// The previous benchmark in framework order.
    pub previous: Option<String>,
    /// The next benchmark in framework order.
    pub next: Option<String>,
}

/// Tracked evidence files at a glance, for the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceSummary {
    /// Files tracked.
    pub files: u32,
    /// Of those, files the lead should look at (changed, missing, unreadable).
    pub needs_attention: u32,
}

/// A change to a response; `None` fields are left as they are.
#[derive(Debug, Clone, Default)]
pub struct ResponseUpdate {
    /// `Some(None)` clears the level.
    pub level: Option<Option<u8>>,
    /// New commentary.
    pub commentary: Option<String>,
    /// The revision the editor started from, to refuse edits over someone else's newer change.
    pub base_revision: Option<i64>,
}

/// The review's state at a glance: what `waymark status` and the dashboard show.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Status {
    /// The institution.
    pub institution: Institution,
    /// The review.
    pub review: Review,
    /// Framework title.
    pub framework_title: String,
    /// Progress and awards.
    pub progress: Progress,
    /// Responses carried from an earlier version and awaiting confirmation.
    pub awaiting_confirmation: Vec<String>,
    /// Tracked evidence files.
    pub evidence_files: EvidenceSummary,
    /// The action plan at a glance.
    pub actions: ActionSummary,
}

/// The action plan at a glance, for the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionSummary {
    /// Actions planned (any status): what award rules count.
    pub planned: u32,
    /// Of those, not done yet.
    pub open: u32,
    /// Of the open ones, past their due date today.
    pub overdue: u32,
}

impl Workspace {
    /// Opens a data folder: its database, the bundled frameworks and any in `frameworks/`.
    /// Everything in it is encrypted with a key kept in the OS keychain (a new folder gets a
    /// new key; an earlier version's plaintext folder is encrypted in place, crash-safe); see
    /// [`crate::keys`].
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with_keys(data_dir, Arc::new(OsKeychain))
    }

    /// Opens a data folder whose key is kept in `keys` instead of the OS keychain (an
    /// [`EphemeralKeys`](crate::EphemeralKeys) for a throwaway folder; share the same `Arc`
    /// between opens of the same folder).
    pub fn open_with_keys(data_dir: &Path, keys: Arc<dyn KeyStore>) -> Result<Self> {
        let opened = crate::keys::folder::open(data_dir, keys.as_ref())?;
        Ok(Self::with_store(
            opened.store,
            keys,
            Some(opened.keys),
            data_dir,
        ))
    }

    /// Opens a folder WITHOUT encryption, as an earlier version of Waymark wrote it: only for
    /// the benchmarks' plaintext comparison and for tests that make an earlier version's folder
    /// (which the next [`open`](Self::open) encrypts). Refuses an encrypted folder.
    #[doc(hidden)]
    pub fn open_unencrypted(data_dir: &Path) -> Result<Self> {
        let store = crate::keys::folder::open_plaintext(data_dir)?;
        Ok(Self::with_store(
            store,
            crate::EphemeralKeys::new(),
            None,
            data_dir,
        ))
    }

    fn with_store(
        store: Store,
        key_store: Arc<dyn KeyStore>,
        folder_keys: Option<Arc<FolderKeys>>,
        data_dir: &Path,
    ) -> Self {
        Self {
            store,
            key_store,
            folder_keys,
            catalog: OnceCell::new(),
            data_dir: data_dir.to_owned(),
            frameworks: RefCell::default(),
            today: None,
        }
    }

    /// The id of the folder's data key in its key store (keychain entry `data-key:<id>` under
    /// service `waymark`); `None` only for a folder opened unencrypted.
    pub fn data_key_id(&self) -> Option<&str> {
        self.folder_keys.as_deref().map(|k| k.key_id.as_str())
    }

    /// The key store the folder's data key is kept in.
    pub fn key_store(&self) -> Arc<dyn KeyStore> {
        self.key_store.clone()
    }

    /// Closes the folder and deletes its data key from the key store: from then on nothing in
    /// the folder (database, vault) can be read by anyone, and opening it fails with
    /// `data_key_missing`. Returns whether an entry was there. For erasure.
    pub fn forget_data_key(self) -> Result<bool> {
        let Self {
            store,
            key_store,
            folder_keys,
            data_dir,
            ..
        } = self;
        drop(store);
        let Some(keys) = folder_keys else {
            return Ok(false);
        };
        key_store
            .delete(&keys.key_id)
            .map_err(|source| Error::Keychain {
                dir: data_dir,
                source,
            })
    }

    /// The folder's vault of frozen evidence (encrypted; read through it).
    pub fn vault(&self) -> crate::evidence::Vault {
        crate::evidence::Vault::new(&self.data_dir, self.folder_keys.clone())
    }

    /// The frozen copy with BLAKE3 `hash`, decrypted as it is read (check the hash as you
    /// read when the exact content matters: a damaged file fails or differs).
    pub fn open_frozen(&self, hash: &str) -> Result<crate::evidence::BlobReader> {
        let vault = self.vault();
        vault.open_blob(hash).map_err(|source| Error::Io {
            path: vault.blob_path(hash),
            action: crate::error::IoAction::Read,
            source,
        })
    }

    /// The day date rules (overdue actions) are judged on: the local date, unless fixed.
    pub fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Judges dates as if it were `day` (`None`: the real local date again). For tests and
    /// recordings that must not change with the calendar, and a preview of a later date.
    pub fn set_today(&mut self, day: Option<chrono::NaiveDate>) {
        self.today = day;
    }

    /// An action as the front ends see it: with whether it is overdue today.
    fn dated(&self, mut action: FutureAction) -> FutureAction {
        action.overdue = action.is_overdue(self.today());
        action
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// This installation's stable id: made when the data folder was first opened, kept in its
    /// database (so it moves with a restored backup), and the device's name to the endpoint.
    pub fn installation_id(&self) -> Result<String> {
        self.store.installation_id()
    }

    /// The name recorded in the history for changes made here, when one was set.
    pub fn author(&self) -> Result<Option<String>> {
        self.store.local_setting(AUTHOR_SETTING)
    }

    /// Sets (or with a blank name clears) the name recorded for changes made here.
    pub fn set_author(&mut self, name: &str) -> Result<Option<String>> {
        let name = name.trim();
        if name.chars().count() > 200 {
            return Err(Error::invalid(
                "author",
                "The name is over 200 characters; shorten it.",
            ));
        }
        let value = (!name.is_empty()).then_some(name);
        self.store.set_local_setting(AUTHOR_SETTING, value)?;
        Ok(value.map(str::to_owned))
    }

    /// The database's schema version.
    pub fn schema_version(&self) -> Result<i64> {
        self.store.schema_version()
    }

    /// SQLite's own integrity check: `["ok"]` when the database is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.store.integrity_check()
    }

    /// The frameworks available to register for.
    pub fn catalog(&self) -> Result<&Catalog> {
        Ok(&self.loaded_catalog()?.0)
    }

    /// Framework files in the data folder that were refused, with the reasons.
    pub fn refused_frameworks(&self) -> Result<&[FrameworkError]> {
        Ok(&self.loaded_catalog()?.1)
    }

    fn loaded_catalog(&self) -> Result<&(Catalog, Vec<FrameworkError>)> {
        if let Some(loaded) = self.catalog.get() {
            return Ok(loaded);
        }
        let loaded = Catalog::with_folder(&self.data_dir.join(FRAMEWORKS_DIR))?;
        Ok(self.catalog.get_or_init(|| loaded))
    }

    /// Registers the institution for a framework (latest version unless one is named). The
    /// institution's details are saved (or corrected) in the same step.
    pub fn register(
        &mut self,
        framework_id: &str,
        version: Option<&str>,
        institution: &InstitutionInput,
        by: &str,
    ) -> Result<Review> {
        let framework = self.catalog()?.find(framework_id, version)?.clone();
        self.store.register(&framework, institution, by)
    }

    /// The institution, once registered.
    pub fn institution(&self) -> Result<Institution> {
        self.store.institution()?.ok_or(Error::NotRegistered)
    }

    /// The institution, or `None` before registration.
    pub fn registered_institution(&self) -> Result<Option<Institution>> {
        self.store.institution()
    }

    /// Corrects the institution's details. Once enrolled, the correction is also owed to the
    /// awarding body (see [`Workspace::profile_correction_due`]).
    pub fn update_institution(&mut self, input: &InstitutionInput) -> Result<Institution> {
        self.institution()?;
        let saved = self.store.save_institution(input)?;
        self.note_profile_changed()?;
        Ok(saved)
    }

    /// The review to work on: the one for `framework_id` if given, else the newest. An open
    /// review comes before a closed one (so once a renewal starts, it is the one worked on,
    /// and the awarded review it renews is reached through [`Workspace::review`]).
    pub fn current_review(&self, framework_id: Option<&str>) -> Result<Review> {
        let reviews = self.store.reviews()?;
        match framework_id {
            None => reviews.into_iter().next().ok_or(Error::NotRegistered),
            Some(id) => {
                // Once per framework (a renewal and the review it renews share one).
                let mut known: Vec<String> =
                    reviews.iter().map(|r| r.framework_id.clone()).collect();
                known.sort();
                known.dedup();
                reviews
                    .into_iter()
                    .find(|r| r.framework_id == id)
                    .ok_or_else(|| {
                        Error::not_found(Entity::Review, id, Hint::Available { ids: known })
                    })
            }
        }
    }

    /// Every review in this data folder, newest first (a renewal before the review it renews).
    pub fn reviews(&self) -> Result<Vec<Review>> {
        self.store.reviews()
    }

    /// The exact framework version a review is judged by (parsed from the text stored with it,
    /// once per process).
    pub fn framework_of(&self, review: &Review) -> Result<Arc<Framework>> {
        let key = (
            review.framework_id.clone(),
            review.framework_version.clone(),
        );
        if let Some(fw) = self.frameworks.borrow().get(&key) {
            return Ok(fw.clone());
        }
        let source = self
            .store
            .framework_source(&review.framework_id, &review.framework_version)?
            .ok_or_else(|| {
                Error::not_found(
                    Entity::FrameworkVersion,
                    format!("{} {}", review.framework_id, review.framework_version),
                    Hint::RestoreBackup,
                )
            })?;
        let origin = format!(
            "stored:{}-{}",
            review.framework_id, review.framework_version
        );
        let fw = Arc::new(Framework::from_toml(&source, &origin)?);
        self.frameworks.borrow_mut().insert(key, fw.clone());
        Ok(fw)
    }

    /// The framework a review is judged by, with its benchmark order and levels by maturity.
    pub fn review_framework(&self, review: &Review) -> Result<ReviewFramework> {
        let fw = self.framework_of(review)?;
        let levels_by_maturity = fw
            .scale()
            .map(|s| {
                s.ordered()
                    .into_iter()
                    .filter_map(|v| s.levels.iter().find(|l| l.value == v).cloned())
                    .collect()
            })
            .unwrap_or_default();
        let order = fw
            .benchmarks()
            .map(|e| BenchmarkPlace {
                id: e.benchmark.id.clone(),
                dimension: e.dimension.id.clone(),
                group: e.group.map(|g| g.id.clone()),
            })
            .collect();
        Ok(ReviewFramework {
            review: review.clone(),
            framework: fw.def().clone(),
            levels_by_maturity,
            order,
        })
    }

    fn benchmark_not_found(framework: &Framework, id: &str) -> Error {
        let near: Vec<String> = framework
            .benchmarks()
            .map(|b| b.benchmark.id.as_str())
            .filter(|b| b.split('.').next() == id.split('.').next())
            .take(12)
            .map(str::to_owned)
            .collect();
        Error::not_found(
            Entity::Benchmark,
            id,
            if near.is_empty() {
                Hint::FrameworkContents {
                    framework: framework.id().to_owned(),
                }
            } else {
                Hint::Nearby { ids: near }
            },
        )
    }

    fn check_benchmark(&self, review: &Review, benchmark_id: &str) -> Result<Arc<Framework>> {
        let fw = self.framework_of(review)?;
        if fw.benchmark(benchmark_id).is_none() {
            return Err(Self::benchmark_not_found(&fw, benchmark_id));
        }
        Ok(fw)
    }

    /// Saves an edit of one response (one transaction, with its history row).
    pub fn set_response(
        &mut self,
        review: &Review,
        benchmark_id: &str,
        update: ResponseUpdate,
        by: &str,
    ) -> Result<Response> {
        let fw = self.check_benchmark(review, benchmark_id)?;
        if let Some(Some(level)) = update.level {
            match fw.scale() {
                None => {
                    return Err(Error::invalid(
                        "level",
                        format!("{} has no levels; write commentary only.", fw.def().title),
                    ));
                }
                Some(scale) if !scale.contains(level) => {
                    return Err(Error::invalid(
                        "level",
                        format!("Level {level} is not on the scale ({}).", scale.describe()),
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(c) = &update.commentary
            && c.chars().count() > MAX_COMMENTARY_CHARS
        {
            return Err(Error::invalid(
                "commentary",
                format!(
                    "The commentary is over {MAX_COMMENTARY_CHARS} characters; link long documents as evidence instead."
                ),
            ));
        }
        let current = self.store.response(&review.id, benchmark_id)?;
        let level = match update.level {
            Some(l) => l,
            None => current.as_ref().and_then(|c| c.level),
        };
        let commentary = match &update.commentary {
            Some(c) => c.clone(),
            None => current.map(|c| c.commentary).unwrap_or_default(),
        };
        self.store.save_response(ResponseEdit {
            review_id: &review.id,
            framework_version: &review.framework_version,
            benchmark_id,
            level,
            commentary: &commentary,
            base_revision: update.base_revision,
            by,
        })
    }

    /// Confirms a response carried from an earlier framework version.
    pub fn confirm_response(
        &mut self,
        review: &Review,
        benchmark_id: &str,
        by: &str,
    ) -> Result<Response> {
        self.check_benchmark(review, benchmark_id)?;
        self.store
            .confirm_response(&review.id, &review.framework_version, benchmark_id, by)
    }

    /// Every response of a review.
    pub fn responses(&self, review: &Review) -> Result<Vec<Response>> {
        self.store.responses(&review.id)
    }

    /// The response to one benchmark, if answered.
    pub fn response(&self, review: &Review, benchmark_id: &str) -> Result<Option<Response>> {
        self.check_benchmark(review, benchmark_id)?;
        self.store.response(&review.id, benchmark_id)
    }

    /// The latest changes across the review, newest first (at most 500).
    pub fn recent_changes(&self, review: &Review, limit: u32) -> Result<Vec<HistoryEntry>> {
        self.store.recent_changes(&review.id, limit.min(500))
    }

    /// Responses kept after a new framework version removed their benchmarks.
    pub fn archived_responses(&self, review: &Review) -> Result<Vec<ArchivedResponse>> {
        self.store.archived_responses(&review.id)
    }

    /// A benchmark's response, history, linked actions and neighbours in framework order.
    pub fn benchmark_detail(&self, review: &Review, benchmark_id: &str) -> Result<BenchmarkDetail> {
        let history = self.history(review, benchmark_id)?;
        let fw = self.framework_of(review)?;
        let index = fw.benchmark_index(benchmark_id);
        let id_at = |i: usize| fw.benchmarks().nth(i).map(|b| b.benchmark.id.clone());
        Ok(BenchmarkDetail {
            response: self.store.response(&review.id, benchmark_id)?,
            history,
            actions: self.actions_for(review, benchmark_id)?,
            previous: index.and_then(|i| i.checked_sub(1)).and_then(id_at),
            next: index.and_then(|i| id_at(i + 1)),
        })
    }

    /// The history of one benchmark, oldest first (also for benchmarks a later version removed).
    pub fn history(&self, review: &Review, benchmark_id: &str) -> Result<Vec<HistoryEntry>> {
        let history = self.store.history(&review.id, benchmark_id)?;
        let fw = self.framework_of(review)?;
        if history.is_empty() && fw.benchmark(benchmark_id).is_none() {
            return Err(Self::benchmark_not_found(&fw, benchmark_id));
        }
        Ok(history)
    }

    /// Progress and the status of every award, judged by the review's own framework version.
    pub fn progress(&self, review: &Review) -> Result<Progress> {
        let fw = self.framework_of(review)?;
        let responses = self.store.response_states(&review.id)?;
        let evidenced = self.store.evidenced_requirements(&review.id)?;
        let future_actions = self.store.action_count(&review.id)?;
        Ok(progress::compute(
            &fw,
            progress::Inputs {
                responses: &responses,
                evidenced: &evidenced,
                future_actions,
                registered: true,
            },
        ))
    }

    /// Searches benchmark text and the review's commentary.
    pub fn search(
        &self,
        review: &Review,
        query: &str,
        limit: usize,
    ) -> Result<Vec<crate::search::SearchHit>> {
        let fw = self.framework_of(review)?;
        let responses = self.store.responses(&review.id)?;
        Ok(crate::search::search(&fw, &responses, query, limit))
    }

    /// Everything the status screen shows.
    pub fn status(&self, review: &Review) -> Result<Status> {
        let fw = self.framework_of(review)?;
        let progress = self.progress(review)?;
        let awaiting_confirmation = self
            .store
            .responses(&review.id)?
            .into_iter()
            .filter(|r| r.needs_confirmation)
            .map(|r| r.benchmark_id)
            .collect();
        Ok(Status {
            institution: self.institution()?,
            review: review.clone(),
            framework_title: fw.def().title.clone(),
            progress,
            awaiting_confirmation,
            evidence_files: self.evidence_summary(review)?,
            actions: self.action_summary(review)?,
        })
    }

    /// How many actions are planned, open and overdue (as of [`Workspace::today`]).
    pub fn action_summary(&self, review: &Review) -> Result<ActionSummary> {
        let actions = self.actions(review)?;
        let count =
            |f: &dyn Fn(&FutureAction) -> bool| actions.iter().filter(|a| f(a)).count() as u32;
        Ok(ActionSummary {
            planned: actions.len() as u32,
            open: count(&|a| a.status != ActionStatus::Done),
            overdue: count(&|a| a.overdue),
        })
    }

    /// How many files are tracked and how many need the lead's attention.
    pub fn evidence_summary(&self, review: &Review) -> Result<EvidenceSummary> {
        let (files, needs_attention) = self
            .store
            .evidence_counts(&review.id, EvidenceStatus::needs_attention)?;
        Ok(EvidenceSummary {
            files,
            needs_attention,
        })
    }

    fn check_benchmarks(&self, review: &Review, ids: &[String]) -> Result<()> {
        let fw = self.framework_of(review)?;
        match ids.iter().find(|id| fw.benchmark(id).is_none()) {
            Some(bad) => Err(Self::benchmark_not_found(&fw, bad)),
            None => Ok(()),
        }
    }

    /// Adds a future action.
    pub fn add_action(
        &mut self,
        review: &Review,
        action: &NewAction,
        by: &str,
    ) -> Result<FutureAction> {
        self.check_benchmarks(review, &action.benchmarks)?;
        self.store
            .add_action(&review.id, action, by)
            .map(|a| self.dated(a))
    }

    /// Edits a future action (`id` may be a unique prefix).
    pub fn update_action(
        &mut self,
        review: &Review,
        id: &str,
        action: &NewAction,
    ) -> Result<FutureAction> {
        self.check_benchmarks(review, &action.benchmarks)?;
        let id = self.store.resolve_action_id(&review.id, id)?;
        self.store
            .update_action(&review.id, &id, action)
            .map(|a| self.dated(a))
    }

    /// Sets a future action's status (`id` may be a unique prefix).
    pub fn set_action_status(
        &mut self,
        review: &Review,
        id: &str,
        status: ActionStatus,
    ) -> Result<FutureAction> {
        let id = self.store.resolve_action_id(&review.id, id)?;
        self.store
            .set_action_status(&review.id, &id, status)
            .map(|a| self.dated(a))
    }

    /// The action plan, in the order planned.
    pub fn actions(&self, review: &Review) -> Result<Vec<FutureAction>> {
        Ok(self
            .store
            .actions(&review.id)?
            .into_iter()
            .map(|a| self.dated(a))
            .collect())
    }

    /// The future actions linked to one benchmark.
    pub fn actions_for(&self, review: &Review, benchmark_id: &str) -> Result<Vec<FutureAction>> {
        Ok(self
            .actions(review)?
            .into_iter()
            .filter(|a| a.benchmarks.iter().any(|b| b == benchmark_id))
            .collect())
    }

    /// The working group.
    pub fn contributors(&self) -> Result<Vec<Contributor>> {
        self.store.contributors()
    }

    /// Adds a member to the working group (a name is required; role and email optional).
    pub fn add_contributor(&mut self, input: &ContributorInput) -> Result<Contributor> {
        let added = self.store.add_contributor(input)?;
        self.note_profile_changed()?;
        Ok(added)
    }

    /// Corrects a member's details (the right to rectification).
    pub fn update_contributor(
        &mut self,
        id: &str,
        input: &ContributorInput,
    ) -> Result<Contributor> {
        let updated = self.store.update_contributor(id, input)?;
        self.note_profile_changed()?;
        Ok(updated)
    }

    /// Removes a member: their details are erased (their name stays in the history of what
    /// they changed, which is the record of the review), and the erasure is recorded.
    pub fn remove_contributor(&mut self, id: &str) -> Result<()> {
        let by = self.author()?;
        self.store.remove_contributor(id, by.as_deref())?;
        self.note_profile_changed()
    }

    /// Moves a review to another version of its framework (the latest unless one is named).
    /// Responses carry over; mapped ones are flagged for confirmation; removed ones archived.
    pub fn upgrade(
        &mut self,
        review: &Review,
        to_version: Option<&str>,
        by: &str,
    ) -> Result<UpgradeReport> {
        let old = self.framework_of(review)?;
        let new = match to_version {
            Some(v) => self.catalog()?.get(&review.framework_id, v),
            None => self.catalog()?.latest(&review.framework_id),
        }
        .cloned()
        .ok_or_else(|| {
            Error::not_found(
                Entity::FrameworkVersion,
                format!(
                    "{} {}",
                    review.framework_id,
                    to_version.unwrap_or("(latest)")
                ),
                Hint::InstallFramework,
            )
        })?;
        if new.version() == old.version() {
            return Err(Error::invalid(
                "version",
                format!("The review is already on version {}.", old.version()),
            ));
        }
        let responses = self.store.responses(&review.id)?;
        let plan = upgrade::plan(&old, &new, &responses);
        self.store
            .apply_upgrade(&review.id, &old, &new, &plan.carried, &plan.archived, by)?;
        Ok(UpgradeReport {
            from_version: old.version().to_owned(),
            to_version: new.version().to_owned(),
            carried: plan
                .carried
                .iter()
                .filter(|c| c.flag.is_none())
                .map(|c| c.benchmark_id.clone())
                .collect(),
            flagged: plan.flagged(),
            archived: plan.archived_ids(),
        })
    }
}
