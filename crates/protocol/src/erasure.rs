//! Erasure confirmations: the endpoint's signed statement that it erased everything it held of
//! an institution, when, and how much. The school keeps it as proof that its request was
//! honoured; anyone holding the awarding body's key set can verify it offline
//! ([`verify_erasure`]), as a receipt.
//!
//! It names nothing but the institution's id: no name, no identifier, no personal data (the
//! endpoint keeps a copy in the institution's tombstone, to answer a retried request with the
//! same confirmation).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::keys::KeySet;
use crate::review::Role;
use crate::signed::{Purpose, SecretKey, Signed};
use crate::{InstitutionId, ProtocolError};

/// The version of [`ErasureConfirmation`] this build writes and reads.
pub const ERASURE_FORMAT: u32 = 1;

/// What the endpoint attests when it erases an institution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErasureConfirmation {
    /// [`ERASURE_FORMAT`].
    pub format: u32,
    /// The institution erased.
    pub institution: InstitutionId,
    /// Who asked: `institution` (its own request) or `awarding_body` (a request received by
    /// other means, acted on by the administrator).
    pub requested_by: Role,
    /// When the endpoint erased it (the endpoint's clock).
    pub erased_at: DateTime<Utc>,
    /// What was deleted.
    pub deleted: ErasureCounts,
}

/// How many of each thing an erasure deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErasureCounts {
    /// Submissions (with their review: requests, recommendations, feedback).
    pub submissions: u64,
    /// Envelopes, each with the receipt the endpoint gave for it.
    pub envelopes: u64,
    /// Review events.
    pub events: u64,
    /// Awards (their public verification answers "deleted" from then on).
    pub awards: u64,
    /// tus uploads, finished or not.
    pub uploads: u64,
    /// Held blobs (encrypted manifests and evidence); their bytes are deleted from the blob
    /// store.
    pub blobs: u64,
    /// Bytes of those blobs.
    pub blob_bytes: u64,
    /// Bearer tokens (kept only as a hash, to answer `institution_erased`).
    pub tokens: u64,
    /// Enrollment codes.
    pub enrollment_codes: u64,
    /// Assessors' declared links to the institution.
    pub assessor_links: u64,
    /// The institution's profile (0 or 1).
    pub profiles: u64,
}

impl ErasureConfirmation {
    /// Signs the confirmation with the endpoint's key.
    pub fn sign(&self, key: &SecretKey) -> Signed {
        key.sign_json(Purpose::Erasure, self)
    }
}

/// Verifies an erasure confirmation against the awarding body's key set (pinned and verified,
/// see [`crate::keys::verify_chain`]): pass the set whose `signing_key` its `key_id` names.
pub fn verify_erasure(
    signed: &Signed,
    key_set: &KeySet,
) -> Result<ErasureConfirmation, ProtocolError> {
    let confirmation: ErasureConfirmation = signed.open(Purpose::Erasure, &key_set.signing_key)?;
    if confirmation.format != ERASURE_FORMAT {
        return Err(ProtocolError::UnsupportedFormat {
            what: "erasure confirmation",
            found: confirmation.format,
            supported: ERASURE_FORMAT,
        });
    }
    Ok(confirmation)
}
