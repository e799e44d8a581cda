//! The review of a submission as an explicit state machine. The rule of which step may follow
//! which is decided here, once: the endpoint applies it, and clients use it only to show which
//! steps are possible.
//!
//! ```text
//! received --assign--> under_review --request_evidence--> more_evidence_requested
//!                         |   ^                                  | resubmit
//!                         |   | send_back                        v
//!                         |   +------- recommended <--recommend-- resubmitted
//!                         +--recommend--^      | confirm
//!                                              v
//!                                     awarded | not_awarded
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{AssessorId, SubmissionId};

/// Where a submission's review stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Recorded; not yet assigned.
    Received,
    /// An assessor (and a moderator) are assigned; the review is due by a date.
    UnderReview,
    /// The assessor asked the school for more evidence.
    MoreEvidenceRequested,
    /// The school answered with a new envelope.
    Resubmitted,
    /// The assessor recommended an outcome; the moderator has not yet confirmed it.
    Recommended,
    /// The award was made (final).
    Awarded,
    /// The award was not made this time (final); feedback says why.
    NotAwarded,
}

/// The assessor's recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Make the award.
    Award,
    /// Not this time.
    NotYet,
}

/// Who may take a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The institution that applied.
    Institution,
    /// The assigned assessor.
    Assessor,
    /// The assigned moderator (a second assessor).
    Moderator,
    /// The awarding body's administrators.
    AwardingBody,
}

/// A step in the review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Assign an assessor and a moderator (or change them).
    Assign,
    /// Ask for more evidence.
    RequestEvidence,
    /// Send a new envelope in answer.
    Resubmit,
    /// Recommend an outcome.
    Recommend,
    /// Confirm the recommendation (moderation).
    Confirm,
    /// Send the recommendation back to the assessor (moderation).
    SendBack,
}

impl Step {
    /// Who takes this step.
    pub fn role(self) -> Role {
        match self {
            Step::Assign => Role::AwardingBody,
            Step::RequestEvidence | Step::Recommend => Role::Assessor,
            Step::Resubmit => Role::Institution,
            Step::Confirm | Step::SendBack => Role::Moderator,
        }
    }
}

impl ReviewState {
    /// Whether the review is over.
    pub fn is_final(self) -> bool {
        matches!(self, ReviewState::Awarded | ReviewState::NotAwarded)
    }

    /// The state after `step`, or `None` when the step is not allowed now. `recommended` is
    /// the outcome the assessor recommended (needed to confirm).
    pub fn after(self, step: Step, recommended: Option<Outcome>) -> Option<ReviewState> {
        use ReviewState::*;
        match (self, step) {
            (Received, Step::Assign) => Some(UnderReview),
            // Reassigning keeps the state (a new assessor picks up where it stands).
            (UnderReview | MoreEvidenceRequested | Resubmitted | Recommended, Step::Assign) => {
                Some(self)
            }
            (UnderReview | Resubmitted, Step::RequestEvidence) => Some(MoreEvidenceRequested),
            (MoreEvidenceRequested, Step::Resubmit) => Some(Resubmitted),
            (UnderReview | Resubmitted, Step::Recommend) => Some(Recommended),
            (Recommended, Step::Confirm) => match recommended? {
                Outcome::Award => Some(Awarded),
                Outcome::NotYet => Some(NotAwarded),
            },
            (Recommended, Step::SendBack) => Some(UnderReview),
            _ => None,
        }
    }

    /// The steps possible now.
    pub fn steps(self) -> Vec<Step> {
        [
            Step::Assign,
            Step::RequestEvidence,
            Step::Resubmit,
            Step::Recommend,
            Step::Confirm,
            Step::SendBack,
        ]
        .into_iter()
        .filter(|s| self.after(*s, Some(Outcome::Award)).is_some())
        .collect()
    }

    /// The state's name as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Received => "received",
            ReviewState::UnderReview => "under_review",
            ReviewState::MoreEvidenceRequested => "more_evidence_requested",
            ReviewState::Resubmitted => "resubmitted",
            ReviewState::Recommended => "recommended",
            ReviewState::Awarded => "awarded",
            ReviewState::NotAwarded => "not_awarded",
        }
    }
}

/// What the assessor wants to see more of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvidenceRequest {
    /// The overall message to the school.
    pub message: String,
    /// Per benchmark, what is missing.
    pub benchmarks: Vec<BenchmarkRequest>,
}

/// One benchmark's part of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BenchmarkRequest {
    /// The benchmark's id.
    pub benchmark: String,
    /// What is missing for it.
    pub message: String,
}

