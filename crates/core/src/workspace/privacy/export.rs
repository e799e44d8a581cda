//! Export (the rights of access and portability): everything the folder holds, as one tar
//! archive a person can read (`export.json`, documented in docs/export-format.md) and that
//! [`Workspace::import`] turns back into a data folder with nothing lost.
//!
//! The archive is written under a temporary name in the destination's folder, flushed to disk
//! and only then renamed into place, so a crash or a full disk never leaves a half archive
//! under the name the user chose.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoAction, Result};
use crate::outbox::OutboxState;
use crate::privacy::{
    EXPORT_FORMAT, EXPORT_FORMAT_VERSION, EXPORT_ROOT, ExportManifest, ExportReport, ExportedFile,
    ExportedKind, KnownExport,
};
use crate::store::TableDump;

use super::super::Workspace;

/// The archive's plain-language cover note.
const README: &str = "\
This is an export of a Waymark data folder: everything Waymark held about your institution's
self-review, made when you asked for it (the rights of access and portability).

export.json   every record (the institution, reviews, responses with their full history,
              actions, the working group, evidence records, submissions, receipts, events)
              as JSON; docs/export-format.md in Waymark's source describes it
evidence/     (when exported with evidence) the frozen copies of evidence files, named by
              their BLAKE3 hash as export.json's evidence records name them
outbox/       (when exported with evidence) submissions as sent, encrypted to the awarding
              body (only it can read them)

This file is NOT encrypted: it may show pupils and staff. Keep it as safely as the originals,
and delete it when it is no longer needed. To use it on another computer, import it into a new
data folder with Waymark:
    waymark import THIS_FILE --data-dir NEW_FOLDER
";

impl Workspace {
    /// Writes everything this folder holds to `out` (replacing a file there), with the frozen
    /// evidence and sealed submission blobs when `with_evidence`. The export is remembered, so
    /// that erasing the folder removes it too.
    pub fn export(&mut self, out: &Path, with_evidence: bool) -> Result<ExportReport> {
        let tables = self.store.dump()?;
        let mut files = Vec::new();
        let mut sources = Vec::new();
        let mut waiting_not_carried = 0;
        if with_evidence {
            for (hash, size) in vault_blobs(&tables) {
                files.push(ExportedFile {
                    name: format!("evidence/{hash}"),
                    kind: ExportedKind::Evidence,
                    bytes: size,
                    key: hash.clone(),
                });
                sources.push(Source::Vault(hash));
            }
            for blob in self.sealed_blobs()? {
                let name = Path::new(&blob.file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| blob.sha256.clone());
                files.push(ExportedFile {
                    name: format!("outbox/{name}"),
                    kind: ExportedKind::SealedBlob,
                    bytes: blob.size,
                    key: blob.file.clone(),
                });
                sources.push(Source::File(self.data_dir.join(&blob.file)));
            }
        } else {
            waiting_not_carried = u32::try_from(
                self.outbox()?
                    .iter()
                    .filter(|s| s.state == OutboxState::Queued)
                    .count(),
            )
            .unwrap_or(u32::MAX);
        }
        let manifest = ExportManifest {
            format: EXPORT_FORMAT.to_owned(),
            format_version: EXPORT_FORMAT_VERSION,
            schema_version: self.store.schema_version()?,
            exported_at: crate::store::now(),
            waymark_version: env!("CARGO_PKG_VERSION").to_owned(),
            with_evidence,
            files,
            tables,
        };
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| Error::Internal(format!("The export could not be encoded: {e}")))?;

