//! The self-review store: one SQLite file per data folder, opened only through [`Store::open`].
//!
//! Invariants: WAL journal, foreign keys on, `synchronous = FULL` (an edit reported as saved
//! survives a crash or power cut), schema upgraded by append-only migrations, and every user
//! edit is one `IMMEDIATE` transaction that writes the change and its history row together.

mod actions;
mod cipher;
mod contributors;
pub(crate) mod evidence;
mod institution;
mod migrations;
pub(crate) mod outbox;
pub(crate) mod portable;
mod renewal;
mod responses;
mod reviews;
pub(crate) mod search_index;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    Connection, MAIN_DB, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};

use crate::error::{AtPath, Error, Foreign, Result, database_error};

pub(crate) use cipher::{Cipher, check_plaintext, encrypt_plaintext, is_plaintext, sync_dir};

pub use actions::{ActionStatus, FutureAction, NewAction};
pub use contributors::{Contributor, ContributorInput};
pub use institution::{Institution, InstitutionInput, Phase};
pub use migrations::LATEST_SCHEMA;
pub use portable::TableDump;
pub(crate) use responses::Carried;
pub use responses::{ArchivedResponse, Change, HistoryEntry, Response, ResponseEdit};
pub use reviews::Review;

/// File name of the database inside a data folder.
pub const DATABASE_FILE: &str = "waymark.sqlite3";

/// How much of the database SQLite reads through a memory mapping (the rest is read as usual).
const MMAP_SIZE: i64 = 256 * 1024 * 1024;

/// `PRAGMA application_id` of a Waymark database ("WYMK"), set by migration 5.
pub const APPLICATION_ID: i64 = 0x5759_4D4B;

/// Tables every Waymark database since version 1 has: a file at a version below 5 (before
/// the application id) that lacks them is another program's.
const CORE_TABLES: &[&str] = &["institution", "reviews", "responses", "response_history"];

/// Refuses a file that is not a Waymark database, reading only (nothing is written).
pub(crate) fn check_is_ours(conn: &Connection, path: &Path) -> Result<()> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .at(path)?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .at(path)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .at(path)?;
    let foreign = |kind| {
        Err(Error::ForeignDatabase {
            path: path.to_owned(),
            kind,
        })
    };
    let other_program = || Foreign::OtherProgram {
        tables: tables.iter().take(5).cloned().collect(),
    };
    if version < 0 {
        return foreign(Foreign::ImpossibleVersion { found: version });
    }
    if app_id != 0 && app_id != APPLICATION_ID {
        return foreign(other_program());
    }
    if version > migrations::LATEST_SCHEMA {
        return Err(Error::SchemaTooNew {
            path: path.to_owned(),
            found: version,
            supported: migrations::LATEST_SCHEMA,
        });
    }
    let has_core = CORE_TABLES.iter().all(|t| tables.iter().any(|n| n == t));
    match version {
        // A new file, or one whose first migration never committed: nothing to lose.
        0 if tables.is_empty() => Ok(()),
        0 => foreign(other_program()),
        _ if !has_core => foreign(other_program()),
        _ => Ok(()),
    }
}

/// Makes a new database, schema and all, under a temporary name and moves it into place without
/// replacing a file another process made meanwhile, so no crash can leave an empty or
/// half-made file under the real name (an empty file there is refused as not a database).
fn create_new(path: &Path, cipher: &Cipher<'_>) -> Result<()> {
    let name = path.file_name().map_or_else(
        || DATABASE_FILE.into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let temp = path.with_file_name(format!(".{name}.{}.new", new_id()));
    let made = (|| {
        let mut conn = Connection::open(&temp).at(&temp)?;
        cipher.apply(&conn, &temp)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| writable_or(&temp, e))?;
        conn.pragma_update(None, "foreign_keys", "ON").at(&temp)?;
        migrations::migrate(&mut conn, &temp)?;
        // Closing the only connection checkpoints the WAL into the file and removes it.
        conn.close().map_err(|(_, e)| database_error(&temp, e))
    })();
    let placed = made.and_then(|()| {
        match std::fs::hard_link(&temp, path) {
            // Another process made it first: use theirs.
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            // File systems without hard links (FAT): a rename, checked just before.
            Err(_) if !path.exists() => std::fs::rename(&temp, path).map_err(|source| Error::Io {
                path: path.to_owned(),
                action: crate::error::IoAction::Write,
                source,
            }),
            Err(_) => Ok(()),
        }
    });
    for leftover in [
        temp.clone(),
        temp.with_extension("new-wal"),
        temp.with_extension("new-shm"),
    ] {
        let _ = std::fs::remove_file(leftover);
    }
    placed
}

/// An SQLite failure while making the database ready: read-only media and folders show up
/// here (the WAL files cannot be made), so say so instead of a generic database error.
pub(crate) fn writable_or(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly) => Error::ReadOnly {
            path: path.to_owned(),
            reason: format!("{e}; the folder may be read-only"),
        },
        _ => database_error(path, e),
    }
}

