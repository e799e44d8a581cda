//! The client side of the awarding body's endpoint, shared by the school's sync engine
//! (`waymark-sync`) and the assessor's tool (`waymark-assess`): one HTTP [`client`] set up for
//! school networks (the system proxy, the operating system's certificate store, failures told
//! apart in words a school lead or an IT admin can act on) and the OS [`keychain`], where
//! tokens and private keys live and nowhere else.
//!
//! Nothing here knows the core, Tauri or the terminal.

// Tests beside the code may unwrap: a failure there is the test failing.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod client;
/// The OS keychain: the `waymark-keychain` crate, re-exported (sync and assess use it from here).
pub mod keychain {
    pub use waymark_keychain::{Keychain, KeychainError};
}

pub use client::{Client, ClientError};
pub use keychain::{Keychain, KeychainError};
