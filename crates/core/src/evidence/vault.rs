//! The vault: a content-addressed copy of frozen evidence in the data folder, so what is
//! submitted is exactly what was reviewed even if the school's copy changes later. Identical
//! files are stored once. A blob is written to a temporary file, checked against the expected
//! hash while it is copied, flushed to disk and only then renamed into place: a crash never
//! leaves a half-written blob under a real name.
//!
//! Encrypted at rest (docs/vault-format.md): a blob is a standard age file encrypted to the
//! data folder's vault identity (derived from its keychain key, [`crate::keys`]), stored at
//! `vault/<2 hex>/<64 hex>.age` where the name is the keyed BLAKE3 (the folder's naming key) of
//! the content's BLAKE3, so a name does not reveal which known file is there. Look-ups are by
//! the content's BLAKE3, as before. Folders of earlier versions (`vault/ab/<blake3>`, plaintext)
//! are encrypted in place once ([`encrypt_legacy`]).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::keys::FolderKeys;

/// Folder inside the data folder that holds the vault.
pub const VAULT_DIR: &str = "vault";

/// The extension of an encrypted blob.
const BLOB_EXTENSION: &str = "age";

/// What storing one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Copied into the vault (this many bytes).
    Copied(u64),
    /// The vault already held this content.
    AlreadyThere,
    /// The file's content is not the expected one any more (its hash now); nothing stored.
    Changed(String),
}

/// A vault rooted in a data folder. Cheap to clone (the keys are shared).
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    /// `None` only for an earlier version's plaintext folder opened by the benches' and
    /// tests' unencrypted door (`Workspace::open_unencrypted`).
    keys: Option<Arc<FolderKeys>>,
}

/// A blob's content, decrypted as it is read.
pub struct BlobReader(Box<dyn Read + Send>);

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobReader")
    }
}

fn crypt_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("vault encryption: {e}"))
}

impl Vault {
    /// The vault of a data folder whose keys are `keys`.
    pub(crate) fn new(data_dir: &Path, keys: Option<Arc<FolderKeys>>) -> Self {
        Self {
            root: data_dir.join(VAULT_DIR),
            keys,
        }
    }

    /// Where the blob with content BLAKE3 `hash` lives (it may not be there). Its bytes are
    /// encrypted: read them with [`open_blob`](Self::open_blob).
    pub fn blob_path(&self, hash: &str) -> PathBuf {
        let hash = hash.to_ascii_lowercase();
        match &self.keys {
            Some(keys) => {
                let name = blake3::keyed_hash(&keys.vault_names, hash.as_bytes())
                    .to_hex()
                    .to_string();
                self.root
                    .join(&name[..2])
                    .join(format!("{name}.{BLOB_EXTENSION}"))
            }
            None => self.root.join(hash.get(..2).unwrap_or("00")).join(&hash),
        }
    }

    /// Whether the vault holds the content with BLAKE3 `hash`.
    pub fn contains(&self, hash: &str) -> bool {
        self.blob_path(hash).is_file()
    }

