//! A school's submissions: committing a signed envelope (and getting its receipt), and what the
//! school may read about its submissions afterwards.
//!
//! A commit is checked in this order, each refusal with its own code: the envelope names the
//! calling institution (`invalid_envelope`), its signature verifies with the institution's
//! registered key (`bad_signature`), it was encrypted to a key set this awarding body
//! published (`invalid_envelope`), it applies for an award the awarding body makes
//! (`unknown_award`), and every blob it lists is held, verified, for this institution
//! (`missing_blob`, naming them). Only then is it recorded, in one transaction that also signs
//! the receipt ([`SubmissionStore::commit_envelope`](crate::meta::SubmissionStore)). The same
//! envelope sent again answers with the same receipt and records nothing.
//!
//! What the school reads is filtered here: another institution's submission does not exist for
//! it (`not_found`, never `forbidden`), assessors are not named to it, and the recommendation
//! (with its notes for the moderator) is never sent to it.

use std::sync::Arc;

use waymark_protocol::api::{
    CommitRequest, CommitResponse, EventList, SubmissionList, SubmissionStatus,
};
use waymark_protocol::envelope::{BlobRef, Envelope};
use waymark_protocol::receipt::Receipt;
use waymark_protocol::review::{Event, EventKind};
use waymark_protocol::signed::Purpose;
use waymark_protocol::{ApiErrorCode, InstitutionId, ProtocolError, Sha256, SubmissionId};

use crate::frameworks;
use crate::meta::submissions::{CommitOutcome, NewEnvelope, SubmissionRecord};
use crate::{AppState, Failure};

/// Most missing blobs named in a `missing_blob` message (the rest are counted).
const MISSING_NAMED: usize = 20;

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(ApiErrorCode::InvalidEnvelope, message)
}

/// Commits a signed envelope for `caller`. `created` is false when this exact envelope was
/// committed before (its first receipt is returned again).
pub async fn commit(
    state: &AppState,
    caller: InstitutionId,
    request: CommitRequest,
) -> Result<CommitResponse, Failure> {
    let signed = request.envelope;
    // Unverified: only to learn whose key should verify it.
    let claimed: Envelope = signed.peek(Purpose::Envelope)?;
    if claimed.institution != caller {
        return Err(invalid(format!(
            "the envelope is for institution {}, but this token belongs to institution {caller}; sign envelopes with your own institution's id",
            claimed.institution
        )));
    }
    let info =
        state.meta.institution(caller).await?.ok_or_else(|| {
            Failure::internal(format!("institution {caller} of a token is missing"))
        })?;
    let key = info.public_key.ok_or_else(|| {
        invalid("no signing key is registered for this institution; enrol again with a new code from the awarding body")
    })?;
    let envelope = Envelope::open(&signed, &key).map_err(|e| match e {
        ProtocolError::BadSignature { .. } | ProtocolError::WrongKey { .. } => Failure::from(e),
        other => invalid(other.to_string()),
    })?;

    let key_sets = state.meta.key_sets().await?;
    if !key_sets.iter().any(|s| s.fingerprint() == envelope.key_set) {
        return Err(invalid(format!(
            "the envelope was encrypted to key set {}, which this awarding body never published; fetch /v1/key-sets and encrypt again",
            envelope.key_set.grouped()
        )));
    }
    frameworks::mark_rules(&state.frameworks, &envelope.framework, &envelope.award)?;

    let blobs: Vec<BlobRef> = envelope.all_blobs().copied().collect();
    check_blobs_held(state, caller, &blobs).await?;

    let signer = state.clone();
    let outcome = state
        .meta
        .commit_envelope(NewEnvelope {
            institution: caller,
            sha256: signed.body_sha256(),
            signed,
            framework: envelope.framework,
            award: envelope.award,
            responds_to: envelope.responds_to,
            blobs,
            received_at: state.clock.now(),
            sign: Arc::new(move |r: &Receipt| r.sign(&signer.signing_key)),
        })
        .await?;
    let (record, created) = match outcome {
        CommitOutcome::Created(record) => (record, true),
        CommitOutcome::Existing(record) => (record, false),
        CommitOutcome::UnknownSubmission => {
            return Err(match envelope.responds_to {
                Some(answered) => {
                    crate::retention::missing_submission(state, answered, |d| {
                        d.institution == Some(caller)
                    })
                    .await
                }
                None => Failure::not_found("submission"),
            });
        }
        CommitOutcome::NotAwaitingEvidence(current) => {
            return Err(Failure::new(
                ApiErrorCode::TransitionNotAllowed,
                format!(
                    "the submission this answers is {}, not waiting for more evidence, so it cannot be re-submitted; send a new submission (without responds_to) or wait for the assessor's request",
                    current.as_str()
                ),
            ));
        }
        CommitOutcome::DifferentAward => {
            return Err(invalid(
                "a re-submission must apply for the same framework version and award as the submission it answers",
            ));
        }
    };
    if created {
        tracing::info!(
            submission = %record.submission,
            version = record.version,
            institution = %caller,
            "envelope committed"
        );
    }
    Ok(CommitResponse {
        submission: record.submission,
        receipt: record.receipt,
        created,
    })
}