/// An open store. Crate-private: front ends reach it only through
/// [`Workspace`](crate::Workspace), so no rule or validation can be skipped.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) a database file and brings its schema up to date. With
    /// [`Cipher::Key`] the key is the first thing every connection is given (a data folder is
    /// opened through [`crate::keys::folder`], which decides the cipher).
    ///
    /// A file that is not a Waymark database (empty, not SQLite, another program's, an
    /// impossible version, newer than this build) or that cannot be written is refused with
    /// a specific error before anything is written to it: even switching to WAL would rewrite
    /// its header.
    pub fn open(path: &Path, cipher: &Cipher<'_>) -> Result<Self> {
        if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            create_new(path, cipher)?;
        }
        if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
            return Err(Error::ForeignDatabase {
                path: path.to_owned(),
                kind: Foreign::Empty,
            });
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .at(path)?;
        cipher.apply(&conn, path)?;
        conn.busy_timeout(Duration::from_secs(5)).at(path)?;
        // Reading a WAL database makes its -shm file: a read-only folder shows up here.
        let ready = |e: Error| match e {
            Error::Database { source, .. } => writable_or(path, source),
            other => other,
        };
        check_is_ours(&conn, path).map_err(ready)?;
        if conn.is_readonly(MAIN_DB).at(path)? {
            return Err(Error::ReadOnly {
                path: path.to_owned(),
                reason: "the file is read-only".into(),
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| writable_or(path, e))?;
        conn.pragma_update(None, "synchronous", "FULL").at(path)?;
        conn.pragma_update(None, "foreign_keys", "ON").at(path)?;
        // Pages read through a mapping instead of one pread (and copy) each: a rescan reads
        // every item's row, and a process that starts, rescans 10,000 items and exits spent a
        // quarter of its time in 800 reads. The database is on a local disk already (WAL
        // needs one); an I/O error on it then stops the process instead of failing a query.
        conn.pragma_update(None, "mmap_size", MMAP_SIZE).at(path)?;
        migrations::migrate(&mut conn, path).map_err(ready)?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
        };
        store.ensure_installation()?;
        Ok(store)
    }

    /// Makes this installation's id the first time the folder is opened (read-only after).
    fn ensure_installation(&mut self) -> Result<()> {
        if self.installation_id_opt()?.is_some() {
            return Ok(());
        }
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO installation (singleton, installation_id, created_at) VALUES (1, ?1, ?2)",
                [new_id(), now()],
            )
            .map(|_| ())
            .at(&path)
        })
    }

    fn installation_id_opt(&self) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT installation_id FROM installation WHERE singleton = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .at(&self.path)
    }

    /// This installation's stable id (a UUIDv7 made when the data folder was first opened).
    pub fn installation_id(&self) -> Result<String> {
        self.installation_id_opt()?.ok_or_else(|| {
            Error::Internal("The installation id is missing from the database.".into())
        })
    }

    /// A setting of this installation (never part of the review).
    pub fn local_setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT value FROM local_settings WHERE key = ?1")
            .at(&self.path)?
            .query_row([key], |r| r.get(0))
            .optional()
            .at(&self.path)
    }

    /// Sets (or with `None` clears) a setting of this installation.
    pub fn set_local_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            match value {
                Some(v) => tx.execute(
                    "INSERT INTO local_settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    [key, v, &now()],
                ),
                None => tx.execute("DELETE FROM local_settings WHERE key = ?1", [key]),
            }
            .map(|_| ())
            .at(&path)
        })
    }

    /// Every table and row, for an export (see [`portable`]).
    pub fn dump(&self) -> Result<Vec<TableDump>> {
        portable::dump(&self.conn, &self.path)
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

    /// Rows this connection has inserted, updated or deleted since it was opened (tests check
    /// that a quiet operation writes nothing).
    #[cfg(test)]
    pub(crate) fn rows_written(&self) -> u64 {
        self.conn.total_changes()
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

/// A value in a row that this build cannot read back (an unknown status, a damaged detail):
/// carried through rusqlite's conversion error and turned into
/// [`Error::StoredValueInvalid`](crate::Error::StoredValueInvalid), which names the row, instead
/// of being read as some default.
#[derive(Debug)]
pub(crate) struct BadStoredValue {
    pub table: &'static str,
    pub row: String,
    pub column: &'static str,
    pub value: String,
}

impl std::fmt::Display for BadStoredValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{} = {:?} in row {}",
            self.table, self.column, self.value, self.row
        )
    }
}

impl std::error::Error for BadStoredValue {}

/// Reads text column `idx` of a row of `table` (whose id is `row`) and parses it; a value
/// `parse` does not know is an error naming the table, row and column.
pub(crate) fn parsed<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    (table, column): (&'static str, &'static str),
    row: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text = r.get_ref(idx)?.as_str()?;
    parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            Box::new(BadStoredValue {
                table,
                row: row.to_owned(),
                column,
                value: text.to_owned(),
            }),
        )
    })
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
