//! `waymark-server`: the awarding body's endpoint.
//!
//! It receives submissions it cannot read (age ciphertext, see `waymark-protocol`), checks the
//! institution's signature on each envelope, answers with a signed receipt, drives the review
//! (assessor, moderator, decision, requests for more evidence) and publishes awards that expire.
//!
//! The library is the whole server: [`app::router`] over an [`state::AppState`], so tests run it
//! in process on a loopback port. `main.rs` is a thin binary over [`cli`]. Metadata goes only
//! through the [`meta::Meta`] trait (SQLite by default, or PostgreSQL) and blobs only through
//! `object_store::ObjectStore` (the local file system by default, or an S3-compatible bucket),
//! so larger awarding bodies run several instances on PostgreSQL and S3 without a change above
//! those traits ([`config::StorageConfig`] chooses; [`migrate`] moves an embedded installation).
//!
//! Data protection (erasure on request, retention, rectification) is in [`erasure`],
//! [`retention`] and [`profile`], over [`meta::PrivacyStore`].
//!
//! Nothing here depends on the desktop shell or any desktop library.

// Tests beside the code may unwrap: a failure there is the test failing.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod accounts;
pub mod app;
pub mod auth;
pub mod blobs;
pub mod cli;
pub mod clock;
pub mod config;
pub mod erasure;
pub mod error;
pub mod frameworks;
pub mod init;
pub mod keys;
pub mod meta;
pub mod migrate;
pub mod openapi;
pub mod profile;
pub mod retention;
pub mod review;
pub mod routes;
pub mod serve;
pub mod state;
pub mod submissions;

pub use error::Failure;
pub use state::AppState;
