//! Erasure of a whole data folder: the database, the vault, the outbox, installed frameworks,
//! Waymark's temporary files, the exports it made, and its OS keychain entries.
//!
//! The keychain entries go first: without the data key the database and the vault are
//! unreadable (erasure by key), so even a kill straight after leaves nothing readable, and
//! running the erasure again finishes the files. Files that are not Waymark's are left where
//! they are and named in the report.

use std::path::{Path, PathBuf};

use crate::error::{Error, IoAction, Result};
use crate::evidence::VAULT_DIR;
use crate::outbox::OUTBOX_DIR;
use crate::privacy::{ERASE_CONFIRMATION, EXPORT_ROOT, EnrolledWith, ErasurePlan, ErasureReport};
use crate::store::DATABASE_FILE;

use super::super::{FRAMEWORKS_DIR, Workspace};

/// Folders of Waymark's inside a data folder, removed with everything in them.
const FOLDERS: &[&str] = &[VAULT_DIR, OUTBOX_DIR, FRAMEWORKS_DIR];

/// Waymark's other files directly in a data folder: the encryption record and its lock.
const OTHER_FILES: &[&str] = &[crate::keys::ENCRYPTION_FILE, crate::keys::LOCK_FILE];

/// The school's credentials' part of the OS keychain (the sync engine writes it; erasure is
/// the one place that removes it with the folder).
const CREDENTIALS: waymark_keychain::Keychain = waymark_keychain::Keychain {
    service: crate::keys::KEYCHAIN_SERVICE,
    again: "nothing to do: the entry is gone",
    unavailable_hint: "",
};

/// Whether a file directly in the data folder is Waymark's: the database and SQLite's files
/// beside it, and the temporary files Waymark makes there (`.…new`, `.…partial`).
fn is_waymark_file(name: &str) -> bool {
    let database = [
        DATABASE_FILE.to_owned(),
        format!("{DATABASE_FILE}-wal"),
        format!("{DATABASE_FILE}-shm"),
        format!("{DATABASE_FILE}-journal"),
    ];
    database.iter().any(|d| d == name)
        || OTHER_FILES.contains(&name)
        || (name.starts_with('.')
            && [".new", ".new-wal", ".new-shm", ".partial"]
                .iter()
                .any(|end| name.ends_with(end)))
}

/// Waymark's files and folders in `data_dir`, and the rest.
fn partition(data_dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut ours = Vec::new();
    let mut other = Vec::new();
    if let Ok(entries) = std::fs::read_dir(data_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if (is_dir && FOLDERS.contains(&name.as_str())) || (!is_dir && is_waymark_file(&name)) {
                ours.push(entry.path());
            } else {
                other.push(entry.path());
            }
        }
    }
    ours.sort();
    other.sort();
    (ours, other)
}

/// Size of a file, or of a folder with everything in it.
fn size_of(path: &Path) -> (u64, u64) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let s = super::folder_size(path);
            (s.files, s.bytes)
        }
        Ok(m) => (1, m.len()),
        Err(_) => (0, 0),
    }
}

/// Whether `path` is still an export archive (its first entry is the manifest): a file the
/// user has since replaced with something else under that name is not touched.
fn is_export(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut archive = tar::Archive::new(file);
    archive
        .entries()
        .ok()
        .and_then(|mut e| e.next())
        .and_then(|e| e.ok())
        .and_then(|e| e.path().ok().map(|p| p.into_owned()))
        .is_some_and(|p| p == Path::new(EXPORT_ROOT).join("export.json"))
}

impl Workspace {
    /// The OS keychain entries this folder owns: its data key and, once enrolled, the
    /// credentials the enrollment names.
    fn keychain_entries(&self) -> Result<Vec<String>> {
        let mut entries: Vec<String> = self
            .data_key_id()
            .map(crate::keys::keychain_entry)
            .into_iter()
            .collect();
        if let Some(e) = self.enrollment()? {
            entries.push(format!(
                "service \"{}\", entry \"{}\"",
                crate::keys::KEYCHAIN_SERVICE,
                e.keychain_user
            ));
        }
        Ok(entries)
    }

