//! The server's keys.
//!
//! - Its **Ed25519 signing key** (`keys/signing.key` in the data folder, readable only by the
//!   server's user): signs receipts and each new key set.
//! - The **key sets** it publishes (in the metadata store): the age recipients submissions are
//!   encrypted to and the signing key, chained so that a school that pinned one fingerprint can
//!   follow every rotation ([`waymark_protocol::keys::verify_chain`]).
//!
//! The server never holds an age *identity*: `waymark-server init` writes the awarding body's
//! first identity to a file outside the data folder, to be kept offline, and records only its
//! recipient. Assessors' recipients join the key set when they enrol.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use waymark_protocol::crypt::Recipient;
use waymark_protocol::keys::{KEY_SET_FORMAT, KeyRecipient, KeySet, SignedKeySet};
use waymark_protocol::signed::SecretKey;

use crate::meta::{Meta, MetaError};

/// The signing key's file inside the data folder.
pub const SIGNING_KEY_FILE: &str = "keys/signing.key";

/// What went wrong with the keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file is missing or unreadable.
    #[error(
        "cannot read the server's signing key {path}: {source}; run `waymark-server init --data-dir …` first"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file holds something else.
    #[error("{path} is not a Waymark signing key: {detail}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// No key set has been published yet.
    #[error("no key set has been published; run `waymark-server init`")]
    NoKeySet,
    /// The metadata store failed.
    #[error(transparent)]
    Meta(#[from] MetaError),
}

/// Reads the signing key from the data folder.
pub fn load_signing_key(data_dir: &Path) -> Result<SecretKey, KeyError> {
    let path = data_dir.join(SIGNING_KEY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| KeyError::Read {
        path: path.clone(),
        source,
    })?;
    SecretKey::from_base64(text.trim()).map_err(|e| KeyError::Invalid {
        path,
        detail: e.to_string(),
    })
}

/// Writes a new signing key into the data folder, readable only by this user. Refuses to
/// replace an existing one (that would orphan every receipt's key).
pub fn create_signing_key(data_dir: &Path) -> Result<SecretKey, KeyError> {
    let path = data_dir.join(SIGNING_KEY_FILE);
    let key = SecretKey::generate();
    write_private(&path, format!("{}\n", key.to_base64()).as_bytes())?;
    Ok(key)
}

/// Creates `path` (and its folder) with mode 0600 on Unix; fails if it exists.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    use std::io::Write as _;
    let fail = |source| KeyError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    Ok(())
}

/// Publishes the next key set: the newest one's recipients plus `add`, signed by `key` (and by
/// the same key as the previous set's, since the signing key stays). With no key set yet,
/// publishes version 1.
pub async fn publish_key_set(
    meta: &dyn Meta,
    key: &SecretKey,
    awarding_body: &str,
    endpoint: &str,
    add: Vec<KeyRecipient>,
    now: DateTime<Utc>,
) -> Result<SignedKeySet, KeyError> {
    let chain = meta.key_sets().await?;
    let (version, mut recipients, previous) = match chain.last() {
        Some(last) => {
            let set = last
                .open_self_signed()
                .map_err(|e| KeyError::Meta(MetaError::Internal(e.to_string())))?;
            (set.version + 1, set.recipients, Some(last.fingerprint()))
        }
        None => (1, Vec::new(), None),
    };
    for r in add {
        if !recipients.iter().any(|have| have.age == r.age) {
            recipients.push(r);
        }
    }
    let set = KeySet {
        format: KEY_SET_FORMAT,
        version,
        awarding_body: awarding_body.to_owned(),
        endpoint: endpoint.to_owned(),
        issued_at: now,
        signing_key: key.public(),
        recipients,
        previous: previous.clone(),
    };
    let signed = SignedKeySet::sign(&set, key, previous.as_ref().map(|_| key))
        .map_err(|e| KeyError::Meta(MetaError::Internal(e.to_string())))?;
    meta.add_key_set(version, &signed).await?;
    Ok(signed)
}

/// The newest key set.
pub async fn current_key_set(meta: &dyn Meta) -> Result<(SignedKeySet, KeySet), KeyError> {
    let chain = meta.key_sets().await?;
    let last = chain.last().ok_or(KeyError::NoKeySet)?.clone();
    let set = last
        .open_self_signed()
        .map_err(|e| KeyError::Meta(MetaError::Internal(e.to_string())))?;
    Ok((last, set))
}

/// A recipient for the key set, labelled.
pub fn recipient(label: &str, age: Recipient) -> KeyRecipient {
    KeyRecipient {
        label: label.to_owned(),
        age,
    }
}
