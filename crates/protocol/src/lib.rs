//! Waymark's wire format, shared by the desktop app, the `waymark` CLI, the awarding body's
//! endpoint (`waymark-server`) and the assessor's tool — and nothing else.
//!
//! Everything here is a pure function over bytes or a plain data type: no I/O, no clock, no
//! database. The types are the wire's own, versioned ([`API_VERSION`], each signed document's
//! `format`), never the core's structs sent as they are, so the core can change without the wire
//! changing by accident; `tests/snapshots/` holds the JSON of every type and fails on any change.
//!
//! What the server may read is the [`envelope::Envelope`]: ids, the framework and award, the blob
//! list by ciphertext hash and size, the time and the institution's signature. Everything a
//! school wrote is in the [`manifest::Manifest`], encrypted with age to the awarding body's
//! recipients ([`crypt`]) before it leaves the machine. Signatures cover exact bytes
//! ([`signed::Signed`]), so no JSON canonicalisation is needed and none can disagree.

// Tests beside the code may unwrap: a failure there is the test failing.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod crypt;
pub mod encoding;
pub mod enrollment;
pub mod envelope;
pub mod erasure;
pub mod error;
pub mod ids;
pub mod keys;
pub mod manifest;
pub mod receipt;
pub mod review;
pub mod signed;

pub use error::{ApiError, ApiErrorCode, ProtocolError};
pub use ids::{AssessorId, InstitutionId, Sha256, SubmissionId};

/// The path prefix of this version of the HTTP API (`/v1/...`).
pub const API_VERSION: &str = "v1";

/// Result of the protocol's checks.
pub type Result<T, E = ProtocolError> = std::result::Result<T, E>;