    /// Reads a blob's content back, decrypting it (every reader of the vault goes through
    /// here). A damaged file fails the read with `InvalidData`; callers that must have the
    /// exact content check its BLAKE3 as they read.
    pub fn open_blob(&self, hash: &str) -> io::Result<BlobReader> {
        let file = File::open(self.blob_path(hash))?;
        let Some(keys) = &self.keys else {
            return Ok(BlobReader(Box::new(file)));
        };
        let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, file))
            .map_err(crypt_error)?;
        let reader = decryptor
            .decrypt(std::iter::once(&keys.vault_identity as &dyn age::Identity))
            .map_err(crypt_error)?;
        Ok(BlobReader(Box::new(reader)))
    }

    /// Copies `source` into the vault if its content hashes to `expected`.
    pub fn store(&self, source: &Path, expected: &str) -> io::Result<Stored> {
        let target = self.blob_path(expected);
        if target.is_file() {
            return Ok(Stored::AlreadyThere);
        }
        let tmp = self.temp_path(&target)?;
        let result = File::open(source).and_then(|input| self.write_blob(input, &tmp));
        let (hash, bytes) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        if !hash.eq_ignore_ascii_case(expected) {
            std::fs::remove_file(&tmp)?;
            return Ok(Stored::Changed(hash));
        }
        place(&tmp, &target)?;
        Ok(Stored::Copied(bytes))
    }

    /// A new temporary file name in `vault/tmp` for `target` (named after the target, so it
    /// says no more than the target's own name does).
    fn temp_path(&self, target: &Path) -> io::Result<PathBuf> {
        let tmp_dir = self.root.join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        let name = target
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        Ok(tmp_dir.join(format!(
            "{name}.{}.{}.partial",
            std::process::id(),
            uuid::Uuid::now_v7().simple()
        )))
    }

    /// Writes what `input` holds to `dest` (encrypted unless plaintext), hashing the plaintext
    /// as it goes; the file is synced to disk before returning.
    fn write_blob(&self, mut input: impl Read, dest: &Path) -> io::Result<(String, u64)> {
        let output = BufWriter::with_capacity(1 << 20, File::create(dest)?);
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        let mut copy = |out: &mut dyn Write| -> io::Result<()> {
            loop {
                let n = match input.read(&mut buf) {
                    Ok(0) => return Ok(()),
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                hasher.update(&buf[..n]);
                out.write_all(&buf[..n])?;
                total += n as u64;
            }
        };
        let output = match &self.keys {
            Some(keys) => {
                let recipient = keys.vault_identity.to_public();
                let encryptor = age::Encryptor::with_recipients(std::iter::once(
                    &recipient as &dyn age::Recipient,
                ))
                .map_err(crypt_error)?;
                let mut writer = encryptor.wrap_output(output)?;
                copy(&mut writer)?;
                // Without finish() the last chunk is never written.
                writer.finish()?
            }
            None => {
                let mut output = output;
                copy(&mut output)?;
                output
            }
        };
        let file = output
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok((hasher.finalize().to_hex().to_string(), total))
    }
}

/// Renames a synced temporary file into place and makes the rename durable.
fn place(tmp: &Path, target: &Path) -> io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(tmp, target)?;
    if let Some(parent) = target.parent() {
        crate::store::sync_dir(parent);
    }
    Ok(())
}

