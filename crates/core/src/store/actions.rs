//! Future actions: the action plan, each linked to the benchmarks it improves.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Store, new_id, now, optional};
use crate::error::{AtPath, Entity, Error, Hint, Result};
use crate::input::{FieldProblem, Problems, first, too_long};

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Not started.
    Open,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
}

impl ActionStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
        }
    }

    /// Parses the stored spelling (also accepting `in-progress`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(ActionStatus::Open),
            "in_progress" | "in-progress" => Some(ActionStatus::InProgress),
            "done" => Some(ActionStatus::Done),
            _ => None,
        }
    }
}

/// A planned improvement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FutureAction {
    /// Stable id.
    pub id: String,
    /// What will be done.
    pub text: String,
    /// Who will do it.
    pub owner: Option<String>,
    /// When by (YYYY-MM-DD).
    pub due_date: Option<String>,
    /// Where it stands.
    pub status: ActionStatus,
    /// Benchmarks it improves.
    pub benchmarks: Vec<String>,
    /// Who planned it.
    pub created_by: String,
    /// When planned.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// When marked done.
    pub done_at: Option<String>,
    /// Whether it is overdue today (see [`FutureAction::is_overdue`]), for the screens that
    /// show the plan as it stands now.
    pub overdue: bool,
}

impl FutureAction {
    /// Whether the action is past its due date and not done on `as_of` (an action due that
    /// very day is not overdue). Documents pass their own "as of" date.
    pub fn is_overdue(&self, as_of: chrono::NaiveDate) -> bool {
        self.status != ActionStatus::Done
            && self
                .due_date
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .is_some_and(|d| d < as_of)
    }
}

/// A new or edited action as entered by the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewAction {
    /// What will be done (required).
    pub text: String,
    /// Who will do it.
    pub owner: Option<String>,
    /// When by, YYYY-MM-DD.
    pub due_date: Option<String>,
    /// Benchmarks it improves (validated against the framework by the caller).
    pub benchmarks: Vec<String>,
}

impl NewAction {
    /// Every problem with the action, each naming its field (empty when it can be saved).
    /// The benchmarks are checked against the framework by [`crate::Workspace`].
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Problems::default();
        if self.text.trim().is_empty() {
            p.add("text", "Say what the action is.");
        } else if too_long(&self.text, 2000) {
            p.add(
                "text",
                "The action is over 2,000 characters; keep it short and put detail in commentary.",
            );
        }
        if let Some(date) = optional(self.due_date.as_deref())
            && chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err()
        {
            p.add(
                "due_date",
                format!("{date:?} is not a date; use the form 2027-03-31."),
            );
        }
        p.into_vec()
    }

    /// Refuses an action with a problem, naming the field of the first.
    pub fn validate(&self) -> Result<()> {
        first(self.problems())
    }
}

const COLUMNS: &str =
    "id, text, owner, due_date, status, created_by, created_at, updated_at, done_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<FutureAction> {
    let id: String = r.get(0)?;
    let status = super::parsed(r, 4, ("future_actions", "status"), &id, ActionStatus::parse)?;
    Ok(FutureAction {
        id,
        text: r.get(1)?,
        owner: r.get(2)?,
        due_date: r.get(3)?,
        status,
        benchmarks: Vec::new(),
        created_by: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        done_at: r.get(8)?,
        // Decided by Workspace, which knows what day it is (see Workspace::today).
        overdue: false,
    })
}

