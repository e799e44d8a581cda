//! The vault: a content-addressed copy of frozen evidence in the data folder, so what is
//! submitted is exactly what was reviewed even if the school's copy changes later. Identical
//! files are stored once. A blob is written to a temporary file, checked against the expected
//! hash while it is copied, flushed to disk and only then renamed into place: a crash never
//! leaves a half-written blob under a real name.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Folder inside the data folder that holds the vault.
pub const VAULT_DIR: &str = "vault";

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

/// A vault rooted in a data folder.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
}

impl Vault {
    /// The vault of a data folder.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join(VAULT_DIR),
        }
    }

    /// Where a blob with this hash lives (`vault/ab/abcdef…`).
    pub fn blob_path(&self, hash: &str) -> PathBuf {
        self.root.join(hash.get(..2).unwrap_or("00")).join(hash)
    }

    /// Copies `source` into the vault if its content hashes to `expected`.
    pub fn store(&self, source: &Path, expected: &str) -> io::Result<Stored> {
        let target = self.blob_path(expected);
        if target.is_file() {
            return Ok(Stored::AlreadyThere);
        }
        let tmp_dir = self.root.join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        let tmp = tmp_dir.join(format!("{expected}.{}.partial", std::process::id()));
        let result = copy_hashing(source, &tmp);
        let (hash, bytes) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        if hash != expected {
            std::fs::remove_file(&tmp)?;
            return Ok(Stored::Changed(hash));
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(&tmp, &target)?;
        Ok(Stored::Copied(bytes))
    }
}

/// Copies a file while hashing what is copied; the copy is synced to disk before returning.
fn copy_hashing(source: &Path, dest: &Path) -> io::Result<(String, u64)> {
    let mut input = File::open(source)?;
    let mut output = File::create(dest)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        total += n as u64;
    }
    output.sync_all()?;
    Ok((hasher.finalize().to_hex().to_string(), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_content_is_stored_once_and_a_changed_file_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let vault = Vault::in_data_dir(&dir.path().join("data"));
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, "same").expect("write");
        std::fs::write(&b, "same").expect("write");
        let hash = blake3::hash(b"same").to_hex().to_string();
        assert_eq!(vault.store(&a, &hash).expect("store"), Stored::Copied(4));
        assert_eq!(vault.store(&b, &hash).expect("store"), Stored::AlreadyThere);
        assert_eq!(
            std::fs::read(vault.blob_path(&hash)).expect("blob"),
            b"same"
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
}
