//! The assessor's secrets in the OS keychain (macOS Keychain, Windows Credential Manager,
//! Secret Service on Linux), and nowhere else: the bearer token and the age identity, as one
//! entry of service [`SERVICE`] whose user is derived from the endpoint and the assessor id.
//! When no keychain is available the tool says so and never falls back to a plain file.

use serde::{Deserialize, Serialize};
use waymark_protocol::AssessorId;
use waymark_protocol::crypt::Identity;

/// The keychain service every entry of this tool is under.
pub const SERVICE: &str = "waymark-assess";

/// What the keychain could not do.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No credential store started (no Secret Service on the session bus, say).
    #[error(
        "no OS keychain is available ({0}). The token and the decryption identity are kept only in the OS keychain, never in a plain file: sign in from a desktop session with a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager; headless Linux: gnome-keyring-daemon under dbus-run-session). To decrypt with an age identity file instead of the keychain's identity, use --identity FILE"
    )]
    Unavailable(String),
    /// The store is there but refused access (locked, or the user declined).
    #[error(
        "the OS keychain refused access ({0}): unlock it (or create a default keyring) and try again"
    )]
    Locked(String),
    /// Nothing stored for this assessor.
    #[error(
        "the OS keychain holds no credentials for {0}: sign in again (`waymark-assess sign-in CODE`) with a new code from the awarding body"
    )]
    Missing(String),
    /// What is stored is not what this tool writes.
    #[error("the OS keychain entry {0} is damaged ({1}): sign out and sign in again")]
    Damaged(String, String),
    /// Any other failure of the store.
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}

/// The secrets of one signed-in assessor.
pub struct Credentials {
    /// The bearer token.
    pub token: String,
    /// The age identity submissions are decrypted with.
    pub identity: Identity,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials(token hidden, {:?})", self.identity)
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    token: String,
    identity: String,
}

/// The entry's user name: the assessor at the endpoint.
pub fn entry_user(endpoint: &str, assessor: AssessorId) -> String {
    format!("{assessor}@{endpoint}")
}

fn map(e: keyring::Error, user: &str) -> KeychainError {
    match e {
        keyring::Error::NoDefaultStore => {
            let why = match keyring::Entry::store_status() {
                Err(inner) if !matches!(inner, keyring::Error::NoDefaultStore) => inner.to_string(),
                _ => "no credential store could be started".to_owned(),
            };
            KeychainError::Unavailable(why)
        }
        keyring::Error::NoStorageAccess(inner) => KeychainError::Locked(inner.to_string()),
        keyring::Error::NoEntry => KeychainError::Missing(user.to_owned()),
        keyring::Error::BadEncoding(_) => {
            KeychainError::Damaged(user.to_owned(), "not text".to_owned())
        }
        other => KeychainError::Failed(other.to_string()),
    }
}

fn entry(user: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(SERVICE, user).map_err(|e| map(e, user))
}

/// Checks that a keychain is there and takes an entry (writes and deletes a probe), so that a
/// one-time code is never spent when its token could not be kept.
pub fn check_available() -> Result<(), KeychainError> {
    let user = "probe: can this keychain keep a secret?";
    let probe = entry(user)?;
    probe.set_password("probe").map_err(|e| map(e, user))?;
    match probe.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map(e, user)),
    }
}

/// Stores the assessor's token and identity (replacing what was there).
pub fn store(
    endpoint: &str,
    assessor: AssessorId,
    credentials: &Credentials,
) -> Result<(), KeychainError> {
    let user = entry_user(endpoint, assessor);
    let text = serde_json::to_string(&Stored {
        token: credentials.token.clone(),
        identity: credentials.identity.to_secret_text(),
    })
    .map_err(|e| KeychainError::Failed(e.to_string()))?;
    entry(&user)?.set_password(&text).map_err(|e| map(e, &user))
}

/// The assessor's token and identity.
pub fn load(endpoint: &str, assessor: AssessorId) -> Result<Credentials, KeychainError> {
    let user = entry_user(endpoint, assessor);
    let text = entry(&user)?.get_password().map_err(|e| map(e, &user))?;
    let stored: Stored = serde_json::from_str(&text)
        .map_err(|e| KeychainError::Damaged(user.clone(), e.to_string()))?;
    let identity = Identity::from_secret_text(&stored.identity)
        .map_err(|e| KeychainError::Damaged(user.clone(), e.to_string()))?;
    Ok(Credentials {
        token: stored.token,
        identity,
    })
}

/// Removes the assessor's entry; false when there was none.
pub fn remove(endpoint: &str, assessor: AssessorId) -> Result<bool, KeychainError> {
    let user = entry_user(endpoint, assessor);
    match entry(&user)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(map(e, &user)),
    }
}
