//! Reading what a document shows from the workspace, in one place, through the core's public
//! API: the status (progress and awards as the core computes them), responses, evidence and
//! actions. Nothing here judges anything; the rules stay in waymark-core.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use waymark_core::evidence::EvidenceItem;
use waymark_core::framework::Framework;
use waymark_core::store::{FutureAction, Response, Review};
use waymark_core::{Error, Status, Workspace};

/// Everything the report and the action plan draw on.
pub(crate) struct ReviewData {
    /// Institution, review, progress and awards.
    pub status: Status,
    /// The review's own framework version.
    pub framework: Arc<Framework>,
    /// Current responses by benchmark id.
    pub responses: HashMap<String, Response>,
    /// Evidence items, as stored.
    pub evidence: Vec<EvidenceItem>,
    /// Future actions, as stored.
    pub actions: Vec<FutureAction>,
}

impl ReviewData {
    /// Reads the review.
    pub fn read(ws: &Workspace, review: &Review) -> Result<Self, Error> {
        let status = ws.status(review)?;
        let framework = ws.framework_of(review)?;
        let responses = ws
            .responses(review)?
            .into_iter()
            .map(|r| (r.benchmark_id.clone(), r))
            .collect();
        let evidence = ws.evidence(review)?;
        let actions = ws.actions(review)?;
        Ok(Self {
            status,
            framework,
            responses,
            evidence,
            actions,
        })
    }

    /// What footers say after the institution's name:
    /// " · Computing Quality Framework 2.0 · as of 23 November 2026".
    pub fn footer_text(&self, date: NaiveDate) -> String {
        format!(
            " · {} {} · as of {}",
            self.framework.def().title,
            self.framework.version(),
            long_date(date)
        )
    }
}

/// "23 November 2026".
pub(crate) fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}
