//! Data protection: an institution's erasure on request, the deletion of submissions past the
//! awarding body's retention period, an institution's corrections of its profile, and the queue
//! of blob objects still to delete.
//!
//! **Order, for crash safety.** Erasing an institution and deleting a submission each change
//! the metadata in one transaction: everything of it goes, its tombstone is written, and the
//! object-store prefixes of its blobs and uploads (`uploads/<upload id>/`) are written to the
//! `pending_deletions` queue in the same transaction. Only after that commit are the objects
//! deleted ([`crate::blobs::finish_deletions`]), each prefix forgotten once it is empty. So:
//! - a crash before the commit changes nothing, and the request can be sent again;
//! - a crash after it leaves the metadata erased (every request is refused from then on) and
//!   the queue names what is left; housekeeping (hourly, and every erasure or retention run)
//!   finishes it. No row ever names an object that is gone without the row going first, and no
//!   object outlives the queue entry naming it.
//!
//! Metadata first is the right order here (blobs first is the right order for creating): once
//! the transaction commits, nothing can reach the objects any more, because every read of a
//! blob goes through its row.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use waymark_protocol::api::InstitutionProfile;
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::erasure::{ErasureConfirmation, ErasureCounts};
use waymark_protocol::review::Role;
use waymark_protocol::signed::Signed;
use waymark_protocol::{InstitutionId, Sha256, SubmissionId};

use super::MetaResult;

/// Why something was deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeletionReason {
    /// Past the awarding body's retention period.
    Retention,
    /// Its institution's data was erased.
    Erasure,
}

impl DeletionReason {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionReason::Retention => "retention",
            DeletionReason::Erasure => "erasure",
        }
    }

    /// From what [`DeletionReason::as_str`] stored.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "retention" => Some(DeletionReason::Retention),
            "erasure" => Some(DeletionReason::Erasure),
            _ => None,
        }
    }
}

/// An erased institution's tombstone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasedInstitution {
    /// Its id.
    pub id: InstitutionId,
    /// When it was erased.
    pub erased_at: DateTime<Utc>,
    /// The signed confirmation given then (answered again to a retried request).
    pub confirmation: Signed,
}

/// A token of an erased institution: only what tells its holder `institution_erased`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasedToken {
    /// The token's public id.
    pub id: String,
    /// SHA-256 of its secret.
    pub secret_sha256: [u8; 32],
    /// The erased institution.
    pub institution: InstitutionId,
}

/// A deleted submission's tombstone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedSubmission {
    /// Its id.
    pub id: SubmissionId,
    /// Its institution, while that institution exists (`None` once it was erased).
    pub institution: Option<InstitutionId>,
    /// When it was deleted.
    pub deleted_at: DateTime<Utc>,
    /// Why.
    pub reason: DeletionReason,
}

/// A deleted award's tombstone (its verification code, so the public page can say so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedAward {
    /// The verification code.
    pub verification_code: String,
    /// When it was deleted.
    pub deleted_at: DateTime<Utc>,
    /// Why.
    pub reason: DeletionReason,
}

/// Signs an erasure confirmation (the store calls it inside the erasure transaction, once the
/// counts are known).
pub type ErasureSigner = Arc<dyn Fn(&ErasureConfirmation) -> Signed + Send + Sync>;

/// An erasure to record.
#[derive(Clone)]
pub struct EraseRequest {
    /// The institution.
    pub institution: InstitutionId,
    /// Who asked (the institution itself, or the awarding body).
    pub requested_by: Role,
    /// Now.
    pub at: DateTime<Utc>,
    /// Signs the confirmation.
    pub sign: ErasureSigner,
}

/// What an erasure did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErasureOutcome {
    /// Erased now: the signed confirmation, and the prefixes queued for deletion.
    Erased {
        /// The signed [`ErasureConfirmation`].
        confirmation: Signed,
        /// What [`crate::blobs::finish_deletions`] is to delete.
        prefixes: Vec<String>,
    },
    /// Erased before: its tombstone (nothing changed).
    AlreadyErased(ErasedInstitution),
    /// No such institution, and none was erased.
    Unknown,
}

/// A submission whose retention may have ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionCandidate {
    /// The submission.
    pub id: SubmissionId,
    /// Its institution.
    pub institution: InstitutionId,
    /// When its last event happened.
    pub last_event_at: DateTime<Utc>,
    /// When its award expires (or expired), if one was made.
    pub award_expires_on: Option<NaiveDate>,
}

