//! The assessor's tool, as a library (the desktop app's assessor mode will use it too) and the
//! thin `waymark-assess` command over it.
//!
//! Submissions are end-to-end encrypted, so they cannot be reviewed on the awarding body's
//! server: this tool downloads an assigned submission, verifies the school's signature and every
//! hash, and decrypts it on the assessor's own machine into a folder: the self-review report as
//! the same PDF a school prints, the evidence under its original names, and the manifest as
//! JSON. Decisions (requests for more evidence, a recommendation, a moderator's confirmation)
//! go back through the endpoint's API. The assessor's age identity and token live only in the
//! OS keychain (or an identity file given explicitly).

// Tests beside the code may unwrap: a failure there is the test failing.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cli;
pub mod decide;
pub mod desk;
pub mod error;
pub mod impartiality;
pub mod keychain;
pub mod list;
pub mod open;
pub mod profile;
pub mod report;
pub mod session;

pub use error::{Error, Result};
/// The endpoint client (shared with the school's sync engine).
pub use waymark_net::client;
