//! The embedded metadata store: one SQLite file (`meta.sqlite` in the data folder) in WAL mode.
//!
//! rusqlite is synchronous, so every operation runs on tokio's blocking pool. Writes go through
//! one connection (SQLite has one writer at a time anyway; queuing them here avoids busy
//! retries); reads use a small pool of their own connections, which WAL lets run beside the
//! writer. Commits that a client is told are safe (a receipt, an acknowledged upload offset) use
//! `synchronous = FULL`: a power cut never loses what the school holds a receipt for.
//!
//! Migrations are append-only files in `sql/`, applied in order and recorded in
//! `PRAGMA user_version`; `tests` opens a database of every earlier version and upgrades it.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction};

use super::{MetaError, MetaResult};

mod accounts;
mod privacy;
mod submissions;
mod uploads;

/// The migrations, in order. Never edit one that has shipped: add the next.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_accounts", include_str!("sql/0001_accounts.sql")),
    ("0002_uploads", include_str!("sql/0002_uploads.sql")),
    ("0003_submissions", include_str!("sql/0003_submissions.sql")),
    ("0004_privacy", include_str!("sql/0004_privacy.sql")),
];

/// The file name inside the data folder.
pub const FILE_NAME: &str = "meta.sqlite";

const READERS: usize = 4;

/// The SQLite metadata store.
#[derive(Clone)]
pub struct SqliteMeta {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<AtomicUsize>,
}

impl std::fmt::Debug for SqliteMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteMeta")
    }
}

fn sql_error(e: rusqlite::Error) -> MetaError {
    match e {
        rusqlite::Error::SqliteFailure(f, ref detail)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::DiskFull
            ) =>
        {
            MetaError::Unavailable(detail.clone().unwrap_or_else(|| f.to_string()))
        }
        rusqlite::Error::SqliteFailure(f, ref detail)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            MetaError::Conflict(detail.clone().unwrap_or_else(|| f.to_string()))
        }
        other => MetaError::Internal(other.to_string()),
    }
}

