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
    /// The newest key set is signed by another key: the signing key was rotated after this
    /// server started.
    #[error("the signing key was rotated after this server started; restart the server")]
    Rotated,
    /// Removing a recipient that is not in the key set.
    #[error("{0} is not a recipient of the current key set (see `waymark-server keys list`)")]
    NoSuchRecipient(String),
    /// Removing the last recipient would leave nobody able to read submissions.
    #[error(
        "that is the key set's last recipient: add another before removing it, or no one could read new submissions"
    )]
    LastRecipient,
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

/// How the next key set differs from the newest one.
pub enum KeySetChange {
    /// Add recipients (an assessor enrolled; the awarding body added an identity).
    Add(Vec<KeyRecipient>),
    /// Remove the recipient with this age public key (an assessor left; an identity retired).
    Remove(Recipient),
    /// The same recipients under a new signing key (`next` signs the set, `key` the link).
    RotateSigningKey {
        /// The new signing key.
        next: SecretKey,
    },
}

/// Publishes the next key set, signed by its own signing key and by the previous set's (`key`,
/// the server's current key), so a school that pinned an earlier set can follow the chain.
/// With no key set yet, publishes version 1. Refuses when `key` is not the newest set's signing
/// key (a server started before a rotation must be restarted, or the chain would break).
pub async fn publish_key_set(
    meta: &dyn Meta,
    key: &SecretKey,
    awarding_body: &str,
    endpoint: &str,
    change: KeySetChange,
    now: DateTime<Utc>,
) -> Result<SignedKeySet, KeyError> {
    let internal =
        |e: waymark_protocol::ProtocolError| KeyError::Meta(MetaError::Internal(e.to_string()));
    let chain = meta.key_sets().await?;
    let (version, mut recipients, previous) = match chain.last() {
        Some(last) => {
            let set = last.open_self_signed().map_err(internal)?;
            if set.signing_key != key.public() {
                return Err(KeyError::Rotated);
            }
            (set.version + 1, set.recipients, Some(last.fingerprint()))
        }
        None => (1, Vec::new(), None),
    };
    let mut signing = None;
    match change {
        KeySetChange::Add(add) => {
            for r in add {
                if !recipients.iter().any(|have| have.age == r.age) {
                    recipients.push(r);
                }
            }
        }
        KeySetChange::Remove(gone) => {
            let before = recipients.len();
            recipients.retain(|r| r.age != gone);
            if recipients.len() == before {
                return Err(KeyError::NoSuchRecipient(gone.to_string()));
            }
            if recipients.is_empty() {
                return Err(KeyError::LastRecipient);
            }
        }
        KeySetChange::RotateSigningKey { next } => signing = Some(next),
    }
    let own = signing.as_ref().unwrap_or(key);
    let set = KeySet {
        format: KEY_SET_FORMAT,
        version,
        awarding_body: awarding_body.to_owned(),
        endpoint: endpoint.to_owned(),
        issued_at: now,
        signing_key: own.public(),
        recipients,
        previous: previous.clone(),
    };
    let signed = SignedKeySet::sign(&set, own, previous.as_ref().map(|_| key)).map_err(internal)?;
    meta.add_key_set(version, &signed).await?;
    Ok(signed)
}

/// Replaces the server's signing key: publishes a key set under a new key (linked by the old
/// one), then moves the new key into place. Receipts signed by the old key stay verifiable
/// against the older set in the chain. The server must be stopped (or restarted after).
pub async fn rotate_signing_key(
    data_dir: &Path,
    meta: &dyn Meta,
    awarding_body: &str,
    endpoint: &str,
    now: DateTime<Utc>,
) -> Result<SignedKeySet, KeyError> {
    let current = load_signing_key(data_dir)?;
    let next = SecretKey::generate();
    let staged = data_dir.join(format!("{SIGNING_KEY_FILE}.new"));
    let _ = std::fs::remove_file(&staged);
    write_private(&staged, format!("{}\n", next.to_base64()).as_bytes())?;
    let signed = publish_key_set(
        meta,
        &current,
        awarding_body,
        endpoint,
        KeySetChange::RotateSigningKey { next },
        now,
    )
    .await?;
    let path = data_dir.join(SIGNING_KEY_FILE);
    std::fs::rename(&staged, &path).map_err(|source| KeyError::Write { path, source })?;
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