impl RetentionCandidate {
    /// The rule, decided here once (the stores, the listing and the deletion all ask it):
    /// retention ends `submissions_days` after the later of the submission's last event and
    /// its award's expiry, and the submission goes once that end is past, that is once both
    /// happened before `cutoff = now − submissions_days`: the last event strictly before
    /// `cutoff`, the award's expiry day strictly before `cutoff`'s day. A current award
    /// (expiring today or later) is therefore never deleted while `submissions_days` ≥ 1.
    pub fn is_past(&self, cutoff: DateTime<Utc>) -> bool {
        self.last_event_at < cutoff
            && self
                .award_expires_on
                .is_none_or(|expires| expires < cutoff.date_naive())
    }
}

/// What deleting one submission past its retention removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionDeleted {
    /// The submission as it was judged.
    pub submission: RetentionCandidate,
    /// Its envelopes (with their receipts).
    pub envelopes: u64,
    /// Its events.
    pub events: u64,
    /// Its award's verification code, if it had one.
    pub award: Option<String>,
    /// Blobs no other submission of the institution lists, deleted with it.
    pub blobs: u64,
    /// Their bytes.
    pub blob_bytes: u64,
    /// What [`crate::blobs::finish_deletions`] is to delete.
    pub prefixes: Vec<String>,
}

/// The profile an institution sent, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProfile {
    /// The profile.
    pub profile: InstitutionProfile,
    /// 1, 2, … (one more at each correction that changed something).
    pub version: u32,
    /// When this version was recorded.
    pub corrected_at: DateTime<Utc>,
}

/// What recording a profile did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileOutcome {
    /// The profile now stored.
    pub stored: StoredProfile,
    /// The fields that changed (empty: nothing was written).
    pub changed: Vec<String>,
    /// The open submissions that got a `profile_corrected` event.
    pub recorded_in: Vec<SubmissionId>,
}

/// The fields in which `new` differs from `old` (every field set in `new` when there was no
/// `old`), in the order of the wire type.
pub fn changed_fields(old: Option<&InstitutionProfile>, new: &InstitutionProfile) -> Vec<String> {
    let mut changed = Vec::new();
    let mut check = |name: &str, differs: bool| {
        if differs {
            changed.push(name.to_owned());
        }
    };
    match old {
        None => {
            check("name", true);
            check("identifier", new.identifier.is_some());
            check("phase", new.phase.is_some());
            check("contact_name", new.contact_name.is_some());
            check("email", new.email.is_some());
            check("role", new.role.is_some());
            check("working_group", !new.working_group.is_empty());
        }
        Some(old) => {
            check("name", old.name != new.name);
            check("identifier", old.identifier != new.identifier);
            check("phase", old.phase != new.phase);
            check("contact_name", old.contact_name != new.contact_name);
            check("email", old.email != new.email);
            check("role", old.role != new.role);
            check("working_group", old.working_group != new.working_group);
        }
    }
    changed
}

/// The blobs of a deleted submission's envelopes that no remaining envelope of its institution
/// lists (a re-submission, or another submission, may list the same blob: it stays).
pub fn unshared_blobs(deleted: &[Vec<BlobRef>], remaining: &[Vec<BlobRef>]) -> Vec<Sha256> {
    let kept: HashSet<Sha256> = remaining.iter().flatten().map(|b| b.sha256).collect();
    let mut seen = HashSet::new();
    deleted
        .iter()
        .flatten()
        .map(|b| b.sha256)
        .filter(|h| !kept.contains(h) && seen.insert(*h))
        .collect()
}

/// The counts of an erasure, and the confirmation to sign.
pub fn confirmation(
    request: &EraseRequest,
    deleted: ErasureCounts,
) -> waymark_protocol::erasure::ErasureConfirmation {
    ErasureConfirmation {
        format: waymark_protocol::erasure::ERASURE_FORMAT,
        institution: request.institution,
        requested_by: request.requested_by,
        erased_at: request.at,
        deleted,
    }
}