impl From<rusqlite::Error> for MetaError {
    fn from(e: rusqlite::Error) -> Self {
        sql_error(e)
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

impl SqliteMeta {
    /// Opens (creating and migrating when needed) the store in `data_dir`.
    pub fn open(data_dir: &Path) -> MetaResult<Self> {
        let path = data_dir.join(FILE_NAME);
        let mut writer = Connection::open(&path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure(&conn)?;
            readers.push(Mutex::new(conn));
        }
        Ok(Self {
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(readers),
            next_reader: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Runs `f` in a write transaction on the blocking pool. `durable` commits with
    /// `synchronous = FULL` (for what a client is told is safe).
    pub(crate) async fn write<T, F>(&self, durable: bool, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> MetaResult<T> + Send + 'static,
    {
        self.write_with(durable, false, f).await
    }

    /// [`SqliteMeta::write`] for a deletion of personal data (an erasure, a submission past
    /// its retention): durable, with `secure_delete` on so the deleted rows' bytes are
    /// overwritten in the file rather than left in free pages, and the WAL checkpointed and
    /// truncated afterwards so no copy of the old pages stays in it.
    pub(crate) async fn write_erasing<T, F>(&self, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> MetaResult<T> + Send + 'static,
    {
        self.write_with(true, true, f).await
    }

    async fn write_with<T, F>(&self, durable: bool, erasing: bool, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> MetaResult<T> + Send + 'static,
    {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            let mut conn = writer
                .lock()
                .map_err(|_| MetaError::Internal("the writer connection was poisoned".into()))?;
            if durable {
                conn.pragma_update(None, "synchronous", "FULL")?;
            }
            if erasing {
                conn.pragma_update(None, "secure_delete", true)?;
            }
            let result = (|| {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            if erasing {
                conn.pragma_update(None, "secure_delete", false)?;
                if result.is_ok() {
                    // Readers may hold the WAL open (then it is only checkpointed as far as
                    // they allow, and truncated next time): not a failure of the erasure.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "the WAL could not be truncated after a deletion");
                    }
                }
            }
            if durable {
                conn.pragma_update(None, "synchronous", "NORMAL")?;
            }
            result
        })
        .await
        .map_err(|e| MetaError::Internal(format!("a metadata task failed: {e}")))?
    }

    /// Runs `f` on a reader connection on the blocking pool.
    pub(crate) async fn read<T, F>(&self, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> MetaResult<T> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let first = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || {
            // A free connection if there is one (a short read, a status poll, must not queue
            // behind a long one); otherwise wait for the next in turn.
            let n = readers.len();
            let free = (0..n).find_map(|k| readers[(first + k) % n].try_lock().ok());
            let conn = match free {
                Some(conn) => conn,
                None => readers[first]
                    .lock()
                    .map_err(|_| MetaError::Internal("a reader connection was poisoned".into()))?,
            };
            f(&conn)
        })
        .await
        .map_err(|e| MetaError::Internal(format!("a metadata task failed: {e}")))?
    }

    /// Checks the database answers (readiness).
    pub async fn ping(&self) -> MetaResult<()> {
        self.read(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }
}

/// Applies every migration newer than the database's `user_version`, each in its own
/// transaction with the version bump, so a crash leaves the database at a whole version.
pub fn migrate(conn: &mut Connection) -> MetaResult<()> {
    let current: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > MIGRATIONS.len() {
        return Err(MetaError::Internal(format!(
            "the metadata database is version {current}, newer than this server ({}); run the newer waymark-server",
            MIGRATIONS.len()
        )));
    }
    for (i, (_, sql)) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Times are stored as RFC 3339 text in UTC with nanoseconds (sortable as text).
pub(crate) fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Reads what [`time_text`] stored.
pub(crate) fn parse_time(text: &str) -> MetaResult<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| MetaError::Internal(format!("a stored time `{text}` is unreadable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every earlier version of the schema upgrades to the current one and keeps its rows.
    #[test]
    fn every_earlier_version_upgrades() {
        for start in 0..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(FILE_NAME);
            {
                let conn = Connection::open(&path).unwrap();
                for (i, (_, sql)) in MIGRATIONS.iter().enumerate().take(start) {
                    conn.execute_batch(sql).unwrap();
                    conn.pragma_update(None, "user_version", i + 1).unwrap();
                }
                if start >= 1 {
                    conn.execute(
                        "INSERT INTO institutions (id, name, identifier, created_at) VALUES ('0190c7a2-0000-7000-8000-000000000001', 'Old School', 'urn:x:1', '2026-01-01T00:00:00Z')",
                        [],
                    )
                    .unwrap();
                }
                if start >= 3 {
                    conn.execute(
                        "INSERT INTO submissions (id, institution, framework_id, framework_version, award, state, received_at, updated_at) VALUES ('0190c7a2-0000-7000-8000-000000000002', '0190c7a2-0000-7000-8000-000000000001', 'f', '1', 'a', 'received', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')",
                        [],
                    )
                    .unwrap();
                }
            }
            let mut conn = Connection::open(&path).unwrap();
            migrate(&mut conn).unwrap();
            let version: usize = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(version, MIGRATIONS.len(), "from version {start}");
            if start >= 1 {
                let name: String = conn
                    .query_row("SELECT name FROM institutions", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(name, "Old School");
            }
            // The data-protection tables (0004) are there whatever the start.
            for table in [
                "erased_institutions",
                "erased_tokens",
                "deleted_submissions",
                "deleted_awards",
                "pending_deletions",
                "institution_profiles",
            ] {
                let n: i64 = conn
                    .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                    .unwrap();
                assert_eq!(n, 0, "{table} from version {start}");
            }
            if start >= 3 {
                let state: String = conn
                    .query_row("SELECT state FROM submissions", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(state, "received", "from version {start}");
            }
        }
    }

    #[test]
    fn a_newer_database_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        let err = migrate(&mut conn).unwrap_err().to_string();
        assert!(err.contains("newer than this server"), "{err}");
    }
}
