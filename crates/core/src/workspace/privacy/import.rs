//! Import: an export archive becomes a new data folder, with nothing lost.
//!
//! Only into a folder with no Waymark database: an import never overwrites data. The files
//! (evidence copies, sealed blobs) are restored first, each checked against the manifest and
//! put in place by rename; the database is built last under a temporary name and moved into
//! place, so until the very end the folder has no database and a failed or killed import can
//! simply be run again.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, IoAction, Result};
use crate::evidence::{Stored, VAULT_DIR, Vault};
use crate::keys::{KeyStore, OsKeychain};
use crate::privacy::{
    EXPORT_FORMAT, EXPORT_FORMAT_VERSION, EXPORT_ROOT, ExportManifest, ExportedKind, ImportReport,
};
use crate::store::{DATABASE_FILE, LATEST_SCHEMA};

use super::super::Workspace;

/// The largest `export.json` read into memory (a review with years of history is a few MB).
const MAX_MANIFEST_BYTES: u64 = 1 << 30;

fn invalid(archive: &Path, problem: impl Into<String>) -> Error {
    Error::ImportInvalid {
        path: archive.to_owned(),
        problem: problem.into(),
    }
}

fn read_error(archive: &Path, e: io::Error) -> Error {
    invalid(
        archive,
        format!("it could not be read as a tar archive ({e})"),
    )
}

impl Workspace {
    /// Makes `data_dir` (new or empty of Waymark data) from the export at `archive`, then opens
    /// it. Refused with nothing written when the folder already has a database, or the archive
    /// is damaged, not an export, or from a newer Waymark.
    pub fn import(data_dir: &Path, archive: &Path) -> Result<(Self, ImportReport)> {
        Self::import_with_keys(data_dir, archive, Arc::new(OsKeychain))
    }

    /// [`Workspace::import`] with the new folder's key kept in `keys` (see
    /// [`Workspace::open_with_keys`]).
    pub fn import_with_keys(
        data_dir: &Path,
        archive: &Path,
        keys: Arc<dyn KeyStore>,
    ) -> Result<(Self, ImportReport)> {
        let database = data_dir.join(DATABASE_FILE);
        if std::fs::symlink_metadata(&database).is_ok() {
            return Err(Error::ImportTargetInUse {
                path: data_dir.to_owned(),
            });
        }
        let file = File::open(archive).map_err(|source| Error::Io {
            path: archive.to_owned(),
            action: IoAction::Read,
            source,
        })?;
        let mut tar = tar::Archive::new(BufReader::with_capacity(1 << 20, file));
        let mut entries = tar.entries().map_err(|e| read_error(archive, e))?;
        let manifest = read_manifest(archive, &mut entries)?;
        std::fs::create_dir_all(data_dir).map_err(|source| Error::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;

        // The folder's new key first: the vault and the database are written encrypted.
        let folder_keys = crate::keys::folder::prepare(data_dir, keys.as_ref())?;
        // The files, in manifest order, each checked against its record.
        let vault = Vault::new(data_dir, Some(folder_keys.clone()));
        let temp_dir = data_dir.join(VAULT_DIR).join("tmp");
        let mut expected = manifest.files.iter();
        let mut restored = 0u32;
        for entry in entries {
            let mut entry = entry.map_err(|e| read_error(archive, e))?;
            let name = entry_name(&entry);
            if name == format!("{EXPORT_ROOT}/README.txt") {
                continue;
            }
            let Some(file) = expected.next() else {
                return Err(invalid(
                    archive,
                    format!("it holds {name}, which export.json does not list"),
                ));
            };
            if name != format!("{EXPORT_ROOT}/{}", file.name) {
                return Err(invalid(
                    archive,
                    format!("it holds {name} where export.json lists {}", file.name),
                ));
            }
            if entry.size() != file.bytes {
                return Err(invalid(
                    archive,
                    format!(
                        "{} is {} bytes; export.json says {}",
                        file.name,
                        entry.size(),
                        file.bytes
                    ),
                ));
            }
            match file.kind {
                ExportedKind::Evidence => {
                    let temp = copy_to_temp(&temp_dir, &mut entry, archive)?;
                    let stored = vault.store(&temp, &file.key);
                    let _ = std::fs::remove_file(&temp);
                    match stored.map_err(|e| {
                        invalid(archive, format!("{} could not be stored ({e})", file.name))
                    })? {
                        Stored::Changed(found) => {
                            return Err(invalid(
                                archive,
                                format!("{} is damaged: its content hashes to {found}", file.name),
                            ));
                        }
                        Stored::Copied(_) | Stored::AlreadyThere => {}
                    }
                }
                ExportedKind::SealedBlob => {
                    let target = sealed_target(data_dir, &file.key).ok_or_else(|| {
                        invalid(
                            archive,
                            format!("{} names a place outside the data folder", file.name),
                        )
                    })?;
                    let temp = copy_to_temp(&temp_dir, &mut entry, archive)?;
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                            path: parent.to_owned(),
                            action: IoAction::Write,
                            source,
                        })?;
                    }
                    std::fs::rename(&temp, &target).map_err(|source| Error::Io {
                        path: target.clone(),
                        action: IoAction::Write,
                        source,
                    })?;
                }
            }
            restored += 1;
        }
        if let Some(missing) = expected.next() {
            return Err(invalid(
                archive,
                format!("it ends before {}, which export.json lists", missing.name),
            ));
        }
        let _ = std::fs::remove_dir(&temp_dir);

        crate::store::Store::create_imported(
            &database,
            &crate::store::Cipher::Key(&folder_keys),
            archive,
            manifest.schema_version,
            &manifest.tables,
        )?;
        let workspace = Self::open_with_keys(data_dir, keys)?;
        let report = ImportReport {
            data_dir: data_dir.display().to_string(),
            tables: u32::try_from(manifest.tables.len()).unwrap_or(u32::MAX),
            rows: manifest.tables.iter().map(|t| t.rows.len() as u64).sum(),
            files: restored,
            from_schema: manifest.schema_version,
        };
        Ok((workspace, report))
    }
}