    /// Closes the folder and removes its keychain entries, the data key first (from then on
    /// nothing in the folder can be read), then the credentials.
    fn forget_keys(self) -> Result<Vec<String>> {
        let enrollment = self.enrollment()?;
        let (dir, key_store) = (self.data_dir.clone(), self.key_store());
        drop(self);
        let mut removed = Vec::new();
        if let Some((key_id, true)) = crate::keys::forget_data_key(&dir, key_store.as_ref())? {
            removed.push(crate::keys::keychain_entry(&key_id));
        }
        if let Some(e) = enrollment {
            let gone = CREDENTIALS
                .remove(&e.keychain_user)
                .map_err(|source| Error::Keychain {
                    dir: dir.clone(),
                    source,
                })?;
            if gone {
                removed.push(format!(
                    "service \"{}\", entry \"{}\"",
                    crate::keys::KEYCHAIN_SERVICE,
                    e.keychain_user
                ));
            }
        }
        Ok(removed)
    }

    /// What [`Workspace::erase`] would remove, for the confirmation the user must give.
    pub fn erasure_plan(&self) -> Result<ErasurePlan> {
        let (ours, _) = partition(&self.data_dir);
        let exports: Vec<String> = self
            .known_exports()?
            .into_iter()
            .filter(|e| is_export(Path::new(&e.path)))
            .map(|e| e.path)
            .collect();
        let bytes = ours
            .iter()
            .map(|p| size_of(p).1)
            .chain(exports.iter().map(|p| size_of(Path::new(p)).1))
            .sum();
        let enrollment = self.enrollment()?;
        Ok(ErasurePlan {
            data_dir: self.data_dir.display().to_string(),
            paths: ours.iter().map(|p| p.display().to_string()).collect(),
            bytes,
            keychain_entries: self.keychain_entries()?,
            exports,
            enrolled_with: enrollment.map(|e| EnrolledWith {
                awarding_body: e.awarding_body,
                endpoint: e.endpoint,
                institution_name: e.institution_name,
                enrolled_at: e.enrolled_at.to_rfc3339(),
            }),
            confirmation: ERASE_CONFIRMATION.to_owned(),
        })
    }

    /// Erases this data folder, once `confirmation` is the phrase the plan asked for. The
    /// workspace is closed first; what was removed (and what was left, not being Waymark's)
    /// is reported.
    pub fn erase(self, confirmation: &str) -> Result<ErasureReport> {
        crate::privacy::check_erase_confirmation(confirmation)?;
        let plan = self.erasure_plan()?;
        let data_dir = self.data_dir.clone();
        let keychain_entries = self.forget_keys()?;
        remove_files(&data_dir, &plan.exports, keychain_entries)
    }

    /// Erases a data folder that cannot be opened any more: its key's keychain entry is gone
    /// (lost, or an erasure was stopped after removing it first) or is not the folder's. Its
    /// keychain entry, if still there, and Waymark's files go; the exports it made and the
    /// enrollment's credentials are recorded only in the unreadable database, so they stay
    /// (the report says so in `left` only for files inside the folder).
    pub fn erase_unreadable(
        data_dir: &Path,
        keys: &dyn crate::keys::KeyStore,
        confirmation: &str,
    ) -> Result<ErasureReport> {
        crate::privacy::check_erase_confirmation(confirmation)?;
        let mut removed = Vec::new();
        if let Some((key_id, true)) = crate::keys::forget_data_key(data_dir, keys)? {
            removed.push(crate::keys::keychain_entry(&key_id));
        }
        remove_files(data_dir, &[], removed)
    }
}

/// Removes Waymark's files in `data_dir` and the `exports`, then the folder when nothing else
/// is in it.
fn remove_files(
    data_dir: &Path,
    exports: &[String],
    keychain_entries: Vec<String>,
) -> Result<ErasureReport> {
    let mut report = ErasureReport {
        files: 0,
        bytes: 0,
        keychain_entries,
        left: Vec::new(),
    };
    let (ours, _) = partition(data_dir);
    let targets = ours.into_iter().chain(exports.iter().map(PathBuf::from));
    for path in targets {
        let (files, bytes) = size_of(&path);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match removed {
            Ok(()) => {
                report.files += files;
                report.bytes += bytes;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(Error::Io {
                    path,
                    action: IoAction::Write,
                    source,
                });
            }
        }
    }
    let (_, other) = partition(data_dir);
    report.left = other.iter().map(|p| p.display().to_string()).collect();
    if other.is_empty() {
        let _ = std::fs::remove_dir(data_dir);
    }
    Ok(report)
}
