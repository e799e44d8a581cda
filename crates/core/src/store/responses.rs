//! Responses and their audit trail. A response is never changed without a history row written
//! in the same transaction; archived responses are kept forever.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::{Store, new_id, now};
use crate::error::{AtPath, Entity, Error, Hint, Result};
use crate::framework::Framework;
use crate::progress::ResponseState;

/// The current response to one benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Response {
    /// The benchmark.
    pub benchmark_id: String,
    /// Level chosen.
    pub level: Option<u8>,
    /// Commentary.
    pub commentary: String,
    /// Carried from an earlier framework version and not yet confirmed by the lead.
    pub needs_confirmation: bool,
    /// Why it was carried ("renamed from 6.3 in version 1.0").
    pub carried_note: Option<String>,
    /// Increases with every change; an edit based on an older revision is refused.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revision: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// What kind of change a history row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A user edit.
    Edit,
    /// Carried to a new framework version.
    Carried,
    /// Confirmed by the lead after being carried.
    Confirmed,
    /// Archived because the new version removed the benchmark.
    Archived,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Edit => "edit",
            Change::Carried => "carried",
            Change::Confirmed => "confirmed",
            Change::Archived => "archived",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Change::Edit,
            Change::Carried,
            Change::Confirmed,
            Change::Archived,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// One row of the audit trail: the state after a change, who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    /// Time-ordered id.
    pub id: String,
    /// The benchmark.
    pub benchmark_id: String,
    /// Kind of change.
    pub change: Change,
    /// Level after the change.
    pub level: Option<u8>,
    /// Commentary after the change.
    pub commentary: String,
    /// Framework version at the time.
    pub framework_version: String,
    /// Explanation for carried or archived rows.
    pub note: Option<String>,
    /// Who.
    pub changed_by: String,
    /// When.
    pub changed_at: String,
}

/// A response kept after its benchmark was removed from the framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ArchivedResponse {
    /// The removed benchmark.
    pub benchmark_id: String,
    /// The version it belonged to.
    pub framework_version: String,
    /// Its level.
    pub level: Option<u8>,
    /// Its commentary.
    pub commentary: String,
    /// When it was archived.
    pub archived_at: String,
}

/// A response as it will be after moving to a new framework version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Carried {
    pub benchmark_id: String,
    pub level: Option<u8>,
    pub commentary: String,
    /// `Some(reason)` when the lead must confirm it.
    pub flag: Option<String>,
}

const COLUMNS: &str = "benchmark_id, level, commentary, needs_confirmation, carried_note, revision, updated_by, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Response> {
    Ok(Response {
        benchmark_id: r.get(0)?,
        level: r.get(1)?,
        commentary: r.get(2)?,
        needs_confirmation: r.get(3)?,
        carried_note: r.get(4)?,
        revision: r.get(5)?,
        updated_by: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

fn history_from_row(r: &Row<'_>) -> rusqlite::Result<HistoryEntry> {
    let id: String = r.get(0)?;
    let change = super::parsed(r, 2, ("response_history", "change"), &id, Change::parse)?;
    Ok(HistoryEntry {
        id,
        benchmark_id: r.get(1)?,
        change,
        level: r.get(3)?,
        commentary: r.get(4)?,
        framework_version: r.get(5)?,
        note: r.get(6)?,
        changed_by: r.get(7)?,
        changed_at: r.get(8)?,
    })
}

/// Every current response of a review, read inside a transaction (a renewal reads what it
/// carries in the transaction that carries it).
pub(super) fn read_all(tx: &Transaction<'_>, review_id: &str) -> rusqlite::Result<Vec<Response>> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM responses WHERE review_id = ?1"
    ))?
    .query_map([review_id], from_row)?
    .collect()
}

#[allow(clippy::too_many_arguments)]
fn append_history(
    tx: &Transaction<'_>,
    review_id: &str,
    benchmark_id: &str,
    change: Change,
    level: Option<u8>,
    commentary: &str,
    version: &str,
    note: Option<&str>,
    by: &str,
    at: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO response_history (id, review_id, benchmark_id, change, level, commentary, framework_version, note, changed_by, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![new_id(), review_id, benchmark_id, change.as_str(), level, commentary, version, note, by, at])?;
    Ok(())
}

/// A user's edit of one response.
#[derive(Debug, Clone, Copy)]
pub struct ResponseEdit<'a> {
    /// The review.
    pub review_id: &'a str,
    /// The framework version the review is on (recorded in history).
    pub framework_version: &'a str,
    /// The benchmark.
    pub benchmark_id: &'a str,
    /// New level.
    pub level: Option<u8>,
    /// New commentary.
    pub commentary: &'a str,
    /// The revision the editor started from; `None` to overwrite whatever is there.
    pub base_revision: Option<i64>,
    /// Who.
    pub by: &'a str,
}

