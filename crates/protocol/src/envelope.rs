//! The submission envelope: the only part of a submission the endpoint can read.
//!
//! It names who is applying for what, lists the encrypted blobs by the SHA-256 and size of
//! their ciphertext (so the server can check it holds them, and holds them once), and points at
//! the encrypted [`crate::manifest::Manifest`]. The institution signs it ([`Purpose::Envelope`]);
//! the SHA-256 of the signed bytes is the envelope's identity in the receipt.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{FrameworkRef, check_label};
use crate::keys::Fingerprint;
use crate::signed::{PublicKey, Purpose, SecretKey, Signed};
use crate::{InstitutionId, ProtocolError, Sha256, SubmissionId};

/// The version of [`Envelope`] this build writes and reads.
pub const ENVELOPE_FORMAT: u32 = 1;

/// Most blobs one envelope may list (10,000 evidence files plus the manifest, with room).
pub const MAX_BLOBS: usize = 20_000;

/// A blob by the hash and size of its ciphertext.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BlobRef {
    /// SHA-256 of the encrypted bytes.
    pub sha256: Sha256,
    /// Length of the encrypted bytes.
    pub size: u64,
}

/// What the endpoint may read about a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Envelope {
    /// [`ENVELOPE_FORMAT`].
    pub format: u32,
    /// The institution applying (its key signs this).
    pub institution: InstitutionId,
    /// The framework the self-review followed.
    pub framework: FrameworkRef,
    /// The award applied for (an award id of that framework).
    pub award: String,
    /// When the school prepared it (the school's clock; the receipt has the server's).
    pub created_at: DateTime<Utc>,
    /// Random, so that two envelopes made from the same review are still different documents.
    pub nonce: String,
    /// Set when this answers a request for more evidence on an earlier submission.
    pub responds_to: Option<SubmissionId>,
    /// The key set the manifest and blobs were encrypted to.
    pub key_set: Fingerprint,
    /// The encrypted manifest.
    pub manifest: BlobRef,
    /// Every encrypted evidence blob the manifest refers to.
    pub blobs: Vec<BlobRef>,
}

impl Envelope {
    /// Checks what can be checked without the server's state: format, labels, blob count, no
    /// blob listed twice, the manifest not among the evidence.
    pub fn check(&self) -> Result<(), ProtocolError> {
        if self.format != ENVELOPE_FORMAT {
            return Err(ProtocolError::UnsupportedFormat {
                what: "envelope",
                found: self.format,
                supported: ENVELOPE_FORMAT,
            });
        }
        check_label("framework id", &self.framework.id)?;
        check_label("framework version", &self.framework.version)?;
        check_label("award id", &self.award)?;
        if self.nonce.len() != 32 || !self.nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed("the nonce must be 32 hex digits".into()));
        }
        if self.blobs.len() > MAX_BLOBS {
            return Err(malformed(format!(
                "it lists {} blobs; at most {MAX_BLOBS} are allowed",
                self.blobs.len()
            )));
        }
        let mut seen = std::collections::HashSet::with_capacity(self.blobs.len() + 1);
        seen.insert(self.manifest.sha256);
        for blob in &self.blobs {
            if !seen.insert(blob.sha256) {
                return Err(malformed(format!("blob {} is listed twice", blob.sha256)));
            }
        }
        Ok(())
    }

    /// Every blob the envelope needs: the manifest first, then the evidence.
    pub fn all_blobs(&self) -> impl Iterator<Item = &BlobRef> {
        std::iter::once(&self.manifest).chain(&self.blobs)
    }

    /// Signs the envelope with the institution's key.
    pub fn sign(&self, key: &SecretKey) -> Signed {
        key.sign_json(Purpose::Envelope, self)
    }

    /// Verifies `signed` with the institution's registered key, then checks the envelope.
    pub fn open(signed: &Signed, key: &PublicKey) -> Result<Self, ProtocolError> {
        let envelope: Self = signed.open(Purpose::Envelope, key)?;
        envelope.check()?;
        Ok(envelope)
    }

    /// A fresh nonce.
    pub fn new_nonce() -> String {
        crate::encoding::encode_hex(&crate::encoding::random_bytes::<16>())
    }
}

fn malformed(detail: String) -> ProtocolError {
    ProtocolError::Malformed {
        what: "envelope",
        detail,
    }
}
