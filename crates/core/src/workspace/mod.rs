//! The one entry point front ends use: a data folder's store plus the frameworks it needs.
//!
//! Every operation validates user input against the review's own framework version before it
//! reaches the store, so the store never holds a level off the scale or a benchmark that does
//! not exist. The CLI and the desktop shell are thin adapters over these methods.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::framework::{Catalog, Framework, FrameworkError};
use crate::progress::{self, Progress};
use crate::store::{
    ActionStatus, FutureAction, HistoryEntry, Institution, InstitutionInput, NewAction, Response,
    ResponseEdit, Review, Store,
};
use crate::upgrade::{self, Flagged, UpgradeReport};

mod evidence;
pub use evidence::{AddReport, FreezeReport, OnProgress, RescanReport, Skipped, WorkProgress};

/// Longest commentary accepted: about 100,000 words, far beyond any real commentary, small
/// enough that a pasted file by mistake is refused rather than stored.
pub const MAX_COMMENTARY_CHARS: usize = 500_000;

/// Folder inside the data folder where extra framework files are installed.
pub const FRAMEWORKS_DIR: &str = "frameworks";

/// An open data folder.
#[derive(Debug)]
pub struct Workspace {
    store: Store,
    /// Loaded on first use: opening a data folder to show status must not parse every
    /// installed framework.
    catalog: OnceCell<(Catalog, Vec<FrameworkError>)>,
    data_dir: PathBuf,
    frameworks: HashMap<(String, String), Arc<Framework>>,
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
}

