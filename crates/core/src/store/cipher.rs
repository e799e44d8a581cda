//! SQLCipher: the key every connection is given first, and the one-time encryption of an
//! earlier version's plaintext database.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{AtPath, Error, IoAction, Result, database_error};
use crate::keys::FolderKeys;

/// How a connection reads the database file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cipher<'k> {
    /// SQLCipher with the folder's database key: what every data folder uses.
    Key(&'k FolderKeys),
    /// No encryption: an earlier version's database, for the migration's own reads and for
    /// the benches' plaintext comparison (never a data folder opened by a front end).
    Plain,
}

/// The page cache of an encrypted connection, in KiB (SQLite's negative `cache_size`).
const ENCRYPTED_CACHE_KIB: i64 = -32 * 1024;

/// The first 16 bytes of every plaintext SQLite file; an SQLCipher file starts with its salt.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Cipher<'_> {
    /// Keys a new connection: before any other statement, so nothing is read unkeyed. Memory
    /// security (wiping every freed page) is off: it costs much and guards only against
    /// someone who can already read this process's memory. Temporary tables and indexes stay
    /// in memory, so no plaintext temporary file is ever written. (Keyed, the first pragmas
    /// may read the file: a read-only folder shows up here, and says so.)
    pub(crate) fn apply(&self, conn: &Connection, path: &Path) -> Result<()> {
        if let Cipher::Key(keys) = self {
            conn.pragma_update(None, "key", keys.database_pragma().as_str())
                .map_err(|e| super::writable_or(path, e))?;
            conn.pragma_update(None, "cipher_memory_security", "OFF")
                .map_err(|e| super::writable_or(path, e))?;
            // SQLCipher reads pages with a decryption each (no memory mapping): a page cache
            // that holds a rescan's rows (10,000 items are a few MB) decrypts them once per
            // connection instead of on every rescan. A cap, filled only as pages are read.
            conn.pragma_update(None, "cache_size", ENCRYPTED_CACHE_KIB)
                .map_err(|e| super::writable_or(path, e))?;
        }
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(|e| super::writable_or(path, e))
    }
}

/// `Some(true)` when `path` is a plaintext SQLite file, `Some(false)` when it is something
/// else (encrypted, empty, foreign), `None` when there is no file.
pub(crate) fn is_plaintext(path: &Path) -> Result<Option<bool>> {
    use std::io::Read as _;
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_owned(),
                action: IoAction::Read,
                source,
            });
        }
    };
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_owned(),
                    action: IoAction::Read,
                    source,
                });
            }
        }
    }
    Ok(Some(got == head.len() && &head == SQLITE_HEADER))
}

/// The temporary file the encrypted copy is made in, beside the database.
pub(crate) fn encrypting_temp(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.encrypting.new"))
}

/// Refuses a plaintext file that is not a Waymark database, or that cannot be written, before
/// anything is written to the folder (the checks `Store::open` makes).
pub(crate) fn check_plaintext(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .at(path)?;
    conn.busy_timeout(Duration::from_secs(5)).at(path)?;
    let ready = |e: Error| match e {
        Error::Database { source, .. } => super::writable_or(path, source),
        other => other,
    };
    super::check_is_ours(&conn, path).map_err(ready)?;
    if conn.is_readonly(rusqlite::MAIN_DB).at(path)? {
        return Err(Error::ReadOnly {
            path: path.to_owned(),
            reason: "the file is read-only".into(),
        });
    }
    Ok(())
}

/// Encrypts the plaintext database at `path` with the folder's key, in place, so that a kill
/// at any moment leaves either the plaintext database or the encrypted one, whole:
///
/// 1. everything in the WAL is checkpointed into the main file;
/// 2. `sqlcipher_export` copies every table, index and trigger into a new encrypted file under
///    a temporary name (`user_version` and `application_id` copied explicitly: the export
///    leaves them out); a leftover from an earlier, interrupted attempt is removed first;
/// 3. the connection is closed (the WAL and shared-memory files go with it) and the new file
///    is synced to disk;
/// 4. the plaintext's empty WAL and shared-memory files, if another connection left them, are
///    removed (a WAL with frames in it means another program wrote meanwhile: refused), so
///    they can never be replayed into the encrypted file;
/// 5. the new file is renamed over the plaintext one and the folder synced.
pub(crate) fn encrypt_plaintext(path: &Path, keys: &FolderKeys) -> Result<()> {
    check_plaintext(path)?;
    let temp = encrypting_temp(path);
    remove_if_there(&temp)?;
    let temp_text = temp.to_str().ok_or_else(|| Error::DataDir {
        path: path.parent().unwrap_or(path).to_owned(),
        source: std::io::Error::other(
            "the folder's name is not valid Unicode, which the database encryption needs",
        ),
    })?;
    // CREATE: ATTACH opens the new file with the main connection's flags.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .at(path)?;
    conn.busy_timeout(Duration::from_secs(5)).at(path)?;
    Cipher::Plain.apply(&conn, path)?;
    let busy: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .at(path)?;
    if busy != 0 {
        return Err(in_use(path));
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .at(path)?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .at(path)?;
    let exported = (|| -> rusqlite::Result<()> {
        conn.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            (temp_text, keys.database_pragma().as_str()),
        )?;
        // The copy is thrown away unless whole, so it needs no journal of its own.
        conn.pragma_update(Some("encrypted"), "journal_mode", "OFF")?;
        conn.pragma_update(Some("encrypted"), "synchronous", "OFF")?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.pragma_update(Some("encrypted"), "user_version", version)?;
        conn.pragma_update(Some("encrypted"), "application_id", app_id)?;
        conn.execute("DETACH DATABASE encrypted", [])?;
        Ok(())
    })();
    let closed = conn.close().map_err(|(_, e)| e);
    if let Err(e) = exported.and(closed) {
        let _ = std::fs::remove_file(&temp);
        return Err(database_error(path, e));
    }
    File::open(&temp)
        .and_then(|f| f.sync_all())
        .map_err(|source| Error::Io {
            path: temp.clone(),
            action: IoAction::Write,
            source,
        })?;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        let _ = std::fs::remove_file(&temp);
        return Err(in_use(path));
    }
    remove_if_there(&wal)?;
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    remove_if_there(std::path::Path::new(&shm))?;
    std::fs::rename(&temp, path).map_err(|source| Error::Io {
        path: path.to_owned(),
        action: IoAction::Write,
        source,
    })?;
    sync_dir(path.parent().unwrap_or(path));
    Ok(())
}

/// Another connection holds the plaintext database while it is being encrypted.
fn in_use(path: &Path) -> Error {
    Error::Database {
        path: path.to_owned(),
        source: rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some(
                "another program (an earlier Waymark still running?) is using the database while it is being encrypted; close it and open the folder again"
                    .into(),
            ),
        ),
    }
}

fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            action: IoAction::Write,
            source,
        }),
    }
}

/// Makes a rename durable (a folder can be synced on Unix; elsewhere this does nothing).
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