impl Store {
    /// Saves one edit and its history row in one transaction. An edit that changes nothing
    /// writes nothing; an edit based on an old revision is refused with [`Error::Conflict`].
    pub(crate) fn save_response(&mut self, edit: ResponseEdit<'_>) -> Result<Response> {
        let path = self.path.clone();
        self.write(|tx| {
            let current = tx
                .prepare_cached(&format!("SELECT {COLUMNS} FROM responses WHERE review_id = ?1 AND benchmark_id = ?2"))
                .at(&path)?
                .query_row([edit.review_id, edit.benchmark_id], from_row)
                .optional()
                .at(&path)?;
            if let (Some(cur), Some(base)) = (&current, edit.base_revision)
                && cur.revision != base
            {
                return Err(Error::Conflict {
                    benchmark: edit.benchmark_id.to_owned(),
                    by: cur.updated_by.clone(),
                    at: cur.updated_at.clone(),
                });
            }
            if let Some(cur) = &current
                && cur.level == edit.level
                && cur.commentary == edit.commentary
            {
                return Ok(cur.clone());
            }
            let at = now();
            tx.prepare_cached(
                "INSERT INTO responses (review_id, benchmark_id, level, commentary, needs_confirmation, carried_note, revision, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 0, NULL, 1, ?5, ?6)
                 ON CONFLICT (review_id, benchmark_id) DO UPDATE SET level = ?3, commentary = ?4,
                     needs_confirmation = 0, carried_note = NULL, revision = revision + 1, updated_by = ?5, updated_at = ?6",
            )
            .at(&path)?
            .execute(params![edit.review_id, edit.benchmark_id, edit.level, edit.commentary, edit.by, at])
            .at(&path)?;
            append_history(
                tx,
                edit.review_id,
                edit.benchmark_id,
                Change::Edit,
                edit.level,
                edit.commentary,
                edit.framework_version,
                None,
                edit.by,
                &at,
            )
            .at(&path)?;
            tx.prepare_cached(&format!("SELECT {COLUMNS} FROM responses WHERE review_id = ?1 AND benchmark_id = ?2"))
                .at(&path)?
                .query_row([edit.review_id, edit.benchmark_id], from_row)
                .at(&path)
        })
    }

    /// Marks a carried response as confirmed by the lead.
    pub(crate) fn confirm_response(
        &mut self,
        review_id: &str,
        version: &str,
        benchmark_id: &str,
        by: &str,
    ) -> Result<Response> {
        let path = self.path.clone();
        self.write(|tx| {
            let cur = tx
                .prepare_cached(&format!("SELECT {COLUMNS} FROM responses WHERE review_id = ?1 AND benchmark_id = ?2"))
                .at(&path)?
                .query_row([review_id, benchmark_id], from_row)
                .optional()
                .at(&path)?
                .ok_or_else(|| Error::not_found(Entity::Response, benchmark_id, Hint::NoResponse))?;
            if !cur.needs_confirmation {
                return Ok(cur);
            }
            let at = now();
            tx.execute(
                "UPDATE responses SET needs_confirmation = 0, revision = revision + 1, updated_by = ?3, updated_at = ?4
                 WHERE review_id = ?1 AND benchmark_id = ?2",
                params![review_id, benchmark_id, by, at],
            )
            .at(&path)?;
            append_history(tx, review_id, benchmark_id, Change::Confirmed, cur.level, &cur.commentary, version, cur.carried_note.as_deref(), by, &at)
                .at(&path)?;
            tx.query_row(
                &format!("SELECT {COLUMNS} FROM responses WHERE review_id = ?1 AND benchmark_id = ?2"),
                [review_id, benchmark_id],
                from_row,
            )
            .at(&path)
        })
    }

