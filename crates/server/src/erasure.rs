//! Erasure on request: an institution (`POST /v1/school/erasure`) or the awarding body on its
//! behalf (`POST /v1/admin/institutions/{id}/erasure`, `waymark-server institutions erase`)
//! has everything the endpoint holds of it deleted.
//!
//! What goes: its submissions with their envelopes, receipts, events, requests, feedback and
//! awards; its uploads and held blobs (rows, then the objects); its tokens, enrollment codes,
//! the assessors' declared links to it, its profile, and its registration (name, identifier,
//! key). What stays, and why:
//! - a tombstone: its id, when, and the signed confirmation (ids, time, counts: no name, no
//!   personal data), so a retried request gets the same confirmation and nothing else;
//! - its tokens' public ids and secret hashes, so every later request with them is answered
//!   `410 institution_erased` instead of looking like a typo;
//! - its submissions' ids and its awards' verification codes, each with the time and the
//!   reason, so an assessor or the administrator asking for one is told `410
//!   submission_deleted`, and the public verification of a printed certificate says the
//!   record was deleted at the institution's request (`410 award_deleted`, "cannot be
//!   verified") rather than that no such award was ever made.
//!
//! The order against the blob store is in [`crate::meta::privacy`]: one metadata transaction
//! first (after it, nothing can reach the objects), then the objects, with housekeeping
//! finishing what a crash cut off. Its registration's identifier is free again afterwards: the
//! awarding body can register the institution anew (a new id, nothing carried over).

use std::sync::Arc;

use waymark_protocol::api::ErasureResponse;
use waymark_protocol::erasure::ErasureConfirmation;
use waymark_protocol::review::Role;
use waymark_protocol::signed::Purpose;
use waymark_protocol::{ApiErrorCode, InstitutionId};

use crate::meta::privacy::{EraseRequest, ErasureOutcome};
use crate::{AppState, Failure};

/// Erases `institution` (asked by `requested_by`: the institution itself, or the awarding
/// body). `created` is false when it had been erased before: its first confirmation again.
/// `not_found` when there is no such institution.
pub async fn erase(
    state: &AppState,
    institution: InstitutionId,
    requested_by: Role,
) -> Result<ErasureResponse, Failure> {
    let signer = state.clone();
    let outcome = state
        .meta
        .erase_institution(EraseRequest {
            institution,
            requested_by,
            at: state.clock.now(),
            sign: Arc::new(move |c: &ErasureConfirmation| c.sign(&signer.signing_key)),
        })
        .await?;
    match outcome {
        ErasureOutcome::Erased {
            confirmation,
            prefixes,
        } => {
            tracing::info!(%institution, by = ?requested_by, "institution erased");
            // The metadata is erased and committed; the objects follow. A failure here is
            // not the request's: the queue keeps what is left for housekeeping.
            if let Err(e) = crate::blobs::delete_prefixes(state, &prefixes).await {
                tracing::warn!(%institution, error = %e.message, "erased blobs are left for housekeeping");
            }
            Ok(ErasureResponse {
                confirmation,
                created: true,
            })
        }
        ErasureOutcome::AlreadyErased(erased) => {
            if let Err(e) = crate::blobs::finish_deletions(state).await {
                tracing::warn!(error = %e.message, "queued blob deletions are left for housekeeping");
            }
            Ok(ErasureResponse {
                confirmation: erased.confirmation,
                created: false,
            })
        }
        ErasureOutcome::Unknown => Err(Failure::not_found("institution")),
    }
}

/// The first confirmation of an institution already erased (a retried request).
pub async fn confirmation_of(
    state: &AppState,
    institution: InstitutionId,
) -> Result<ErasureResponse, Failure> {
    let erased = state
        .meta
        .erased_institution(institution)
        .await?
        .ok_or_else(|| {
            Failure::internal(format!(
                "institution {institution} has an erased token but no tombstone"
            ))
        })?;
    Ok(ErasureResponse {
        confirmation: erased.confirmation,
        created: false,
    })
}

/// The confirmation in a response, read (for the command line; the signature is the
/// endpoint's own, checked with its current key when it still is).
pub fn read(state: &AppState, response: &ErasureResponse) -> Result<ErasureConfirmation, Failure> {
    response
        .confirmation
        .open(Purpose::Erasure, &state.signing_key.public())
        .or_else(|_| response.confirmation.peek(Purpose::Erasure))
        .map_err(|e| {
            Failure::new(
                ApiErrorCode::Internal,
                format!("a stored erasure confirmation is unreadable: {e}"),
            )
        })
}
