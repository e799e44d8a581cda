//! The institution's secrets — the endpoint's bearer token and the Ed25519 key that signs its
//! envelopes — in the OS keychain and nowhere else: one entry under service [`SERVICE`] whose
//! user is the `keychain_user` the enrollment records. A lost or erased keychain entry is
//! recovered by enrolling again with a new code (a new key; receipts already held stay valid,
//! as they are signed by the awarding body, not by this key).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use waymark_net::{Keychain, KeychainError};
use waymark_protocol::InstitutionId;
use waymark_protocol::signed::SecretKey;

/// The keychain service of the school's Waymark (the app and the `waymark` command share it).
pub const SERVICE: &str = "waymark";

const KEYCHAIN: Keychain = Keychain {
    service: SERVICE,
    again: "enrol again (`waymark enroll CODE`, or Connect in the app) with a new enrollment code from the awarding body; receipts you already hold stay valid",
    unavailable_hint: "",
};

/// The secrets of an enrolled institution.
pub struct Credentials {
    /// The bearer token.
    pub token: String,
    /// The key envelopes are signed with (shared with the threads that package).
    pub signing_key: Arc<SecretKey>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials(token hidden, key {})",
            self.signing_key.public().key_id().0
        )
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    token: String,
    signing_key: String,
}

/// The entry's user name: the institution at the endpoint.
pub fn entry_user(endpoint: &str, institution: InstitutionId) -> String {
    format!("institution {institution} at {endpoint}")
}

/// Checks that a keychain is there and can keep a secret, before a one-time code is spent.
pub fn check_available() -> Result<(), KeychainError> {
    KEYCHAIN.check_available()
}

/// Stores the institution's token and key under `user` (replacing what was there).
pub fn store(user: &str, credentials: &Credentials) -> Result<(), KeychainError> {
    KEYCHAIN.store(
        user,
        &Stored {
            token: credentials.token.clone(),
            signing_key: credentials.signing_key.to_base64(),
        },
    )
}

/// The token and key stored under `user`.
pub fn load(user: &str) -> Result<Credentials, KeychainError> {
    KEYCHAIN.load(user, |stored: Stored| {
        let signing_key = SecretKey::from_base64(&stored.signing_key).map_err(|e| e.to_string())?;
        Ok(Credentials {
            token: stored.token,
            signing_key: Arc::new(signing_key),
        })
    })
}

/// Removes the entry of `user`; false when there was none.
pub fn remove(user: &str) -> Result<bool, KeychainError> {
    KEYCHAIN.remove(user)
}
