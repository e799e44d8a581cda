//! Sealing: encrypting one plaintext with age to the awarding body's recipients (padded with
//! Padmé inside the encryption, so the endpoint cannot recognise a known file by its length)
//! into the outbox folder, hashing the ciphertext as it is written.
//!
//! A sealed blob is written to a temporary name, synced, and only then renamed to
//! `<sha256>.age` and recorded in the store, so a crash never leaves a record that points at a
//! half-written file. age's file key is random (the same file sealed twice gives different
//! bytes), so a sealed blob is kept and reused by later submissions rather than sealed again.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::Digest as _;
use waymark_protocol::Sha256;
use waymark_protocol::crypt::{Recipient, encrypt_padded};

use crate::error::{Result, SyncError};

/// The folder under the outbox where sealed blobs are kept.
pub const BLOBS_DIR: &str = "blobs";

/// Prefix of a blob being written (removed when found later: a crash interrupted it).
pub const PARTIAL_PREFIX: &str = ".partial-";

/// A blob written and synced under its final name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedFile {
    /// SHA-256 of the ciphertext.
    pub sha256: Sha256,
    /// Ciphertext bytes.
    pub size: u64,
    /// Its final path.
    pub path: PathBuf,
    /// The file name relative to the outbox blobs folder.
    pub name: String,
}

/// Counts and hashes what passes through to the file.
struct HashingWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
    written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hashes with BLAKE3 what is read, so the vault copy is checked as it is sealed.
