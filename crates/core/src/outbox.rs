//! The outbox's durable state, as the sync client keeps it through [`Workspace`]: the endpoint
//! this data folder is enrolled with, the encrypted blobs kept for sending (and for sending
//! once), and each submission from packaged to delivered.
//!
//! The core knows nothing about HTTP or the wire format. What the sync client owns (signed
//! envelopes, receipts, key sets, the endpoint's status) is kept here as opaque text, written
//! and read back byte for byte and never parsed, so the wire can change without a migration.
//!
//! Times are kept to the millisecond, as RFC 3339 UTC text like every time in the store: a time
//! given with a finer fraction reads back truncated to its millisecond.
//!
//! [`Workspace`]: crate::Workspace

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Folder inside the data folder where the sync client keeps sealed blobs.
pub const OUTBOX_DIR: &str = "outbox";

/// The awarding body's endpoint this data folder is enrolled with (at most one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrollment {
    /// The endpoint's base URL, e.g. `https://awards.example.org` (no trailing slash).
    pub endpoint: String,
    /// The endpoint's id for this institution (UUID text).
    pub institution_id: String,
    /// The institution's name as the endpoint recorded it.
    pub institution_name: String,
    /// The institution's identifier as the awarding body recorded it (e.g. the school's URN).
    pub identifier: String,
    /// The awarding body's name.
    pub awarding_body: String,
    /// The key-set fingerprint pinned from the enrollment code: every later key set must chain
    /// from it.
    pub fingerprint: String,
    /// Opaque JSON: the verified key-set chain.
    pub key_sets: String,
    /// The institution's signing public key, `ed25519:<base64>`.
    pub public_key: String,
    /// The user name of the OS keychain entry holding the token and the private key (secrets
    /// never live in the data folder).
    pub keychain_user: String,
    /// When the enrollment was made.
    pub enrolled_at: DateTime<Utc>,
}

/// One encrypted blob kept in the data folder's outbox, so a later submission that sends the
/// same plaintext to the same recipients references it instead of encrypting and sending again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealedBlob {
    /// Hex SHA-256 of the ciphertext (lowercase): the endpoint's name for it.
    pub sha256: String,
    /// Size of the ciphertext in bytes.
    pub size: u64,
    /// Hex BLAKE3 of the plaintext (lowercase).
    pub plain_blake3: String,
    /// Size of the plaintext in bytes.
    pub plain_size: u64,
    /// Fingerprint of the recipient set it was encrypted to: the same plaintext sealed to other
    /// recipients is another blob.
    pub recipients: String,
    /// Path of the ciphertext relative to the data folder, e.g. `outbox/blobs/<sha256>.age`.
    pub file: String,
    /// The tus upload's `Location` once created, to resume from there after a failure.
    pub upload_url: Option<String>,
    /// The endpoint has confirmed it holds the whole blob (it need not be sent again).
    pub held: bool,
}

/// Where a submission in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Packaged and signed, waiting to be delivered (retried until it is, or is refused).
    Queued,
    /// Delivered: the endpoint committed it and its receipt is kept.
    Sent,
    /// The endpoint refused it for good: sending it again would be refused again.
    Refused,
}

impl OutboxState {
    /// Every state, in the order a submission moves through them.
    pub const ALL: [OutboxState; 3] =
        [OutboxState::Queued, OutboxState::Sent, OutboxState::Refused];

    /// The stored spelling (the same as serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Refused => "refused",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One submission in the outbox: packaged, signed, waiting to be delivered, or delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxSubmission {
    /// Local id (UUIDv7 text, given by the sync client when it packaged the submission).
    pub id: String,
    /// The review it submits.
    pub review_id: String,
    /// The award applied for.
    pub award: String,
    /// The review's framework.
    pub framework_id: String,
    /// The framework version the review was on when packaged.
    pub framework_version: String,
    /// The endpoint's id of the submission this answers (a re-submission), if any.
    pub responds_to: Option<String>,
    /// Opaque: the signed envelope JSON.
    pub envelope: String,
    /// SHA-256 of the manifest blob (the first of `blobs`).
    pub manifest: String,
    /// SHA-256 of every sealed blob it needs, manifest first, in the order given.
    pub blobs: Vec<String>,
    /// Opaque JSON: what the lead was shown and confirmed before sending.
    pub summary: String,
    /// Where it stands.
    pub state: OutboxState,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// Failed delivery attempts recorded so far ([`Workspace::record_attempt`]).
    ///
    /// [`Workspace::record_attempt`]: crate::Workspace::record_attempt
    pub attempts: u32,
    /// When to try again after a failed attempt (`None`: as soon as possible).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, or why the endpoint refused it.
    pub last_error: Option<String>,
    /// Bytes of its blobs sent so far (for showing progress; resumed uploads add up).
    pub bytes_sent: u64,
    /// The endpoint's submission id once committed.
    pub server_id: Option<String>,
    /// Opaque: the signed receipt JSON, once committed.
    pub receipt: Option<String>,
    /// When the endpoint committed it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Opaque: the last status JSON pulled from the endpoint.
    pub status: Option<String>,
    /// The ETag of that status, for `If-None-Match`.
    pub status_tag: Option<String>,
    /// When the status was last checked (changed or not).
    pub status_checked_at: Option<DateTime<Utc>>,
}

/// A packaged, signed submission to put in the outbox ([`Workspace::queue_submission`]).
///
/// [`Workspace::queue_submission`]: crate::Workspace::queue_submission
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewOutboxSubmission {
    /// Local id (UUIDv7 text).
    pub id: String,
    /// The review it submits (must exist).
    pub review_id: String,
    /// The award applied for.
    pub award: String,
    /// The review's framework (must be the review's).
    pub framework_id: String,
    /// The review's framework version (must be the review's current one).
    pub framework_version: String,
    /// The endpoint's id of the submission this answers, for a re-submission.
    pub responds_to: Option<String>,
    /// Opaque: the signed envelope JSON.
    pub envelope: String,
    /// SHA-256 of the manifest blob: must be the first of `blobs`.
    pub manifest: String,
    /// SHA-256 of every blob it needs, manifest first; each must already be a sealed blob.
    pub blobs: Vec<String>,
    /// Opaque JSON: what the lead was shown and confirmed.
    pub summary: String,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
}
