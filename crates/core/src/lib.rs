//! Waymark's core: frameworks as data, the self-review store, and progress and award rules.
//!
//! This crate knows nothing about Tauri or the command line: both are thin adapters over
//! [`Workspace`]. See ARCHITECTURE.md at the repository root for the map.

pub mod english;
pub mod error;
pub mod evidence;
pub mod input;
pub mod keys;
pub mod outbox;
pub mod paths;
pub mod privacy;
pub mod progress;
pub mod renewal;
pub mod search;
pub mod store;
pub mod upgrade;
pub mod workspace;

/// Frameworks as data: the `waymark-framework` crate, at the path it had inside the core.
pub use waymark_framework as framework;

pub use error::{Entity, Error, ErrorCode, Hint, Result};
pub use framework::{Catalog, Framework};
pub use keys::{DataKey, EphemeralKeys, KeyStore, OsKeychain};
pub use workspace::{ResponseUpdate, Status, Workspace};