struct HashingReader<R> {
    inner: R,
    hasher: blake3::Hasher,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// A fingerprint of a recipient set (order does not matter), naming which ciphertexts can be
/// reused: the same plaintext sealed to the same recipients.
pub fn recipients_id(recipients: &[Recipient]) -> String {
    let mut texts: Vec<String> = recipients.iter().map(ToString::to_string).collect();
    texts.sort();
    texts.dedup();
    Sha256::of(texts.join("\n").as_bytes()).to_hex()[..32].to_owned()
}

/// Writes `write` into a new file in `dir` through a hashing writer, syncs it and renames it
/// to `<sha256>.age`.
fn write_sealed(
    dir: &Path,
    write: impl FnOnce(&mut HashingWriter<BufWriter<File>>) -> Result<()>,
) -> Result<SealedFile> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SyncError::io("creating the outbox folder", dir, e))?;
    let partial = dir.join(format!("{PARTIAL_PREFIX}{}", uuid::Uuid::now_v7().simple()));
    let result = (|| {
        let file = File::create(&partial)
            .map_err(|e| SyncError::io("creating an encrypted file", &partial, e))?;
        let mut out = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: sha2::Sha256::new(),
            written: 0,
        };
        write(&mut out)?;
        let file = out
            .inner
            .into_inner()
            .map_err(|e| SyncError::io("writing an encrypted file", &partial, e.into_error()))?;
        file.sync_all()
            .map_err(|e| SyncError::io("syncing an encrypted file", &partial, e))?;
        let sha256 = Sha256(out.hasher.finalize().into());
        let name = format!("{}.age", sha256.to_hex());
        let path = dir.join(&name);
        std::fs::rename(&partial, &path)
            .map_err(|e| SyncError::io("naming an encrypted file", &path, e))?;
        sync_dir(dir);
        Ok(SealedFile {
            sha256,
            size: out.written,
            path,
            name,
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Makes a rename durable (on Unix a directory can be synced; elsewhere this is a no-op).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Seals the frozen copy with BLAKE3 `expected` from the data folder's vault (decrypted as it
/// is read, through the core), which must hold `len` bytes hashing to `expected`, into `dir`.
pub fn seal_frozen(
    vault: &waymark_core::evidence::Vault,
    expected: &str,
    len: u64,
    recipients: &[Recipient],
    dir: &Path,
) -> Result<SealedFile> {
    let source = vault.blob_path(expected);
    let reader = vault
        .open_blob(expected)
        .map_err(|e| SyncError::io("opening the frozen copy of an evidence file", &source, e))?;
    seal_reader(reader, &source, expected, len, recipients, dir)
}

/// Seals the plaintext `file` reads (named `source` in messages), which must hold `len` bytes
/// hashing to BLAKE3 `expected`, into `dir`.
pub fn seal_reader(
    file: impl Read,
    source: &Path,
    expected: &str,
    len: u64,
    recipients: &[Recipient],
    dir: &Path,
) -> Result<SealedFile> {
    let mut reader = HashingReader {
        inner: BufReader::with_capacity(1 << 20, file),
        hasher: blake3::Hasher::new(),
    };
    let sealed = write_sealed(dir, |out| {
        encrypt_padded(&mut reader, len, recipients, out)?;
        Ok(())
    })?;
    // Anything after `len` bytes would be a different file.
    let mut extra = [0u8; 1];
    let longer = reader.inner.read(&mut extra).unwrap_or(0) > 0;
    let found = reader.hasher.finalize().to_hex().to_string();
    if longer || !found.eq_ignore_ascii_case(expected) {
        let _ = std::fs::remove_file(&sealed.path);
        return Err(SyncError::Refused(format!(
            "the frozen copy {} no longer holds the content that was reviewed (BLAKE3 {found}, expected {expected}): freeze the evidence again with `waymark evidence freeze`, then submit",
            source.display()
        )));
    }
    Ok(sealed)
}

/// Seals bytes held in memory (the manifest) into `dir`.
pub fn seal_bytes(plain: &[u8], recipients: &[Recipient], dir: &Path) -> Result<SealedFile> {
    write_sealed(dir, |out| {
        encrypt_padded(plain, plain.len() as u64, recipients, out)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_protocol::crypt::{Identity, decrypt_padded, padded_len};

    #[test]
    fn a_sealed_file_decrypts_to_the_original_and_is_named_by_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("trip.mp4");
        let plain: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&source, &plain).unwrap();
        let id = Identity::generate();
        let hash = blake3::hash(&plain).to_hex().to_string();
        let out = dir.path().join("out");
        let sealed = seal_reader(
            File::open(&source).unwrap(),
            &source,
            &hash,
            plain.len() as u64,
            &[id.recipient()],
            &out,
        )
        .unwrap();
        let cipher = std::fs::read(&sealed.path).unwrap();
        assert_eq!(Sha256::of(&cipher), sealed.sha256);
        assert_eq!(cipher.len() as u64, sealed.size);
        assert!(sealed.size > padded_len(plain.len() as u64));
        let mut back = Vec::new();
        decrypt_padded(&cipher[..], &id, plain.len() as u64, &mut back).unwrap();
        assert_eq!(back, plain);
        // Nothing half-written is left behind.
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(sealed.name)]);
    }

    #[test]
    fn a_frozen_copy_that_changed_is_refused_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("plan.pdf");
        std::fs::write(&source, b"the reviewed content").unwrap();
        let hash = blake3::hash(b"the reviewed content").to_hex().to_string();
        std::fs::write(&source, b"the edited content!!").unwrap();
        let out = dir.path().join("out");
        let err = seal_reader(
            File::open(&source).unwrap(),
            &source,
            &hash,
            20,
            &[Identity::generate().recipient()],
            &out,
        )
        .unwrap_err();
        assert!(err.to_string().contains("no longer holds"), "{err}");
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    }

    #[test]
    fn the_recipient_set_id_ignores_order() {
        let (a, b) = (
            Identity::generate().recipient(),
            Identity::generate().recipient(),
        );
        assert_eq!(
            recipients_id(&[a.clone(), b.clone()]),
            recipients_id(&[b.clone(), a.clone()])
        );
        assert_ne!(
            recipients_id(std::slice::from_ref(&a)),
            recipients_id(&[a, b])
        );
    }
}
