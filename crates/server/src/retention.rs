//! Retention: the awarding body keeps submissions for `[retention] submissions_days` (0, the
//! default: for ever) and the endpoint deletes them after it.
//!
//! **The rule** ([`RetentionCandidate::is_past`], decided once): with `cutoff = now −
//! submissions_days`, a submission is deleted once its last event (of any kind: received,
//! assigned, decided, a profile correction…) happened before `cutoff` **and**, if an award was
//! made, the award's expiry day is before `cutoff`'s day. So it is kept for `submissions_days`
//! after the later of the two, and a current award is never deleted. Everything goes with it:
//! envelopes and their receipts, events, the award, and the blobs no other submission of its
//! institution lists (a blob a later submission re-uses stays). A tombstone keeps its id, its
//! institution, when and `retention`; its award's code is kept likewise. Later requests for it
//! are answered `410 submission_deleted` (`award_deleted` for the code).
//!
//! It runs hourly in housekeeping and at once with `waymark-server retention run` (`--dry-run`
//! lists what would go). Every date is the server's [`crate::clock::Clock`]'s.

use chrono::{DateTime, Utc};
use waymark_protocol::ApiErrorCode;

use crate::meta::privacy::{
    DeletedAward, DeletedSubmission, DeletionReason, RetentionCandidate, RetentionDeleted,
};
use crate::{AppState, Failure};

/// What a run found or did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// `now − submissions_days`; `None` when retention is off (0 days).
    pub cutoff: Option<DateTime<Utc>>,
    /// Past their retention (a dry run lists these and deletes nothing).
    pub due: Vec<RetentionCandidate>,
    /// Deleted now (empty on a dry run).
    pub deleted: Vec<RetentionDeleted>,
}

/// `now − days`, or `None` when `days` is 0 (keep for ever) or the date would not exist.
pub fn cutoff(now: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    if days == 0 {
        return None;
    }
    now.checked_sub_signed(chrono::TimeDelta::try_days(i64::from(days))?)
}

/// Finds the submissions past their retention and, unless `dry_run`, deletes them (each in its
/// own transaction that checks the rule again) and then their blobs' objects.
pub async fn run(state: &AppState, dry_run: bool) -> Result<RetentionReport, Failure> {
    let now = state.clock.now();
    let Some(cutoff) = cutoff(now, state.config.retention.submissions_days) else {
        return Ok(RetentionReport::default());
    };
    let due: Vec<RetentionCandidate> = state
        .meta
        .retention_candidates(cutoff)
        .await?
        .into_iter()
        .filter(|c| c.is_past(cutoff))
        .collect();
    let mut report = RetentionReport {
        cutoff: Some(cutoff),
        due,
        deleted: Vec::new(),
    };
    if dry_run {
        return Ok(report);
    }
    for candidate in &report.due {
        if let Some(deleted) = state
            .meta
            .delete_past_retention(candidate.id, cutoff, now)
            .await?
        {
            tracing::info!(
                submission = %deleted.submission.id,
                institution = %deleted.submission.institution,
                blobs = deleted.blobs,
                "submission deleted at the end of its retention"
            );
            report.deleted.push(deleted);
        }
    }
    crate::blobs::finish_deletions(state).await?;
    Ok(report)
}

fn reason_text(reason: DeletionReason) -> &'static str {
    match reason {
        DeletionReason::Retention => "at the end of the awarding body's retention period",
        DeletionReason::Erasure => "when its institution's data was erased",
    }
}

/// `submission_deleted` (410) for a deleted submission.
pub fn submission_gone(deleted: &DeletedSubmission) -> Failure {
    Failure::new(
        ApiErrorCode::SubmissionDeleted,
        format!(
            "submission {} was deleted on {} {}; nothing of it is kept",
            deleted.id,
            deleted.deleted_at.format("%Y-%m-%d"),
            reason_text(deleted.reason)
        ),
    )
}

/// `award_deleted` (410) for a deleted award.
pub fn award_gone(deleted: &DeletedAward) -> Failure {
    Failure::new(ApiErrorCode::AwardDeleted, award_gone_text(deleted))
}

/// What the public is told of a deleted award (the JSON message and the page's text).
pub fn award_gone_text(deleted: &DeletedAward) -> String {
    format!(
        "this award's record was deleted on {} {}, so it can no longer be verified here",
        deleted.deleted_at.format("%-d %B %Y"),
        match deleted.reason {
            DeletionReason::Retention => "after it expired and its retention period ended",
            DeletionReason::Erasure => "at the request of the institution it was awarded to",
        }
    )
}

/// Why a submission that does not exist (any more) is not there: `submission_deleted` when a
/// tombstone says so and `visible` accepts it, `not_found` otherwise.
pub async fn missing_submission(
    state: &AppState,
    id: waymark_protocol::SubmissionId,
    visible: impl FnOnce(&DeletedSubmission) -> bool,
) -> Failure {
    match state.meta.deleted_submission(id).await {
        Ok(Some(deleted)) if visible(&deleted) => submission_gone(&deleted),
        Ok(_) => Failure::not_found("submission"),
        Err(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_cutoff_when_retention_is_off_or_out_of_range() {
        let now: DateTime<Utc> = "2030-01-10T00:00:00Z".parse().unwrap();
        assert_eq!(cutoff(now, 0), None);
        assert_eq!(
            cutoff(now, 9),
            Some("2030-01-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(cutoff(DateTime::<Utc>::MIN_UTC, 1), None);
    }
}