    /// Every current response of a review.
    pub fn responses(&self, review_id: &str) -> Result<Vec<Response>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM responses WHERE review_id = ?1"
            ))
            .at(&self.path)?;
        stmt.query_map([review_id], from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)
    }

    /// The current response to one benchmark, if any.
    pub fn response(&self, review_id: &str, benchmark_id: &str) -> Result<Option<Response>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM responses WHERE review_id = ?1 AND benchmark_id = ?2"
            ))
            .at(&self.path)?
            .query_row([review_id, benchmark_id], from_row)
            .optional()
            .at(&self.path)
    }

    /// Responses reduced to what progress needs, keyed by benchmark.
    pub fn response_states(&self, review_id: &str) -> Result<HashMap<String, ResponseState>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT benchmark_id, level, commentary FROM responses WHERE review_id = ?1",
            )
            .at(&self.path)?;
        stmt.query_map([review_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ResponseState {
                    level: r.get(1)?,
                    commentary: r.get(2)?,
                },
            ))
        })
        .at(&self.path)?
        .collect::<rusqlite::Result<HashMap<_, _>>>()
        .at(&self.path)
    }

    /// The full history of one benchmark, oldest first.
    pub fn history(&self, review_id: &str, benchmark_id: &str) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, benchmark_id, change, level, commentary, framework_version, note, changed_by, changed_at
                 FROM response_history WHERE review_id = ?1 AND benchmark_id = ?2 ORDER BY id",
            )
            .at(&self.path)?;
        stmt.query_map([review_id, benchmark_id], history_from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)
    }

    /// The most recent changes across a review, newest first.
    pub fn recent_changes(&self, review_id: &str, limit: u32) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, benchmark_id, change, level, commentary, framework_version, note, changed_by, changed_at
                 FROM response_history WHERE review_id = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .at(&self.path)?;
        stmt.query_map(params![review_id, limit], history_from_row)
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)
    }

    /// Responses archived when their benchmarks were removed.
    pub fn archived_responses(&self, review_id: &str) -> Result<Vec<ArchivedResponse>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT benchmark_id, framework_version, level, commentary, archived_at
                 FROM archived_responses WHERE review_id = ?1 ORDER BY archived_at, benchmark_id",
            )
            .at(&self.path)?;
        stmt.query_map([review_id], |r| {
            Ok(ArchivedResponse {
                benchmark_id: r.get(0)?,
                framework_version: r.get(1)?,
                level: r.get(2)?,
                commentary: r.get(3)?,
                archived_at: r.get(4)?,
            })
        })
        .at(&self.path)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .at(&self.path)
    }

    /// Moves a review to a new framework version in one transaction: stores the new version's
    /// text, replaces responses with the carried ones, archives the rest, writes history.
    pub(crate) fn apply_upgrade(
        &mut self,
        review_id: &str,
        old: &Framework,
        new: &Framework,
        carried: &[Carried],
        archived: &[Response],
        by: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            write_carried(tx, &path, review_id, old, new, carried, archived, by)?;
            tx.execute(
                "UPDATE reviews SET framework_version = ?2 WHERE id = ?1",
                params![review_id, new.version()],
            )
            .at(&path)?;
            Ok(())
        })
    }
}

/// Puts a plan's responses on `review_id` at version `new` inside the caller's transaction:
/// stores the new version's text, archives the responses to removed benchmarks (they were
/// answered under `old`), replaces the review's responses with the carried ones, and writes a
/// history row for each. An upgrade applies it to the review itself, a renewal to the new
/// review it starts, so both carry responses by the same code.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_carried(
    tx: &Transaction<'_>,
    path: &std::path::Path,
    review_id: &str,
    old: &Framework,
    new: &Framework,
    carried: &[Carried],
    archived: &[Response],
    by: &str,
) -> Result<()> {
    let at = now();
    super::reviews::store_framework(tx, new).at(path)?;
    for r in archived {
        tx.execute(
            "INSERT OR REPLACE INTO archived_responses (review_id, benchmark_id, framework_version, level, commentary, archived_at, archived_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![review_id, r.benchmark_id, old.version(), r.level, r.commentary, at, by],
        )
        .at(path)?;
        let note = format!(
            "{} was removed in version {}; the response is archived",
            r.benchmark_id,
            new.version()
        );
        append_history(
            tx,
            review_id,
            &r.benchmark_id,
            Change::Archived,
            r.level,
            &r.commentary,
            old.version(),
            Some(&note),
            by,
            &at,
        )
        .at(path)?;
    }
    tx.execute("DELETE FROM responses WHERE review_id = ?1", [review_id])
        .at(path)?;
    for c in carried {
        tx.execute(
            "INSERT INTO responses (review_id, benchmark_id, level, commentary, needs_confirmation, carried_note, revision, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8)",
            params![review_id, c.benchmark_id, c.level, c.commentary, c.flag.is_some(), c.flag, by, at],
        )
        .at(path)?;
        append_history(
            tx,
            review_id,
            &c.benchmark_id,
            Change::Carried,
            c.level,
            &c.commentary,
            new.version(),
            c.flag.as_deref(),
            by,
            &at,
        )
        .at(path)?;
    }
    Ok(())
}