fn load(tx: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<FutureAction>> {
    let Some(mut action) = tx
        .query_row(
            &format!("SELECT {COLUMNS} FROM future_actions WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
    else {
        return Ok(None);
    };
    action.benchmarks = tx
        .prepare_cached(
            "SELECT benchmark_id FROM action_benchmarks WHERE action_id = ?1 ORDER BY benchmark_id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Some(action))
}

fn set_links(tx: &Transaction<'_>, id: &str, benchmarks: &[String]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM action_benchmarks WHERE action_id = ?1", [id])?;
    for b in benchmarks {
        tx.execute(
            "INSERT OR IGNORE INTO action_benchmarks (action_id, benchmark_id) VALUES (?1, ?2)",
            [id, b],
        )?;
    }
    Ok(())
}

fn not_found(id: &str) -> Error {
    Error::not_found(Entity::FutureAction, id, Hint::CheckTheList)
}

impl Store {
    /// Adds an action to a review's plan.
    pub(crate) fn add_action(
        &mut self,
        review_id: &str,
        input: &NewAction,
        by: &str,
    ) -> Result<FutureAction> {
        input.validate()?;
        let path = self.path.clone();
        self.write(|tx| {
            let id = new_id();
            let at = now();
            tx.execute(
                &format!("INSERT INTO future_actions (review_id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?7, NULL)"),
                params![review_id, id, input.text.trim(), optional(input.owner.as_deref()), optional(input.due_date.as_deref()), by, at],
            )
            .at(&path)?;
            set_links(tx, &id, &input.benchmarks).at(&path)?;
            load(tx, &id).at(&path)?.ok_or_else(|| not_found(&id))
        })
    }

    /// Edits an action's text, owner, due date and links.
    pub(crate) fn update_action(
        &mut self,
        review_id: &str,
        id: &str,
        input: &NewAction,
    ) -> Result<FutureAction> {
        input.validate()?;
        let path = self.path.clone();
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE future_actions SET text = ?3, owner = ?4, due_date = ?5, updated_at = ?6 WHERE id = ?1 AND review_id = ?2",
                    params![id, review_id, input.text.trim(), optional(input.owner.as_deref()), optional(input.due_date.as_deref()), now()],
                )
                .at(&path)?;
            if changed == 0 {
                return Err(not_found(id));
            }
            set_links(tx, id, &input.benchmarks).at(&path)?;
            load(tx, id).at(&path)?.ok_or_else(|| not_found(id))
        })
    }

    /// Sets an action's status (recording when it was done).
    pub(crate) fn set_action_status(
        &mut self,
        review_id: &str,
        id: &str,
        status: ActionStatus,
    ) -> Result<FutureAction> {
        let path = self.path.clone();
        self.write(|tx| {
            let at = now();
            let done_at = (status == ActionStatus::Done).then_some(at.as_str());
            let changed = tx
                .execute(
                    "UPDATE future_actions SET status = ?3, updated_at = ?4, done_at = ?5 WHERE id = ?1 AND review_id = ?2",
                    params![id, review_id, status.as_str(), at, done_at],
                )
                .at(&path)?;
            if changed == 0 {
                return Err(not_found(id));
            }
            load(tx, id).at(&path)?.ok_or_else(|| not_found(id))
        })
    }

    /// A review's actions, oldest first.
    pub fn actions(&self, review_id: &str) -> Result<Vec<FutureAction>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM future_actions WHERE review_id = ?1 ORDER BY created_at, id",
            )
            .at(&self.path)?
            .query_map([review_id], |r| r.get(0))
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)?;
        ids.iter()
            .filter_map(|id| load(&self.conn, id).transpose())
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)
    }

    /// How many actions a review has planned (any status).
    pub fn action_count(&self, review_id: &str) -> Result<u32> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM future_actions WHERE review_id = ?1")
            .at(&self.path)?
            .query_row([review_id], |r| r.get(0))
            .at(&self.path)
    }

    /// Finds an action by its full id, or by at least 4 of its first or last characters (the
    /// short id shown in lists is the last 8: the first ones are a timestamp that actions
    /// created close together share).
    pub fn resolve_action_id(&self, review_id: &str, given: &str) -> Result<String> {
        let given = given.trim();
        if given.chars().count() < 4 || !given.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(Error::invalid(
                "action",
                format!(
                    "{given:?} is not an action id; give at least 4 characters of the action's id."
                ),
            ));
        }
        let given = given.to_ascii_lowercase();
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM future_actions WHERE review_id = ?1
                 AND (substr(id, 1, length(?2)) = ?2 OR substr(id, -length(?2)) = ?2) LIMIT 2",
            )
            .at(&self.path)?
            .query_map([review_id, &given], |r| r.get(0))
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)?;
        match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(not_found(&given)),
            _ => Err(Error::invalid(
                "action",
                format!("{given:?} matches more than one action; give more of the id."),
            )),
        }
    }
}