/// `missing_blob` unless every one of `blobs` is held, verified, with its size, for this
/// institution (another institution's copy of the same bytes does not count).
async fn check_blobs_held(
    state: &AppState,
    institution: InstitutionId,
    blobs: &[BlobRef],
) -> Result<(), Failure> {
    let hashes: Vec<Sha256> = blobs.iter().map(|b| b.sha256).collect();
    let held = crate::blobs::held(state, institution, &hashes).await?;
    let held: std::collections::HashSet<BlobRef> = held.into_iter().collect();
    let missing: Vec<&BlobRef> = blobs.iter().filter(|b| !held.contains(b)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut named: Vec<String> = missing
        .iter()
        .take(MISSING_NAMED)
        .map(|b| format!("{} ({} bytes)", b.sha256, b.size))
        .collect();
    if missing.len() > MISSING_NAMED {
        named.push(format!("and {} more", missing.len() - MISSING_NAMED));
    }
    Err(Failure::new(
        ApiErrorCode::MissingBlob,
        format!(
            "the server does not hold {} of the envelope's {} blobs for this institution: {}; upload them (POST /v1/uploads) and commit again",
            missing.len(),
            blobs.len(),
            named.join(", ")
        ),
    ))
}

/// The caller's own submission, or `not_found` (also for another institution's), or
/// `submission_deleted` for one of its own that was deleted (another institution's deleted
/// submission is `not_found` too).
pub async fn own(
    state: &AppState,
    caller: InstitutionId,
    id: SubmissionId,
) -> Result<SubmissionRecord, Failure> {
    match state.meta.submission(id).await? {
        Some(record) if record.institution == caller => Ok(record),
        Some(_) => Err(Failure::not_found("submission")),
        None => {
            Err(
                crate::retention::missing_submission(state, id, |d| d.institution == Some(caller))
                    .await,
            )
        }
    }
}

async fn institution_name(state: &AppState, id: InstitutionId) -> Result<String, Failure> {
    Ok(state
        .meta
        .institution(id)
        .await?
        .ok_or_else(|| Failure::internal(format!("institution {id} of a submission is missing")))?
        .name)
}

/// The caller's submissions, newest first.
pub async fn list(state: &AppState, caller: InstitutionId) -> Result<SubmissionList, Failure> {
    let name = institution_name(state, caller).await?;
    let records = state.meta.submissions_of(caller).await?;
    Ok(SubmissionList {
        submissions: records.iter().map(|r| r.summary(name.clone())).collect(),
    })
}

/// Everything the school may know about one of its submissions (see [`own`] for the record).
pub async fn status_of(
    state: &AppState,
    record: SubmissionRecord,
) -> Result<SubmissionStatus, Failure> {
    let name = institution_name(state, record.institution).await?;
    let receipts = state
        .meta
        .envelopes(record.id)
        .await?
        .into_iter()
        .map(|e| e.receipt)
        .collect();
    Ok(SubmissionStatus {
        summary: record.summary(name),
        request: record.request,
        feedback: record.feedback,
        award: record.award_record,
        receipts,
        last_event: record.last_event,
    })
}

/// [`status_of`] the caller's own submission.
pub async fn status(
    state: &AppState,
    caller: InstitutionId,
    id: SubmissionId,
) -> Result<SubmissionStatus, Failure> {
    let record = own(state, caller, id).await?;
    status_of(state, record).await
}

/// The events of the caller's submission after `since`, as the school may see them.
pub async fn events(
    state: &AppState,
    caller: InstitutionId,
    id: SubmissionId,
    since: u64,
) -> Result<EventList, Failure> {
    own(state, caller, id).await?;
    let events = state.meta.events(id, since).await?;
    Ok(EventList {
        events: events.into_iter().map(for_school).collect(),
    })
}

/// An event as the school sees it: no assessor named, nothing of the review's inside.
pub fn for_school(mut event: Event) -> Event {
    event.actor.assessor = None;
    event.kind = match event.kind {
        // The moderator's reason is addressed to the assessor and may quote the
        // recommendation: the school learns only that the review went back a step.
        EventKind::SentBack { .. } => EventKind::SentBack {
            reason: String::new(),
        },
        // Carries nothing (the outcome is shown once moderated); listed so a field added to
        // it later has to be decided on here.
        EventKind::Recommended => EventKind::Recommended,
        kind @ (EventKind::Received { .. }
        | EventKind::Assigned { .. }
        | EventKind::EvidenceRequested { .. }
        | EventKind::Awarded { .. }
        | EventKind::NotAwarded { .. }
        // The school's own correction: it may see that it was recorded.
        | EventKind::ProfileCorrected { .. }) => kind,
    };
    event
}

#[cfg(test)]
mod tests {
    use waymark_protocol::review::{Actor, ReviewState, Role};
    use waymark_protocol::{AssessorId, SubmissionId};

    use super::*;

    #[test]
    fn schools_see_no_assessor_and_no_moderators_reason() {
        let event = Event {
            sequence: 7,
            submission: SubmissionId::new(),
            at: "2026-03-02T09:00:00Z".parse().unwrap(),
            actor: Actor {
                role: Role::Moderator,
                assessor: Some(AssessorId::new()),
            },
            state: ReviewState::UnderReview,
            kind: EventKind::SentBack {
                reason: "the assessor recommended award too readily".into(),
            },
        };
        let seen = for_school(event.clone());
        assert_eq!(seen.actor.assessor, None);
        assert_eq!(seen.actor.role, Role::Moderator);
        assert_eq!(
            seen.kind,
            EventKind::SentBack {
                reason: String::new()
            }
        );
        assert_eq!(seen.sequence, event.sequence);
        assert_eq!(seen.state, event.state);
    }
}
