//! Secrets in the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on
//! Linux) and nowhere else. Each tool keeps one JSON entry per account under its own service
//! name; when no keychain is available it says so, and never falls back to a plain file.
//!
//! The `keyring` 4 crate's default store is the platform's own (Secret Service over D-Bus on
//! Linux, which survives a reboot, unlike the kernel keyring). `Entry::new` fails with
//! `NoDefaultStore` when none starts: that is [`KeychainError::Unavailable`].

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What the keychain could not do. `again` in each message is the tool's own way back (sign in
/// or enrol again with a new code).
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No credential store started (no Secret Service on the session bus, say).
    #[error(
        "no OS keychain is available ({why}). Waymark keeps tokens and private keys only in the OS keychain, never in a plain file: run it in a desktop session with a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager; headless Linux: gnome-keyring-daemon under dbus-run-session){hint}"
    )]
    Unavailable {
        /// The store's own explanation.
        why: String,
        /// More the tool can offer (an alternative), starting with ". " or empty.
        hint: &'static str,
    },
    /// The store is there but refused access (locked, or the user declined).
    #[error(
        "the OS keychain refused access ({0}): unlock it (or create a default keyring) and try again"
    )]
    Locked(String),
    /// Nothing stored for this account.
    #[error("the OS keychain holds no credentials for {user}: {again}")]
    Missing {
        /// The entry's user name.
        user: String,
        /// How to get credentials again.
        again: &'static str,
    },
    /// What is stored is not what this tool writes.
    #[error("the OS keychain entry {user} is damaged ({detail}): {again}")]
    Damaged {
        /// The entry's user name.
        user: String,
        /// What was wrong.
        detail: String,
        /// How to get credentials again.
        again: &'static str,
    },
    /// Any other failure of the store.
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}

impl KeychainError {
    /// A stable code for front ends.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable { .. } => "keychain_unavailable",
            Self::Locked(_) => "keychain_locked",
            Self::Missing { .. } => "keychain_missing",
            Self::Damaged { .. } => "keychain_damaged",
            Self::Failed(_) => "keychain_failed",
        }
    }
}

/// One tool's part of the keychain: its service name and how its user gets credentials again.
#[derive(Clone, Copy, Debug)]
pub struct Keychain {
    /// The service every entry of this tool is under.
    pub service: &'static str,
    /// What to do when the credentials are missing or damaged.
    pub again: &'static str,
    /// Said after "no keychain is available": an alternative, starting with ". ", or empty.
    pub unavailable_hint: &'static str,
}

impl Keychain {
    fn map(&self, e: keyring::Error, user: &str) -> KeychainError {
        match e {
            keyring::Error::NoDefaultStore => {
                let why = match keyring::Entry::store_status() {
                    Err(inner) if !matches!(inner, keyring::Error::NoDefaultStore) => {
                        inner.to_string()
                    }
                    _ => "no credential store could be started".to_owned(),
                };
                KeychainError::Unavailable {
                    why,
                    hint: self.unavailable_hint,
                }
            }
            keyring::Error::NoStorageAccess(inner) => KeychainError::Locked(inner.to_string()),
            keyring::Error::NoEntry => KeychainError::Missing {
                user: user.to_owned(),
                again: self.again,
            },
            keyring::Error::BadEncoding(_) => self.damaged(user, "not text".to_owned()),
            other => KeychainError::Failed(other.to_string()),
        }
    }

    fn damaged(&self, user: &str, detail: String) -> KeychainError {
        KeychainError::Damaged {
            user: user.to_owned(),
            detail,
            again: self.again,
        }
    }

    fn entry(&self, user: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(self.service, user).map_err(|e| self.map(e, user))
    }

    /// Checks that a keychain is there and takes an entry (writes and deletes a probe), so that
    /// a one-time code is never spent when what it yields could not be kept.
    pub fn check_available(&self) -> Result<(), KeychainError> {
        let user = "probe: can this keychain keep a secret?";
        let probe = self.entry(user)?;
        probe.set_password("probe").map_err(|e| self.map(e, user))?;
        match probe.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.map(e, user)),
        }
    }

    /// Stores `value` as JSON under `user` (replacing what was there).
    pub fn store<T: Serialize>(&self, user: &str, value: &T) -> Result<(), KeychainError> {
        let text =
            serde_json::to_string(value).map_err(|e| KeychainError::Failed(e.to_string()))?;
        self.entry(user)?
            .set_password(&text)
            .map_err(|e| self.map(e, user))
    }

    /// The JSON value stored under `user`; `check` turns what was read into the caller's type
    /// (its error is reported as a damaged entry).
    pub fn load<T: DeserializeOwned, U>(
        &self,
        user: &str,
        check: impl FnOnce(T) -> Result<U, String>,
    ) -> Result<U, KeychainError> {
        let text = self
            .entry(user)?
            .get_password()
            .map_err(|e| self.map(e, user))?;
        let value: T =
            serde_json::from_str(&text).map_err(|e| self.damaged(user, e.to_string()))?;
        check(value).map_err(|detail| self.damaged(user, detail))
    }

    /// Removes the entry of `user`; false when there was none.
    pub fn remove(&self, user: &str) -> Result<bool, KeychainError> {
        match self.entry(user)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.map(e, user)),
        }
    }
}