/// Whether `name` is an earlier version's plaintext blob: 64 hexadecimal digits, no extension.
fn is_legacy_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Encrypts an earlier version's plaintext vault in place, one blob at a time: each is
/// encrypted to a temporary file, synced and renamed to its encrypted name, and only then is
/// the plaintext removed, so a kill at any point loses nothing (a plaintext whose encrypted
/// copy is already in place is simply removed next time). Temporary files of interrupted
/// freezes (plaintext in earlier versions) are removed first. Returns how many blobs were
/// encrypted.
pub(crate) fn encrypt_legacy(data_dir: &Path, keys: Arc<FolderKeys>) -> io::Result<u64> {
    let vault = Vault::new(data_dir, Some(keys));
    let root = &vault.root;
    if !root.is_dir() {
        return Ok(0);
    }
    let tmp_dir = root.join("tmp");
    if tmp_dir.is_dir() {
        for entry in std::fs::read_dir(&tmp_dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    let mut done = 0;
    for shard in std::fs::read_dir(root)? {
        let shard = shard?;
        if !shard.file_type()?.is_dir() || shard.file_name() == "tmp" {
            continue;
        }
        for entry in std::fs::read_dir(shard.path())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.file_type()?.is_file() || !is_legacy_name(&name) {
                continue;
            }
            let plain = entry.path();
            let target = vault.blob_path(&name);
            if !target.is_file() {
                let tmp = vault.temp_path(&target)?;
                match File::open(&plain).and_then(|input| vault.write_blob(input, &tmp)) {
                    // Kept whatever it holds: a copy damaged before the upgrade stays as it was
                    // (a reader checks the hash), rather than being lost.
                    Ok(_) => place(&tmp, &target)?,
                    Err(e) => {
                        let _ = std::fs::remove_file(&tmp);
                        return Err(e);
                    }
                }
                done += 1;
            }
            std::fs::remove_file(&plain)?;
        }
        crate::store::sync_dir(&shard.path());
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{DataKey, FolderKeys};

    fn keys() -> Arc<FolderKeys> {
        let key = DataKey::generate().expect("random");
        Arc::new(FolderKeys::derive("test", &key).expect("derive"))
    }

    fn read_back(vault: &Vault, hash: &str) -> Vec<u8> {
        let mut out = Vec::new();
        vault
            .open_blob(hash)
            .expect("open")
            .read_to_end(&mut out)
            .expect("read");
        out
    }

    #[test]
    fn identical_content_is_stored_once_and_a_changed_file_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let vault = Vault::new(&dir.path().join("data"), Some(keys()));
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, "same").expect("write");
        std::fs::write(&b, "same").expect("write");
        let hash = blake3::hash(b"same").to_hex().to_string();
        assert_eq!(vault.store(&a, &hash).expect("store"), Stored::Copied(4));
        assert_eq!(vault.store(&b, &hash).expect("store"), Stored::AlreadyThere);
        assert_eq!(read_back(&vault, &hash), b"same");
        let raw = std::fs::read(vault.blob_path(&hash)).expect("blob");
        assert!(raw.starts_with(b"age-encryption.org/v1\n"));
        assert!(!raw.windows(4).any(|w| w == b"same"));
        let name = vault.blob_path(&hash);
        assert!(
            !name.to_string_lossy().contains(&hash),
            "{}",
            name.display()
        );
        std::fs::write(&a, "different").expect("edit");
        let other = blake3::hash(b"other").to_hex().to_string();
        assert!(matches!(
            vault.store(&a, &other).expect("store"),
            Stored::Changed(_)
        ));
        assert!(!vault.blob_path(&other).exists());
        let leftovers = std::fs::read_dir(dir.path().join("data/vault/tmp"))
            .expect("tmp")
            .count();
        assert_eq!(leftovers, 0, "no partial files are left behind");
    }

    /// The vault's files are standard age files: the `age` tool decrypts one with the folder's
    /// identity (handed to it over a pipe, never written to a file).
    #[test]
    fn the_age_tool_decrypts_a_vault_file_given_the_identity() {
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().expect("dir");
        let keys = keys();
        let vault = Vault::new(&dir.path().join("data"), Some(keys.clone()));
        let plain: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
        let source = dir.path().join("photo.jpg");
        std::fs::write(&source, &plain).expect("write");
        let hash = blake3::hash(&plain).to_hex().to_string();
        vault.store(&source, &hash).expect("store");
        let mut child = Command::new("age")
            .args(["--decrypt", "--identity", "-"])
            .arg(vault.blob_path(&hash))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the age tool (Debian package age) runs");
        {
            let mut stdin = child.stdin.take().expect("piped");
            stdin
                .write_all(crate::keys::identity_text(&keys).as_bytes())
                .expect("identity to age");
        }
        let out = child.wait_with_output().expect("age finishes");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, plain);
    }

    #[test]
    fn a_plaintext_vault_is_encrypted_in_place_and_again_after_an_interruption() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("data");
        let legacy = Vault::new(&data, None);
        let mut hashes = Vec::new();
        for i in 0..5 {
            let content = format!("evidence file number {i}");
            let source = dir.path().join(format!("{i}.txt"));
            std::fs::write(&source, &content).expect("write");
            let hash = blake3::hash(content.as_bytes()).to_hex().to_string();
            legacy.store(&source, &hash).expect("store");
            hashes.push((hash, content));
        }
        // An interrupted earlier freeze left a plaintext partial file.
        std::fs::write(data.join("vault/tmp/x.1.partial"), "evidence file").expect("partial");
        let keys = keys();
        let vault = Vault::new(&data, Some(keys.clone()));
        // A kill after the first blob's encrypted copy was placed, before its plaintext went.
        let (first, _) = &hashes[0];
        let tmp = vault.temp_path(&vault.blob_path(first)).expect("tmp");
        vault
            .write_blob(File::open(legacy.blob_path(first)).expect("open"), &tmp)
            .expect("write");
        place(&tmp, &vault.blob_path(first)).expect("place");
        assert_eq!(encrypt_legacy(&data, keys.clone()).expect("encrypt"), 4);
        for (hash, content) in &hashes {
            assert_eq!(read_back(&vault, hash), content.as_bytes());
            assert!(!legacy.blob_path(hash).exists());
        }
        for entry in walk(&data.join("vault")) {
            let bytes = std::fs::read(&entry).expect("read");
            assert!(
                !bytes.windows(13).any(|w| w == b"evidence file"),
                "{} holds plaintext",
                entry.display()
            );
        }
        assert_eq!(encrypt_legacy(&data, keys).expect("again"), 0);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            if entry.file_type().expect("type").is_dir() {
                out.extend(walk(&entry.path()));
            } else {
                out.push(entry.path());
            }
        }
        out
    }
}
