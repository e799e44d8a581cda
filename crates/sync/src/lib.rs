//! The school's side of submissions, over the core's [`Workspace`]: enrol with the awarding
//! body ([`session::enroll`]), package a review and its frozen evidence into a signed,
//! encrypted submission ([`package::package`]), deliver it through the outbox over any network
//! ([`deliver::deliver_pending`]), follow its review ([`status::refresh`]) and check receipts
//! offline ([`receipt`]).
//!
//! The trust model this serves: everything a school wrote is sealed with age to the awarding
//! body's recipients before it leaves the machine, so the endpoint's operator and any
//! HTTPS-inspecting filter see ciphertext only; the recipients come from a key set accepted
//! only as a chain from the fingerprint in the enrollment code (pinned out of band); every
//! envelope is signed with the institution's Ed25519 key and every receipt verified against
//! the awarding body's; the token and the private key live only in the OS keychain.
//!
//! Nothing here knows Tauri or the terminal: the app and the `waymark` command adapt it.

// Tests beside the code may unwrap: a failure there is the test failing.
#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::sync::{Arc, Mutex, MutexGuard};

use waymark_core::Workspace;

pub mod credentials;
pub mod deliver;
pub mod error;
pub mod package;
pub mod privacy;
pub mod receipt;
pub mod seal;
pub mod session;
pub mod status;
pub mod tus;

pub use error::{Result, SyncError};

/// The workspace as the engine shares it between its tasks: locked only for the moment of a
/// read or a write, never across the network.
pub type Shared = Arc<Mutex<Workspace>>;

/// Wraps a workspace for the engine.
pub fn share(ws: Workspace) -> Shared {
    Arc::new(Mutex::new(ws))
}

/// Locks the workspace. A panic while it was held cannot have left the database half-written
/// (each write is one transaction), so a poisoned lock is taken over.
pub fn lock(shared: &Shared) -> MutexGuard<'_, Workspace> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
