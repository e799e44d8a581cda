//! Opening a data folder's keys: new, encrypted, or an earlier version's plaintext folder.
//!
//! `encryption.json` (never secret) names the keychain entry and says whether the vault is
//! encrypted yet. On every open:
//!
//! - **encrypted** (the record is there, the vault done, the database not plaintext): the key
//!   is loaded from the key store; none there is [`Error::DataKeyMissing`], a key that does not
//!   match the record's check value [`Error::DataKeyWrong`]; the folder is never touched.
//! - **anything else** is done under the folder's lock file (two processes upgrading the same
//!   folder at once would otherwise make two keys), looking again once it is held:
//!   1. no record: a plaintext database is first checked (another program's, too new or
//!      read-only is refused as before, nothing written); a new key is saved to the key store
//!      and read back; then the record is written (temporary file, sync, rename, folder sync).
//!      A kill before the rename leaves the plaintext folder as it was (the next open starts
//!      again with a new key; the unused entry stays in the keychain, harmless).
//!   2. a plaintext database is encrypted ([`crate::store::encrypt_plaintext`]: whole
//!      plaintext or whole encrypted file at every instant).
//!   3. a vault not yet marked done is encrypted blob by blob ([`crate::evidence`]'s
//!      `encrypt_legacy`: a plaintext goes only once its encrypted copy is in place), then the
//!      record is rewritten with `vault_encrypted: true`, the marker.
//!
//! A folder with a record but no database (a kill while a new folder was made) gets a new
//! encrypted database with the recorded key; a folder whose key is gone is never recreated.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{DataKey, FolderKeys, KeyStore, keychain_entry};
use crate::error::{Error, IoAction, Result};
use crate::store::{Cipher, DATABASE_FILE, Store};

/// The non-secret record of a folder's encryption, in the data folder.
pub const ENCRYPTION_FILE: &str = "encryption.json";

/// The lock file taken while a folder is made or upgraded (empty; left in place).
pub const LOCK_FILE: &str = ".encryption.lock";

/// What `encryption.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionRecord {
    /// 1.
    pub format: u32,
    /// The key store's id of the folder's key (keychain entry `data-key:<key_id>`).
    pub key_id: String,
    /// 64 bits that tell the right key from another ([`DataKey::check_value`]).
    pub key_check: String,
    /// Where the key is, for a person reading the file (not read back).
    pub keychain: String,
    /// The database's encryption (SQLCipher 4, raw 256-bit key derived from the master key).
    pub database: String,
    /// The vault's encryption (age X25519, names keyed BLAKE3); see docs/vault-format.md.
    pub vault: String,
    /// Whether every vault blob is encrypted (false while an upgrade is under way).
    pub vault_encrypted: bool,
}

impl EncryptionRecord {
    fn new(key_id: String, key: &DataKey) -> Self {
        Self {
            format: 1,
            keychain: format!("OS keychain: {}", keychain_entry(&key_id)),
            key_id,
            key_check: key.check_value(),
            database: "sqlcipher-4 (raw key)".into(),
            vault: "age-x25519, names keyed-blake3".into(),
            vault_encrypted: false,
        }
    }

    /// The record of the folder `data_dir`, if it has one.
    pub fn read(data_dir: &Path) -> Result<Option<Self>> {
        let path = data_dir.join(ENCRYPTION_FILE);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(Error::Io {
                    path,
                    action: IoAction::Read,
                    source,
                });
            }
        };
        let record: Self = serde_json::from_slice(&text).map_err(|e| Error::Io {
            path: path.clone(),
            action: IoAction::Read,
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("it is not a Waymark encryption record ({e})"),
            ),
        })?;
        if record.format != 1 {
            return Err(Error::Io {
                path,
                action: IoAction::Read,
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "format {} was written by a newer Waymark; update Waymark",
                        record.format
                    ),
                ),
            });
        }
        Ok(Some(record))
    }

    /// Writes the record atomically: a temporary file, synced, renamed, the folder synced.
    fn write(&self, data_dir: &Path) -> Result<()> {
        let path = data_dir.join(ENCRYPTION_FILE);
        let temp = data_dir.join(format!(".{ENCRYPTION_FILE}.{}.new", uuid::Uuid::now_v7()));
        let written = (|| -> std::io::Result<()> {
            let mut text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
            text.push(b'\n');
            let mut file = File::create(&temp)?;
            file.write_all(&text)?;
            file.sync_all()?;
            std::fs::rename(&temp, &path)
        })();
        if let Err(source) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(write_error(data_dir, path, source));
        }
        crate::store::sync_dir(data_dir);
        Ok(())
    }
}

