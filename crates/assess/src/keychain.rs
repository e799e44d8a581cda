//! The assessor's secrets in the OS keychain (macOS Keychain, Windows Credential Manager,
//! Secret Service on Linux), and nowhere else: the bearer token and the age identity, as one
//! entry of service [`SERVICE`] whose user is derived from the endpoint and the assessor id.
//! When no keychain is available the tool says so and never falls back to a plain file.

use serde::{Deserialize, Serialize};
use waymark_net::Keychain;
use waymark_protocol::AssessorId;
use waymark_protocol::crypt::Identity;

/// The keychain service every entry of this tool is under.
pub const SERVICE: &str = "waymark-assess";

pub use waymark_net::KeychainError;

/// The assessor tool's part of the keychain.
const KEYCHAIN: Keychain = Keychain {
    service: SERVICE,
    again: "sign in again (`waymark-assess sign-in CODE`) with a new code from the awarding body",
    unavailable_hint: ". To decrypt with an age identity file instead of the keychain's identity, use --identity FILE",
};

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

/// Checks that a keychain is there and takes an entry, so that a one-time code is never spent
/// when its token could not be kept.
pub fn check_available() -> Result<(), KeychainError> {
    KEYCHAIN.check_available()
}

/// Stores the assessor's token and identity (replacing what was there).
pub fn store(
    endpoint: &str,
    assessor: AssessorId,
    credentials: &Credentials,
) -> Result<(), KeychainError> {
    KEYCHAIN.store(
        &entry_user(endpoint, assessor),
        &Stored {
            token: credentials.token.clone(),
            identity: credentials.identity.to_secret_text(),
        },
    )
}

/// The assessor's token and identity.
pub fn load(endpoint: &str, assessor: AssessorId) -> Result<Credentials, KeychainError> {
    KEYCHAIN.load(&entry_user(endpoint, assessor), |stored: Stored| {
        let identity = Identity::from_secret_text(&stored.identity).map_err(|e| e.to_string())?;
        Ok(Credentials {
            token: stored.token,
            identity,
        })
    })
}

/// Removes the assessor's entry; false when there was none.
pub fn remove(endpoint: &str, assessor: AssessorId) -> Result<bool, KeychainError> {
    KEYCHAIN.remove(&entry_user(endpoint, assessor))
}