/// Feedback, given whether or not the award is made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Feedback {
    /// Strengths.
    pub strengths: String,
    /// Areas for development.
    pub areas_for_development: String,
    /// For frameworks without levels: areas of enhanced or exceptional practice.
    pub enhanced_practice: Option<String>,
}

/// An award made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AwardRecord {
    /// The public verification code (for the school's website and the certificate).
    pub verification_code: String,
    /// The submission that earned it.
    pub submission: SubmissionId,
    /// The award id in the framework.
    pub award: String,
    /// The award's title (e.g. "Computing Quality Mark").
    pub title: String,
    /// The day it was made.
    pub awarded_on: NaiveDate,
    /// The day it expires (award date + the award's validity years).
    pub expires_on: NaiveDate,
}

/// Who took a step, as the school sees it (assessors are not named to schools).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Actor {
    /// The role.
    pub role: Role,
    /// The assessor's id, shown only to the awarding body and assessors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessor: Option<AssessorId>,
}

/// One change to a submission, kept forever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    /// The endpoint's order of events: strictly increasing. Ask for `since` the last you saw.
    pub sequence: u64,
    /// The submission.
    pub submission: SubmissionId,
    /// When (the endpoint's clock).
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// The state after this event.
    pub state: ReviewState,
    /// What happened.
    pub kind: EventKind,
}

/// What happened in an [`Event`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// An envelope was received (version 1, or a re-submission).
    Received {
        /// Which envelope of the submission.
        version: u32,
        /// Its hash (as in the receipt).
        envelope_sha256: crate::Sha256,
    },
    /// Assessor and moderator assigned; the review is due.
    Assigned {
        /// The day the review is due.
        review_due: NaiveDate,
    },
    /// More evidence was asked for.
    EvidenceRequested {
        /// What is missing.
        request: EvidenceRequest,
    },
    /// The assessor recommended an outcome (the outcome is shown once moderated).
    Recommended,
    /// The moderator sent the recommendation back.
    SentBack {
        /// Why.
        reason: String,
    },
    /// The award was made.
    Awarded {
        /// The award.
        award: AwardRecord,
        /// Feedback.
        feedback: Feedback,
    },
    /// The award was not made.
    NotAwarded {
        /// Feedback.
        feedback: Feedback,
    },
    /// The institution corrected its profile (details or working group); the state is
    /// unchanged. Only the names of the fields are kept here: the current profile is read from
    /// the endpoint, so a corrected value is not kept in the event stream.
    ProfileCorrected {
        /// The profile's version after the correction.
        version: u32,
        /// The fields that changed (`name`, `email`, `working_group`, …).
        fields: Vec<String>,
    },
}

/// When the review is due: the received time plus the award's review window.
pub fn review_due(received_at: DateTime<Utc>, review_window_days: u32) -> NaiveDate {
    (received_at + chrono::Duration::days(i64::from(review_window_days))).date_naive()
}

/// When an award made on `awarded_on` expires: the same day `validity_years` later (28 February
/// for an award made on 29 February).
pub fn expires_on(awarded_on: NaiveDate, validity_years: u32) -> NaiveDate {
    awarded_on
        .checked_add_months(chrono::Months::new(validity_years * 12))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_its_refusals() {
        use ReviewState::*;
        let s = Received.after(Step::Assign, None).unwrap();
        assert_eq!(s, UnderReview);
        let s = s.after(Step::RequestEvidence, None).unwrap();
        assert_eq!(s, MoreEvidenceRequested);
        assert_eq!(s.after(Step::Recommend, None), None, "answer first");
        let s = s.after(Step::Resubmit, None).unwrap();
        let s = s.after(Step::Recommend, None).unwrap();
        assert_eq!(s, Recommended);
        assert_eq!(
            s.after(Step::Confirm, None),
            None,
            "confirm needs the outcome"
        );
        assert_eq!(s.after(Step::SendBack, None), Some(UnderReview));
        assert_eq!(s.after(Step::Confirm, Some(Outcome::Award)), Some(Awarded));
        assert_eq!(
            s.after(Step::Confirm, Some(Outcome::NotYet)),
            Some(NotAwarded)
        );
        for end in [Awarded, NotAwarded] {
            assert!(end.is_final());
            assert!(end.steps().is_empty(), "{end:?} is final");
        }
        assert_eq!(Received.after(Step::Resubmit, None), None);
        assert_eq!(UnderReview.after(Step::Confirm, Some(Outcome::Award)), None);
    }

    #[test]
    fn dates_follow_the_awards_rules() {
        let received = "2026-03-02T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(review_due(received, 28).to_string(), "2026-03-30");
        let leap = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(expires_on(leap, 3).to_string(), "2031-02-28");
    }
}