/// A failure to write in the data folder: a read-only folder says so.
fn write_error(data_dir: &Path, path: PathBuf, source: std::io::Error) -> Error {
    if source.kind() == std::io::ErrorKind::PermissionDenied || source.raw_os_error() == Some(30) {
        return Error::ReadOnly {
            path: data_dir.join(DATABASE_FILE),
            reason: format!(
                "{} could not be written ({source}); the folder may be read-only",
                path.display()
            ),
        };
    }
    Error::Io {
        path,
        action: IoAction::Write,
        source,
    }
}

/// The folder's lock, held while it is made or upgraded.
struct FolderLock(File);

impl FolderLock {
    fn take(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| write_error(data_dir, path.clone(), source))?;
        file.lock().map_err(|source| Error::Io {
            path,
            action: IoAction::Write,
            source,
        })?;
        Ok(Self(file))
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// What an open data folder works with.
pub(crate) struct Opened {
    pub store: Store,
    pub keys: Arc<FolderKeys>,
}

fn keychain_error(dir: &Path, source: waymark_keychain::KeychainError) -> Error {
    Error::Keychain {
        dir: dir.to_owned(),
        source,
    }
}

/// The folder's keys, from its record and the key store (missing and wrong keys refused).
fn load_keys(dir: &Path, record: &EncryptionRecord, store: &dyn KeyStore) -> Result<FolderKeys> {
    let key = store
        .load(&record.key_id)
        .map_err(|e| keychain_error(dir, e))?
        .ok_or_else(|| Error::DataKeyMissing {
            dir: dir.to_owned(),
            entry: keychain_entry(&record.key_id),
        })?;
    if key.check_value() != record.key_check {
        return Err(Error::DataKeyWrong {
            dir: dir.to_owned(),
            entry: keychain_entry(&record.key_id),
        });
    }
    FolderKeys::derive(&record.key_id, &key).map_err(Error::Internal)
}

/// With no encryption record: refuses a database file that is not an earlier Waymark's
/// plaintext database (empty, random, another program's, too new, read-only), untouched.
fn refuse_foreign(db: &Path) -> Result<()> {
    match crate::store::is_plaintext(db)? {
        Some(false) => {
            drop(Store::open(db, &Cipher::Plain)?);
            Err(Error::Internal(format!(
                "{} is neither plaintext SQLite nor recorded as encrypted",
                db.display()
            )))
        }
        Some(true) => crate::store::check_plaintext(db),
        None => Ok(()),
    }
}

/// Opens (making or upgrading as needed) the data folder `dir` with keys from `store`.
pub(crate) fn open(dir: &Path, store: &dyn KeyStore) -> Result<Opened> {
    std::fs::create_dir_all(dir).map_err(|source| Error::DataDir {
        path: dir.to_owned(),
        source,
    })?;
    let db = dir.join(DATABASE_FILE);
    if let Some(record) = EncryptionRecord::read(dir)?
        && record.vault_encrypted
        && crate::store::is_plaintext(&db)? == Some(false)
    {
        let keys = Arc::new(load_keys(dir, &record, store)?);
        let opened = Store::open(&db, &Cipher::Key(&keys))?;
        return Ok(Opened {
            store: opened,
            keys,
        });
    }
    if EncryptionRecord::read(dir)?.is_none() {
        // Refusals (another program's file, too new, read-only) come before anything is
        // written, the lock file included.
        refuse_foreign(&db)?;
    }
    let lock = FolderLock::take(dir)?;
    let keys = ready_locked(dir, store)?;
    let opened = Store::open(&db, &Cipher::Key(&keys))?;
    drop(lock);
    Ok(Opened {
        store: opened,
        keys,
    })
}

/// Makes the folder's key and record if it has none, and finishes any upgrade, without
/// opening (or creating) the database: for an import, which builds the database itself
/// (encrypted with `Cipher::Key` of these keys) after restoring the vault with them.
pub(crate) fn prepare(dir: &Path, store: &dyn KeyStore) -> Result<Arc<FolderKeys>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::DataDir {
        path: dir.to_owned(),
        source,
    })?;
    let _lock = FolderLock::take(dir)?;
    ready_locked(dir, store)
}