/// The data-protection operations, each one atomic operation (see the module's header for the
/// order against the blob store).
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// In one transaction: deletes every row of the institution (submissions with their
    /// envelopes, receipts, events and awards; uploads and held blobs; tokens, enrollment
    /// codes, declared links, its profile; the institution itself), writes its tombstone (id,
    /// time, the signed confirmation), keeps its tokens' ids and hashes (so they are answered
    /// `institution_erased`), keeps deleted submissions' ids and awards' codes as tombstones
    /// without the institution, and queues its blob and upload prefixes for deletion.
    /// Idempotent: an institution erased before answers [`ErasureOutcome::AlreadyErased`].
    async fn erase_institution(&self, request: EraseRequest) -> MetaResult<ErasureOutcome>;

    /// An erased institution's tombstone.
    async fn erased_institution(&self, id: InstitutionId) -> MetaResult<Option<ErasedInstitution>>;

    /// A token of an erased institution, by its public id.
    async fn erased_token(&self, id: &str) -> MetaResult<Option<ErasedToken>>;

    /// A deleted submission's tombstone.
    async fn deleted_submission(&self, id: SubmissionId) -> MetaResult<Option<DeletedSubmission>>;

    /// A deleted award's tombstone, by its verification code.
    async fn deleted_award(&self, code: &str) -> MetaResult<Option<DeletedAward>>;

    /// Every submission whose last event happened before `cutoff` (the first half of
    /// [`RetentionCandidate::is_past`], which the caller then applies), oldest first. One read:
    /// a row each, no more than an awarding body's submissions.
    async fn retention_candidates(
        &self,
        cutoff: DateTime<Utc>,
    ) -> MetaResult<Vec<RetentionCandidate>>;

    /// In one transaction: checks again that the submission is past its retention at `cutoff`
    /// ([`RetentionCandidate::is_past`], on its rows as they are now), and if so deletes it
    /// (envelopes, events, award, the blobs no other submission of its institution lists),
    /// writes its tombstone (and its award's) and queues the blobs' prefixes. `None` when it is
    /// gone or no longer past.
    async fn delete_past_retention(
        &self,
        id: SubmissionId,
        cutoff: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> MetaResult<Option<RetentionDeleted>>;

    /// Up to `limit` prefixes queued for deletion, oldest first.
    async fn pending_deletions(&self, limit: u32) -> MetaResult<Vec<String>>;

    /// Forgets a queued prefix (its objects are gone).
    async fn forget_pending_deletion(&self, prefix: &str) -> MetaResult<()>;

    /// In one transaction: stores the institution's profile (a new version when it differs
    /// from the stored one, by [`changed_fields`]) and appends a `profile_corrected` event to
    /// each of its submissions still under review. Nothing is written when nothing changed.
    /// `None` for an unknown institution.
    async fn correct_profile(
        &self,
        institution: InstitutionId,
        profile: &InstitutionProfile,
        at: DateTime<Utc>,
    ) -> MetaResult<Option<ProfileOutcome>>;

    /// The institution's current profile.
    async fn profile(&self, institution: InstitutionId) -> MetaResult<Option<StoredProfile>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn retention_ends_after_the_later_of_the_last_event_and_the_awards_expiry() {
        let candidate = |last: &str, expires: Option<&str>| RetentionCandidate {
            id: SubmissionId::new(),
            institution: InstitutionId::new(),
            last_event_at: at(last),
            award_expires_on: expires.map(|d| d.parse().unwrap()),
        };
        let cutoff = at("2030-06-01T12:00:00Z");
        assert!(candidate("2030-06-01T11:59:59Z", None).is_past(cutoff));
        assert!(!candidate("2030-06-01T12:00:00Z", None).is_past(cutoff));
        // An award expiring on the cutoff's day is not yet past; the day before is.
        assert!(!candidate("2027-01-01T00:00:00Z", Some("2030-06-01")).is_past(cutoff));
        assert!(candidate("2027-01-01T00:00:00Z", Some("2030-05-31")).is_past(cutoff));
        // A recent event keeps even an old award.
        assert!(!candidate("2030-07-01T00:00:00Z", Some("2029-01-01")).is_past(cutoff));
    }

    #[test]
    fn only_blobs_no_remaining_envelope_lists_go() {
        let blob = |n: u8| BlobRef {
            sha256: Sha256([n; 32]),
            size: 1,
        };
        let deleted = vec![vec![blob(1), blob(2)], vec![blob(2), blob(3)]];
        let remaining = vec![vec![blob(3), blob(4)]];
        assert_eq!(
            unshared_blobs(&deleted, &remaining),
            vec![Sha256([1; 32]), Sha256([2; 32])]
        );
    }
}