        let vault = self.vault();
        let bytes = write_atomically(out, |w| {
            let mut tar = tar::Builder::new(w);
            append(&mut tar, "export.json", json.len() as u64, &json[..])?;
            append(
                &mut tar,
                "README.txt",
                README.len() as u64,
                README.as_bytes(),
            )?;
            for (file, source) in manifest.files.iter().zip(&sources) {
                let reader: Box<dyn Read> = match source {
                    Source::Vault(hash) => Box::new(
                        vault
                            .open_blob(hash)
                            .map_err(|e| named(e, &vault.blob_path(hash)))?,
                    ),
                    Source::File(path) => Box::new(File::open(path).map_err(|e| named(e, path))?),
                };
                append_exact(&mut tar, file, reader)?;
            }
            tar.into_inner()?.flush()
        })?;
        self.remember_export(KnownExport {
            path: out.display().to_string(),
            made_at: manifest.exported_at.clone(),
            with_evidence,
        })?;
        Ok(ExportReport {
            path: out.display().to_string(),
            bytes,
            tables: u32::try_from(manifest.tables.len()).unwrap_or(u32::MAX),
            rows: manifest.tables.iter().map(|t| t.rows.len() as u64).sum(),
            files: u32::try_from(manifest.files.len()).unwrap_or(u32::MAX),
            waiting_not_carried,
        })
    }
}

/// Where a carried file's bytes come from.
enum Source {
    /// The vault (read back through it: it checks what it holds).
    Vault(String),
    /// A file in the data folder.
    File(PathBuf),
}

/// The vault's blobs as the export's own `vault_blobs` rows list them: (hash, size).
fn vault_blobs(tables: &[TableDump]) -> Vec<(String, u64)> {
    let Some(table) = tables.iter().find(|t| t.name == "vault_blobs") else {
        return Vec::new();
    };
    let col = |name: &str| table.columns.iter().position(|c| c == name);
    let (Some(h), Some(s)) = (col("hash"), col("size")) else {
        return Vec::new();
    };
    table
        .rows
        .iter()
        .filter_map(|row| Some((row.get(h)?.as_str()?.to_owned(), row.get(s)?.as_u64()?)))
        .collect()
}

/// An I/O error that names the file it is about, for the message.
fn named(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn header(size: u64) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    header
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    size: u64,
    data: impl Read,
) -> io::Result<()> {
    let mut header = header(size);
    tar.append_data(&mut header, format!("{EXPORT_ROOT}/{name}"), data)
}

/// Appends a file whose size the manifest already states: a source that turns out shorter or
/// longer (changed under us) fails the export instead of writing an archive that lies.
fn append_exact<W: Write>(
    tar: &mut tar::Builder<W>,
    file: &ExportedFile,
    reader: impl Read,
) -> io::Result<()> {
    let mut checked = Exact {
        inner: reader,
        left: file.bytes,
        name: &file.name,
    };
    append(tar, &file.name, file.bytes, &mut checked)?;
    let mut probe = [0u8; 1];
    if checked.inner.read(&mut probe)? != 0 {
        return Err(io::Error::other(format!(
            "{} is longer than its record says ({} bytes)",
            file.name, file.bytes
        )));
    }
    Ok(())
}

struct Exact<'a, R> {
    inner: R,
    left: u64,
    name: &'a str,
}

impl<R: Read> Read for Exact<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{} is shorter than its record says", self.name),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Writes `out` through `write` under a temporary name beside it, syncs it and renames it into
/// place; on any failure the temporary file is removed and `out` is untouched. Returns the
/// size written.
fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> Result<u64> {
    let io_error = |source| Error::Io {
        path: out.to_owned(),
        action: IoAction::Write,
        source,
    };
    let name = out
        .file_name()
        .ok_or_else(|| Error::invalid("out", "Name a file to export to, not a folder."))?;
    let temp = out.with_file_name(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        crate::store::new_id()
    ));
    let result = (|| {
        let file = File::create(&temp)?;
        {
            let mut w = BufWriter::with_capacity(1 << 20, &file);
            write(&mut w)?;
            w.flush()?;
        }
        file.sync_all()?;
        let bytes = file.metadata()?.len();
        std::fs::rename(&temp, out)?;
        Ok(bytes)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(io_error)
}