impl Workspace {
    /// Opens a data folder: its database, the bundled frameworks and any in `frameworks/`.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let store = Store::open_dir(data_dir)?;
        Ok(Self {
            store,
            catalog: OnceCell::new(),
            data_dir: data_dir.to_owned(),
            frameworks: HashMap::new(),
        })
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for writes that need no framework check (the working group).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
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
        let catalog = self.catalog()?;
        let framework = match version {
            Some(v) => catalog.get(framework_id, v),
            None => catalog.latest(framework_id),
        }
        .cloned()
        .ok_or_else(|| Error::NotFound {
            what: "Framework",
            id: match version {
                Some(v) => format!("{framework_id} {v}"),
                None => framework_id.to_owned(),
            },
            hint: format!("Available: {}.", catalog.ids().join(", ")),
        })?;
        self.store.register(&framework, institution, by)
    }

    /// The institution, once registered.
    pub fn institution(&self) -> Result<Institution> {
        self.store.institution()?.ok_or(Error::NotRegistered)
    }

    /// Corrects the institution's details.
    pub fn update_institution(&mut self, input: &InstitutionInput) -> Result<Institution> {
        self.institution()?;
        self.store.save_institution(input)
    }

    /// The review to work on: the one for `framework_id` if given, else the newest.
    pub fn current_review(&self, framework_id: Option<&str>) -> Result<Review> {
        let reviews = self.store.reviews()?;
        match framework_id {
            None => reviews.into_iter().next().ok_or(Error::NotRegistered),
            Some(id) => {
                let known: Vec<String> = reviews.iter().map(|r| r.framework_id.clone()).collect();
                reviews
                    .into_iter()
                    .find(|r| r.framework_id == id)
                    .ok_or_else(|| Error::NotFound {
                        what: "Review for framework",
                        id: id.to_owned(),
                        hint: if known.is_empty() {
                            "Nothing is registered yet.".into()
                        } else {
                            format!("Registered: {}.", known.join(", "))
                        },
                    })
            }
        }
    }

    /// The exact framework version a review is judged by (parsed from the text stored with it).
    pub fn framework_of(&mut self, review: &Review) -> Result<Arc<Framework>> {
        let key = (
            review.framework_id.clone(),
            review.framework_version.clone(),
        );
        if let Some(fw) = self.frameworks.get(&key) {
            return Ok(fw.clone());
        }
        let source = self
            .store
            .framework_source(&review.framework_id, &review.framework_version)?
            .ok_or_else(|| Error::NotFound {
                what: "Framework",
                id: format!("{} {}", review.framework_id, review.framework_version),
                hint: "The database is missing the framework text this review was registered with; restore it from a backup.".into(),
            })?;
        let origin = format!(
            "stored:{}-{}",
            review.framework_id, review.framework_version
        );
        let fw = Arc::new(Framework::from_toml(&source, &origin)?);
        self.frameworks.insert(key, fw.clone());
        Ok(fw)
    }

    fn benchmark_not_found(framework: &Framework, id: &str) -> Error {
        let near: Vec<&str> = framework
            .benchmarks()
            .map(|b| b.benchmark.id.as_str())
            .filter(|b| b.split('.').next() == id.split('.').next())
            .take(12)
            .collect();
        Error::NotFound {
            what: "Benchmark",
            id: id.to_owned(),
            hint: if near.is_empty() {
                format!(
                    "See the ids with `waymark frameworks show {}`.",
                    framework.id()
                )
            } else {
                format!("Nearby ids: {}.", near.join(", "))
            },
        }
    }

    /// Saves an edit of one response (one transaction, with its history row).
    pub fn set_response(
        &mut self,
        review: &Review,
        benchmark_id: &str,
        update: ResponseUpdate,
        by: &str,
    ) -> Result<Response> {
        let fw = self.framework_of(review)?;
        if fw.benchmark(benchmark_id).is_none() {
            return Err(Self::benchmark_not_found(&fw, benchmark_id));
        }
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
        let fw = self.framework_of(review)?;
        if fw.benchmark(benchmark_id).is_none() {
            return Err(Self::benchmark_not_found(&fw, benchmark_id));
        }
        self.store
            .confirm_response(&review.id, &review.framework_version, benchmark_id, by)
    }

    /// The history of one benchmark, oldest first (also for benchmarks a later version removed).
    pub fn history(&mut self, review: &Review, benchmark_id: &str) -> Result<Vec<HistoryEntry>> {
        let history = self.store.history(&review.id, benchmark_id)?;
        let fw = self.framework_of(review)?;
        if history.is_empty() && fw.benchmark(benchmark_id).is_none() {
            return Err(Self::benchmark_not_found(&fw, benchmark_id));
        }
        Ok(history)
    }

    /// Progress and the status of every award, judged by the review's own framework version.
    pub fn progress(&mut self, review: &Review) -> Result<Progress> {
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
        &mut self,
        review: &Review,
        query: &str,
        limit: usize,
    ) -> Result<Vec<crate::search::SearchHit>> {
        let fw = self.framework_of(review)?;
        let responses = self.store.responses(&review.id)?;
        Ok(crate::search::search(&fw, &responses, query, limit))
    }

    /// Everything the status screen shows.
    pub fn status(&mut self, review: &Review) -> Result<Status> {
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
        })
    }

    fn check_benchmarks(&mut self, review: &Review, ids: &[String]) -> Result<()> {
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
        self.store.add_action(&review.id, action, by)
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
        self.store.update_action(&review.id, &id, action)
    }

    /// Sets a future action's status (`id` may be a unique prefix).
    pub fn set_action_status(
        &mut self,
        review: &Review,
        id: &str,
        status: ActionStatus,
    ) -> Result<FutureAction> {
        let id = self.store.resolve_action_id(&review.id, id)?;
        self.store.set_action_status(&review.id, &id, status)
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
        .ok_or_else(|| Error::NotFound {
            what: "Framework version",
            id: format!(
                "{} {}",
                review.framework_id,
                to_version.unwrap_or("(latest)")
            ),
            hint: "Install the new framework file in the data folder's frameworks/ folder.".into(),
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
            flagged: plan
                .carried
                .iter()
                .filter_map(|c| {
                    c.flag.as_ref().map(|reason| Flagged {
                        benchmark: c.benchmark_id.clone(),
                        reason: reason.clone(),
                    })
                })
                .collect(),
            archived: plan
                .archived
                .iter()
                .map(|r| r.benchmark_id.clone())
                .collect(),
        })
    }
}
