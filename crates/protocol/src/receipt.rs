//! Receipts: the endpoint's signed statement that it received an envelope, and when. The
//! school keeps it as proof of when it applied; anyone holding the awarding body's key set can
//! verify it offline ([`verify_receipt`], `waymark-server verify-receipt`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::keys::KeySet;
use crate::signed::{Purpose, SecretKey, Signed};
use crate::{InstitutionId, ProtocolError, Sha256, SubmissionId};

/// The version of [`Receipt`] this build writes and reads.
pub const RECEIPT_FORMAT: u32 = 1;

/// What the endpoint attests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    /// [`RECEIPT_FORMAT`].
    pub format: u32,
    /// The submission the envelope belongs to.
    pub submission: SubmissionId,
    /// 1 for the first envelope, 2 for the first re-submission, …
    pub version: u32,
    /// The institution that signed the envelope.
    pub institution: InstitutionId,
    /// SHA-256 of the envelope's signed bytes.
    pub envelope_sha256: Sha256,
    /// When the endpoint recorded it (the endpoint's clock).
    pub received_at: DateTime<Utc>,
    /// The endpoint's order of receipts: strictly increasing, never reused.
    pub sequence: u64,
}

impl Receipt {
    /// Signs the receipt with the endpoint's key.
    pub fn sign(&self, key: &SecretKey) -> Signed {
        key.sign_json(Purpose::Receipt, self)
    }
}

/// Verifies a receipt against the awarding body's key set (already pinned and verified, see
/// [`crate::keys::verify_chain`]), and optionally that it is for the envelope the school kept.
///
/// A receipt signed by an earlier key set's key is verified against that set: pass the set
/// whose `signing_key` the receipt's `key_id` names.
pub fn verify_receipt(
    signed: &Signed,
    key_set: &KeySet,
    envelope: Option<&Signed>,
) -> Result<Receipt, ProtocolError> {
    let receipt: Receipt = signed.open(Purpose::Receipt, &key_set.signing_key)?;
    if receipt.format != RECEIPT_FORMAT {
        return Err(ProtocolError::UnsupportedFormat {
            what: "receipt",
            found: receipt.format,
            supported: RECEIPT_FORMAT,
        });
    }
    if let Some(envelope) = envelope {
        let hash = envelope.body_sha256();
        if hash != receipt.envelope_sha256 {
            return Err(ProtocolError::Malformed {
                what: "receipt",
                detail: format!(
                    "it is for envelope {}, not for this envelope ({hash})",
                    receipt.envelope_sha256
                ),
            });
        }
    }
    Ok(receipt)
}
