//! The self-review store: one SQLite file per data folder, opened only through [`Store::open`].
//!
//! Invariants: WAL journal, foreign keys on, `synchronous = FULL` (an edit reported as saved
//! survives a crash or power cut), schema upgraded by append-only migrations, and every user
//! edit is one `IMMEDIATE` transaction that writes the change and its history row together.

mod actions;
mod contributors;
pub(crate) mod evidence;
mod institution;
mod migrations;
mod responses;
mod reviews;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{AtPath, Error, Result};

pub use actions::{ActionStatus, FutureAction, NewAction};
pub use contributors::Contributor;
pub use institution::{Institution, InstitutionInput, Phase};
pub use migrations::LATEST_SCHEMA;
pub(crate) use responses::Carried;
pub use responses::{ArchivedResponse, Change, HistoryEntry, Response, ResponseEdit};
pub use reviews::Review;

/// File name of the database inside a data folder.
pub const DATABASE_FILE: &str = "waymark.sqlite3";

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database in a data folder.
    pub fn open_dir(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| Error::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        Self::open(&data_dir.join(DATABASE_FILE))
    }

    /// Opens (creating if needed) a database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .at(path)?;
        conn.busy_timeout(Duration::from_secs(5)).at(path)?;
        conn.pragma_update(None, "journal_mode", "WAL").at(path)?;
        conn.pragma_update(None, "synchronous", "FULL").at(path)?;
        conn.pragma_update(None, "foreign_keys", "ON").at(path)?;
        migrations::migrate(&mut conn, path)?;
        Ok(Self {
            conn,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .at(&self.path)
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when SQLite reports "ok".
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").at(&self.path)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)?;
        Ok(rows)
    }

    /// Runs `f` in one immediate transaction: all of it is saved, or none of it.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(&path)?;
        let value = f(&tx)?;
        tx.commit().at(&path)?;
        Ok(value)
    }
}

/// The current time as RFC 3339 UTC with milliseconds: sortable as text.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A new time-ordered id, unique across machines.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Trims a field and maps blank to `None`.
pub(crate) fn optional(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