/// The slow path of [`open`], under the folder's lock.
fn ready_locked(dir: &Path, store: &dyn KeyStore) -> Result<Arc<FolderKeys>> {
    let db = dir.join(DATABASE_FILE);
    let mut record = match EncryptionRecord::read(dir)? {
        Some(record) => record,
        None => {
            refuse_foreign(&db)?;
            let key_id = uuid::Uuid::now_v7().to_string();
            let key = DataKey::generate().map_err(|e| keychain_error(dir, e))?;
            store
                .save(&key_id, &key)
                .map_err(|e| keychain_error(dir, e))?;
            let back = store.load(&key_id).map_err(|e| keychain_error(dir, e))?;
            if back.as_ref() != Some(&key) {
                return Err(keychain_error(
                    dir,
                    waymark_keychain::KeychainError::Failed(
                        "the key just stored could not be read back".into(),
                    ),
                ));
            }
            let record = EncryptionRecord::new(key_id, &key);
            record.write(dir)?;
            record
        }
    };
    let keys = Arc::new(load_keys(dir, &record, store)?);
    if crate::store::is_plaintext(&db)? == Some(true) {
        crate::store::encrypt_plaintext(&db, &keys)?;
    }
    if !record.vault_encrypted {
        crate::evidence::encrypt_legacy(dir, keys.clone()).map_err(|source| Error::Io {
            path: dir.join(crate::evidence::VAULT_DIR),
            action: IoAction::Write,
            source,
        })?;
        record.vault_encrypted = true;
        record.write(dir)?;
    }
    Ok(keys)
}

/// Opens an earlier version's plaintext folder as it is, unencrypted: for the benchmarks'
/// side-by-side figures and for tests that make an earlier version's folder. Refuses a folder
/// that is encrypted (nothing can be downgraded).
pub(crate) fn open_plaintext(dir: &Path) -> Result<Store> {
    std::fs::create_dir_all(dir).map_err(|source| Error::DataDir {
        path: dir.to_owned(),
        source,
    })?;
    if EncryptionRecord::read(dir)?.is_some() {
        return Err(Error::invalid(
            "data_dir",
            "This data folder is encrypted; it can only be opened with its key.",
        ));
    }
    Store::open(&dir.join(DATABASE_FILE), &Cipher::Plain)
}

/// Deletes the keychain entry of the folder `dir` (read from its `encryption.json`, without
/// opening the database): after this nothing in the folder can be read by anyone. Returns the
/// key id and whether an entry was there; `None` when the folder has no record.
pub fn forget_data_key(dir: &Path, store: &dyn KeyStore) -> Result<Option<(String, bool)>> {
    let Some(record) = EncryptionRecord::read(dir)? else {
        return Ok(None);
    };
    let removed = store
        .delete(&record.key_id)
        .map_err(|e| keychain_error(dir, e))?;
    Ok(Some((record.key_id, removed)))
}