fn entry_name<R: Read>(entry: &tar::Entry<'_, R>) -> String {
    entry
        .path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The first entry must be `export.json`, a manifest this Waymark can read.
fn read_manifest<R: Read>(
    archive: &Path,
    entries: &mut tar::Entries<'_, R>,
) -> Result<ExportManifest> {
    let not_export = || {
        invalid(
            archive,
            "it is not a Waymark export (its first file is not waymark-export/export.json)",
        )
    };
    let mut first = entries
        .next()
        .ok_or_else(not_export)?
        .map_err(|e| read_error(archive, e))?;
    if entry_name(&first) != format!("{EXPORT_ROOT}/export.json") {
        return Err(not_export());
    }
    if first.size() > MAX_MANIFEST_BYTES {
        return Err(invalid(archive, "its export.json is over 1 GB"));
    }
    let mut text = Vec::new();
    first
        .read_to_end(&mut text)
        .map_err(|e| read_error(archive, e))?;
    let head: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| invalid(archive, format!("its export.json is not JSON ({e})")))?;
    if head.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT) {
        return Err(not_export());
    }
    let version = head
        .get("format_version")
        .and_then(serde_json::Value::as_u64);
    if version.is_none_or(|v| v > u64::from(EXPORT_FORMAT_VERSION)) {
        return Err(invalid(
            archive,
            format!(
                "it was made by a newer Waymark (export format {}; this Waymark reads up to {EXPORT_FORMAT_VERSION}): update Waymark to import it",
                version.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
            ),
        ));
    }
    let manifest: ExportManifest = serde_json::from_value(head)
        .map_err(|e| invalid(archive, format!("its export.json is damaged ({e})")))?;
    if manifest.schema_version > LATEST_SCHEMA {
        return Err(invalid(
            archive,
            format!(
                "it was made by a newer Waymark (data version {}; this Waymark understands up to {LATEST_SCHEMA}): update Waymark to import it",
                manifest.schema_version
            ),
        ));
    }
    Ok(manifest)
}

/// Where a sealed blob goes back: its recorded path, which must stay inside the outbox.
fn sealed_target(data_dir: &Path, relative: &str) -> Option<PathBuf> {
    let path = Path::new(relative);
    let inside = path
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    (inside && path.starts_with(crate::outbox::OUTBOX_DIR)).then(|| data_dir.join(path))
}

/// Copies an archive entry to a temporary file (synced), for the vault or a rename.
fn copy_to_temp(temp_dir: &Path, entry: &mut impl Read, archive: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(temp_dir).map_err(|source| Error::Io {
        path: temp_dir.to_owned(),
        action: IoAction::Write,
        source,
    })?;
    let temp = temp_dir.join(format!("import.{}.partial", crate::store::new_id()));
    let result = (|| {
        let mut out = File::create(&temp)?;
        io::copy(entry, &mut out)?;
        out.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(if e.kind() == io::ErrorKind::StorageFull {
            Error::Io {
                path: temp,
                action: IoAction::Write,
                source: e,
            }
        } else {
            read_error(archive, e)
        });
    }
    Ok(temp)
}
