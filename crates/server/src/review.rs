//! The review workflow: assigning an assessor and a moderator, requests for more evidence,
//! recommendations, moderation, declared links, and the views assessors, the administrator and
//! the public read.
//!
//! Every step is decided by [`ReviewState::after`] (the one rule, in the protocol crate) and
//! applied with [`SubmissionStore::transition`](crate::meta::SubmissionStore::transition), a
//! compare-and-set on the state: when another request moved the submission first, the step is
//! refused with `transition_not_allowed` naming the state it is in now, and nothing is written.
//!
//! Who may take a step is checked before the state: an assessor who is neither the assessor nor
//! the moderator of a submission is told it does not exist (`not_found`), the moderator trying
//! the assessor's steps (and the other way round) is refused with `forbidden`. A submission not
//! yet assigned to anyone has no assessor to check, so its steps answer with its state.

use std::collections::HashMap;

use chrono::NaiveDate;
use waymark_protocol::api::{
    AssessorInfo, AssessorSubmission, AssignRequest, Assignment, AssignmentList,
    BenchmarkJudgement, ExpiringAward, ExpiringAwards, InstitutionInfo, LinkDeclaration,
    Moderation, PublicAward, Recommendation, SubmissionList, SubmissionSummary,
};
use waymark_protocol::envelope::BlobRef;
use waymark_protocol::review::{
    Actor, AwardRecord, EventKind, EvidenceRequest, Feedback, ReviewState, Role, Step, expires_on,
    review_due,
};
use waymark_protocol::{ApiErrorCode, AssessorId, InstitutionId, Sha256, SubmissionId};

use crate::frameworks::{has_benchmark, mark_rules};
use crate::meta::submissions::{ReviewChanges, StoredAward, SubmissionRecord, Transition};
use crate::{AppState, Failure};

/// Longest message, reason or feedback text accepted (characters).
pub const MAX_TEXT: usize = 20_000;
/// The most benchmarks one recommendation may judge.
pub const MAX_JUDGEMENTS: usize = 2_000;
/// Longest reason for a declared link (characters).
pub const MAX_LINK_REASON: usize = 300;
/// Most benchmarks one request for more evidence may name.
pub const MAX_REQUESTED_BENCHMARKS: usize = 1_000;
/// Most days ahead `awards/expiring` looks.
pub const MAX_WITHIN_DAYS: u32 = 3_660;
/// Days ahead `awards/expiring` looks when not told.
pub const DEFAULT_WITHIN_DAYS: u32 = 90;

/// Random characters in a verification code (5 bits each: 100 bits).
const CODE_CHARS: usize = 20;
/// Characters per group of a verification code as printed (`xxxxx-xxxxx-xxxxx-xxxxx`).
const CODE_GROUP: usize = 5;
/// The longest text looked at as a possible verification code.
const MAX_CODE_INPUT: usize = 64;

// ---------------------------------------------------------------------------------------------
// Checks shared by the steps
// ---------------------------------------------------------------------------------------------

fn not_allowed(current: ReviewState, what: &str) -> Failure {
    Failure::new(
        ApiErrorCode::TransitionNotAllowed,
        format!(
            "the submission is {}; {what} is not possible now",
            current.as_str()
        ),
    )
}

/// Trims `value` and checks it is 1 to `max` characters.
fn required_text(what: &str, value: &str, max: usize) -> Result<String, Failure> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Failure::bad_request(format!("{what} must not be empty")));
    }
    optional_text(what, value, max)
}

/// Trims `value` and checks it is at most `max` characters (may be empty).
fn optional_text(what: &str, value: &str, max: usize) -> Result<String, Failure> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Failure::bad_request(format!(
            "{what} is longer than {max} characters"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Failure::bad_request(format!(
            "{what} contains control characters"
        )));
    }
    Ok(value.to_owned())
}

/// A submission for an assessor or the administrator: `not_found` when there is none, or
/// `submission_deleted` when one was deleted (retention or erasure). The tombstone keeps no
/// assignment, so any assessor is told it was deleted: a random id reveals nothing else.
async fn load(state: &AppState, id: SubmissionId) -> Result<SubmissionRecord, Failure> {
    match state.meta.submission(id).await? {
        Some(record) => Ok(record),
        None => Err(crate::retention::missing_submission(state, id, |_| true).await),
    }
}

/// Loads a submission for one of its assessors (`role` is the role the step needs): 404 when
/// the caller is neither its assessor nor its moderator (also before anyone is assigned, so an
/// assessor learns nothing of submissions not theirs), 403 when they hold the other role,
/// 409 `not_impartial` when they have since declared a link to the institution.
async fn load_for(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
    role: Role,
    what: &str,
) -> Result<SubmissionRecord, Failure> {
    let record = load(state, id).await?;
    let is_assessor = record.assessor == Some(caller);
    let is_moderator = record.moderator == Some(caller);
    let holds = match role {
        Role::Assessor => is_assessor,
        Role::Moderator => is_moderator,
        Role::Institution | Role::AwardingBody => false,
    };
    if !holds {
        if is_assessor || is_moderator {
            let (mine, needed) = if is_assessor {
                ("assess", "its moderator")
            } else {
                ("moderate", "its assessor")
            };
            return Err(Failure::forbidden(format!(
                "you {mine} this submission; only {needed} may take this step ({what})"
            )));
        }
        return Err(Failure::not_found("submission"));
    }
    refuse_if_linked(state, caller, record.institution).await?;
    Ok(record)
}

/// Refuses with `not_impartial` (and the declared reason) when the assessor declared a link.
async fn refuse_if_linked(
    state: &AppState,
    assessor: AssessorId,
    institution: InstitutionId,
) -> Result<(), Failure> {
    let reasons = state.meta.links(assessor, institution).await?;
    if reasons.is_empty() {
        return Ok(());
    }
    Err(Failure::new(
        ApiErrorCode::NotImpartial,
        format!(
            "assessor {assessor} has declared a link to this institution ({}), so cannot review it",
            reasons.join("; ")
        ),
    ))
}

/// Records the step, or refuses with the state it is in now when another request was first.
async fn apply(
    state: &AppState,
    record: &SubmissionRecord,
    to: ReviewState,
    actor: Actor,
    kind: EventKind,
    changes: ReviewChanges,
    what: &str,
) -> Result<SubmissionRecord, Failure> {
    let step = Transition {
        submission: record.id,
        from: record.state,
        to,
        at: state.clock.now(),
        actor,
        kind,
        changes,
    };
    match state.meta.transition(step).await? {
        Ok(after) => Ok(after),
        Err(current) => Err(not_allowed(current, what)),
    }
}

fn next(record: &SubmissionRecord, step: Step, what: &str) -> Result<ReviewState, Failure> {
    let outcome = record.recommendation.as_ref().map(|r| r.outcome);
    record
        .state
        .after(step, outcome)
        .ok_or_else(|| not_allowed(record.state, what))
}

fn assessor_actor(role: Role, id: AssessorId) -> Actor {
    Actor {
        role,
        assessor: Some(id),
    }
}

// ---------------------------------------------------------------------------------------------
// The steps
// ---------------------------------------------------------------------------------------------

async fn enrolled_assessor(
    state: &AppState,
    id: AssessorId,
    role: &str,
) -> Result<AssessorInfo, Failure> {
    let info =
        state.meta.assessor(id).await?.ok_or_else(|| {
            Failure::bad_request(format!("no assessor {id} is registered ({role})"))
        })?;
    if info.age_recipient.is_none() {
        return Err(Failure::bad_request(format!(
            "{} ({role}) has not enrolled yet, so could not decrypt the submission; give them their enrollment code first",
            info.name
        )));
    }
    Ok(info)
}

/// Assigns an assessor and a moderator (administrator). The first assignment sets the review's
/// due date from the award's review window and moves `received` → `under_review`; a later one
/// changes the people and keeps the state and the due date.
pub async fn assign(
    state: &AppState,
    id: SubmissionId,
    request: AssignRequest,
) -> Result<SubmissionRecord, Failure> {
    const WHAT: &str = "assigning";
    if request.assessor == request.moderator {
        return Err(Failure::new(
            ApiErrorCode::NotImpartial,
            "the moderator must be a second assessor, not the assessor",
        ));
    }
    let record = load(state, id).await?;
    let to = next(&record, Step::Assign, WHAT)?;
    enrolled_assessor(state, request.assessor, "the assessor").await?;
    enrolled_assessor(state, request.moderator, "the moderator").await?;
    refuse_if_linked(state, request.assessor, record.institution).await?;
    refuse_if_linked(state, request.moderator, record.institution).await?;
    // Whoever took the assessor's steps on this submission (a recommendation may still stand)
    // cannot become its moderator.
    let assessed = state
        .meta
        .events(id, 0)
        .await?
        .into_iter()
        .any(|e| e.actor.role == Role::Assessor && e.actor.assessor == Some(request.moderator));
    if assessed {
        return Err(Failure::new(
            ApiErrorCode::NotImpartial,
            format!(
                "assessor {} has assessed this submission, so cannot moderate it",
                request.moderator
            ),
        ));
    }
    let (due, new_due) = match record.review_due {
        Some(due) => (due, None),
        None => {
            let rules = mark_rules(&state.frameworks, &record.framework, &record.award)?;
            let due = review_due(record.received_at, rules.review_window_days);
            (due, Some(due))
        }
    };
    let changes = ReviewChanges {
        assessor: Some(request.assessor),
        moderator: Some(request.moderator),
        review_due: new_due,
        ..ReviewChanges::default()
    };
    apply(
        state,
        &record,
        to,
        Actor {
            role: Role::AwardingBody,
            assessor: None,
        },
        EventKind::Assigned { review_due: due },
        changes,
        WHAT,
    )
    .await
}

/// Asks the school for more evidence (the assigned assessor only):
/// `under_review` | `resubmitted` → `more_evidence_requested`.
pub async fn request_evidence(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
    request: EvidenceRequest,
) -> Result<SubmissionRecord, Failure> {
    const WHAT: &str = "asking for more evidence";
    let record = load_for(state, caller, id, Role::Assessor, WHAT).await?;
    let to = next(&record, Step::RequestEvidence, WHAT)?;
    let message = required_text("the message", &request.message, MAX_TEXT)?;
    if request.benchmarks.len() > MAX_REQUESTED_BENCHMARKS {
        return Err(Failure::bad_request(format!(
            "a request may name at most {MAX_REQUESTED_BENCHMARKS} benchmarks"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut benchmarks = Vec::with_capacity(request.benchmarks.len());
    for mut item in request.benchmarks {
        let benchmark = item.benchmark.trim().to_owned();
        if !has_benchmark(&state.frameworks, &record.framework, &benchmark) {
            return Err(Failure::bad_request(format!(
                "framework {} {} has no benchmark `{}`",
                record.framework.id,
                record.framework.version,
                item.benchmark.chars().take(80).collect::<String>()
            )));
        }
        if !seen.insert(benchmark.clone()) {
            return Err(Failure::bad_request(format!(
                "benchmark `{benchmark}` is named twice; write one message for it"
            )));
        }
        item.message = required_text(
            &format!("the message for benchmark {benchmark}"),
            &item.message,
            MAX_TEXT,
        )?;
        item.benchmark = benchmark;
        benchmarks.push(item);
    }
    let request = EvidenceRequest {
        message,
        benchmarks,
    };
    apply(
        state,
        &record,
        to,
        assessor_actor(Role::Assessor, caller),
        EventKind::EvidenceRequested {
            request: request.clone(),
        },
        ReviewChanges {
            request: Some(Some(request)),
            ..ReviewChanges::default()
        },
        WHAT,
    )
    .await
}

/// Checks feedback: strengths and areas for development are required; areas of enhanced or
/// exceptional practice belong to frameworks without levels.
fn check_feedback(
    state: &AppState,
    record: &SubmissionRecord,
    feedback: Feedback,
) -> Result<Feedback, Failure> {
    let strengths = required_text("the strengths", &feedback.strengths, MAX_TEXT)?;
    let areas = required_text(
        "the areas for development",
        &feedback.areas_for_development,
        MAX_TEXT,
    )?;
    let enhanced = match feedback.enhanced_practice {
        Some(text) => {
            let text = optional_text("the areas of enhanced practice", &text, MAX_TEXT)?;
            (!text.is_empty()).then_some(text)
        }
        None => None,
    };
    let has_levels = state
        .frameworks
        .get(&record.framework.id, &record.framework.version)
        .is_some_and(|fw| fw.scale().is_some());
    if enhanced.is_some() && has_levels {
        return Err(Failure::bad_request(format!(
            "framework {} has levels; areas of enhanced practice are given only for frameworks without levels (write them as strengths)",
            record.framework.id
        )));
    }
    Ok(Feedback {
        strengths,
        areas_for_development: areas,
        enhanced_practice: enhanced,
    })
}

/// Checks the assessor's per-benchmark judgements: each names a benchmark of the submission's
/// framework once, a level (only when not agreeing) is on its scale, notes are bounded.
fn check_judgements(
    state: &AppState,
    record: &SubmissionRecord,
    judgements: Vec<BenchmarkJudgement>,
) -> Result<Vec<BenchmarkJudgement>, Failure> {
    let framework = state
        .frameworks
        .get(&record.framework.id, &record.framework.version);
    if judgements.len() > MAX_JUDGEMENTS {
        return Err(Failure::bad_request(format!(
            "a recommendation may judge at most {MAX_JUDGEMENTS} benchmarks"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut checked = Vec::with_capacity(judgements.len());
    for mut j in judgements {
        let benchmark = j.benchmark.trim().to_owned();
        if !has_benchmark(&state.frameworks, &record.framework, &benchmark) {
            return Err(Failure::bad_request(format!(
                "framework {} {} has no benchmark `{}` to judge",
                record.framework.id,
                record.framework.version,
                j.benchmark.chars().take(80).collect::<String>()
            )));
        }
        if !seen.insert(benchmark.clone()) {
            return Err(Failure::bad_request(format!(
                "benchmark `{benchmark}` is judged twice; send one judgement for it"
            )));
        }
        if let Some(level) = j.level {
            if j.agreed {
                return Err(Failure::bad_request(format!(
                    "the judgement of benchmark {benchmark} agrees with the school and also gives a level: give a level only when judging differently"
                )));
            }
            let on_scale = framework
                .and_then(|fw| fw.scale())
                .is_some_and(|scale| scale.levels.iter().any(|l| u32::from(l.value) == level));
            if !on_scale {
                return Err(Failure::bad_request(format!(
                    "level {level} in the judgement of benchmark {benchmark} is not on framework {}'s scale",
                    record.framework.id
                )));
            }
        }
        j.note = optional_text(
            &format!("the note on benchmark {benchmark}"),
            &j.note,
            MAX_TEXT,
        )?;
        j.benchmark = benchmark;
        checked.push(j);
    }
    Ok(checked)
}

/// Recommends an outcome with the feedback (the assigned assessor only):
/// `under_review` | `resubmitted` → `recommended`. The moderator confirms or sends it back.
pub async fn recommend(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
    recommendation: Recommendation,
) -> Result<SubmissionRecord, Failure> {
    const WHAT: &str = "recommending";
    let record = load_for(state, caller, id, Role::Assessor, WHAT).await?;
    let to = next(&record, Step::Recommend, WHAT)?;
    let feedback = check_feedback(state, &record, recommendation.feedback)?;
    let notes = optional_text("the notes", &recommendation.notes, MAX_TEXT)?;
    let judgements = check_judgements(state, &record, recommendation.judgements)?;
    let recommendation = Recommendation {
        outcome: recommendation.outcome,
        feedback,
        notes,
        judgements,
    };
    apply(
        state,
        &record,
        to,
        assessor_actor(Role::Assessor, caller),
        EventKind::Recommended,
        ReviewChanges {
            recommendation: Some(Some(recommendation)),
            ..ReviewChanges::default()
        },
        WHAT,
    )
    .await
}

/// A new public verification code: 100 random bits, printed `xxxxx-xxxxx-xxxxx-xxxxx`.
pub fn new_verification_code() -> String {
    let secret = waymark_protocol::enrollment::random_secret();
    let chars: Vec<char> = secret.chars().take(CODE_CHARS).collect();
    chars
        .chunks(CODE_GROUP)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Reads a verification code as typed (any case, with or without the dashes) into its printed
/// form, or `None` when it cannot be one. Checked before any look-up.
pub fn parse_verification_code(text: &str) -> Option<String> {
    if text.len() > MAX_CODE_INPUT {
        return None;
    }
    let chars: Vec<char> = text
        .trim()
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let in_alphabet =
        |c: &char| (c.is_ascii_lowercase() && *c != 'l' && *c != 'o') || ('2'..='9').contains(c);
    if chars.len() != CODE_CHARS || !chars.iter().all(in_alphabet) {
        return None;
    }
    Some(
        chars
            .chunks(CODE_GROUP)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// Moderates a recommendation (the assigned moderator only, never the assessor). `Confirm`
/// makes the recommended decision final: `awarded` (with an award record and its verification
/// code) or `not_awarded`, the feedback given either way. `SendBack` returns the review to the
/// assessor (`under_review`) and clears the recommendation.
pub async fn moderate(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
    moderation: Moderation,
) -> Result<SubmissionRecord, Failure> {
    const WHAT: &str = "moderating";
    let record = load_for(state, caller, id, Role::Moderator, WHAT).await?;
    // The store never lets the two be one person, but a moderator who is also the assessor
    // would be marking their own work: refuse whatever the record says.
    if record.assessor == Some(caller) {
        return Err(Failure::forbidden(
            "you assess this submission; its moderator must be someone else",
        ));
    }
    let actor = assessor_actor(Role::Moderator, caller);
    match moderation {
        Moderation::SendBack { reason } => {
            let to = next(&record, Step::SendBack, WHAT)?;
            let reason = required_text("the reason", &reason, MAX_TEXT)?;
            apply(
                state,
                &record,
                to,
                actor,
                EventKind::SentBack { reason },
                ReviewChanges {
                    recommendation: Some(None),
                    ..ReviewChanges::default()
                },
                WHAT,
            )
            .await
        }
        Moderation::Confirm => {
            let to = next(&record, Step::Confirm, WHAT)?;
            let recommendation = record
                .recommendation
                .clone()
                .ok_or_else(|| not_allowed(record.state, WHAT))?;
            let feedback = recommendation.feedback;
            let (kind, changes) = match to {
                ReviewState::Awarded => {
                    let rules = mark_rules(&state.frameworks, &record.framework, &record.award)?;
                    let awarded_on = state.clock.now().date_naive();
                    let award = AwardRecord {
                        verification_code: new_verification_code(),
                        submission: record.id,
                        award: record.award.clone(),
                        title: rules.title,
                        awarded_on,
                        expires_on: expires_on(awarded_on, rules.validity_years),
                    };
                    (
                        EventKind::Awarded {
                            award: award.clone(),
                            feedback: feedback.clone(),
                        },
                        ReviewChanges {
                            feedback: Some(feedback),
                            award: Some(award),
                            ..ReviewChanges::default()
                        },
                    )
                }
                _ => (
                    EventKind::NotAwarded {
                        feedback: feedback.clone(),
                    },
                    ReviewChanges {
                        feedback: Some(feedback),
                        ..ReviewChanges::default()
                    },
                ),
            };
            apply(state, &record, to, actor, kind, changes, WHAT).await
        }
    }
}

/// Records an assessor's declared link to an institution: they are never assigned to it, and
/// cannot take a step on a submission of it they were assigned before declaring.
pub async fn declare_link(
    state: &AppState,
    caller: AssessorId,
    link: LinkDeclaration,
) -> Result<(), Failure> {
    let reason = required_text("the reason", &link.reason, MAX_LINK_REASON)?;
    state
        .meta
        .institution(link.institution)
        .await?
        .ok_or_else(|| Failure::not_found("institution"))?;
    state
        .meta
        .add_link(caller, link.institution, &reason, state.clock.now())
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/// A submission as listed, its institution's name looked up.
pub async fn summary_of(
    state: &AppState,
    record: &SubmissionRecord,
) -> Result<SubmissionSummary, Failure> {
    let institution = Institutions::default()
        .get(state, record.institution)
        .await?;
    Ok(record.summary(institution.name))
}

/// Institutions looked up once per request.
#[derive(Default)]
struct Institutions(HashMap<InstitutionId, InstitutionInfo>);

impl Institutions {
    async fn get(
        &mut self,
        state: &AppState,
        id: InstitutionId,
    ) -> Result<InstitutionInfo, Failure> {
        if let Some(found) = self.0.get(&id) {
            return Ok(found.clone());
        }
        let info =
            state.meta.institution(id).await?.ok_or_else(|| {
                Failure::internal(format!("institution {id} of a record is missing"))
            })?;
        self.0.insert(id, info.clone());
        Ok(info)
    }
}

fn assignment_of(
    record: &SubmissionRecord,
    caller: AssessorId,
    institution_name: String,
) -> Assignment {
    let (role, other) = if record.assessor == Some(caller) {
        (Role::Assessor, record.moderator)
    } else {
        (Role::Moderator, record.assessor)
    };
    Assignment {
        summary: record.summary(institution_name),
        role,
        other,
    }
}

/// An assessor's assignments (as assessor or moderator): unfinished ones due soonest first,
/// finished ones after, most recently changed first.
pub async fn assignments(state: &AppState, caller: AssessorId) -> Result<AssignmentList, Failure> {
    let mut records = state.meta.assignments(caller).await?;
    records.retain(|r| r.assessor == Some(caller) || r.moderator == Some(caller));
    records.sort_by(|a, b| {
        let key =
            |r: &SubmissionRecord| (r.state.is_final(), r.review_due.unwrap_or(NaiveDate::MAX));
        match (a.state.is_final(), b.state.is_final()) {
            (true, true) => b.updated_at.cmp(&a.updated_at),
            _ => key(a).cmp(&key(b)).then(a.received_at.cmp(&b.received_at)),
        }
    });
    let mut names = Institutions::default();
    let mut assignments = Vec::with_capacity(records.len());
    for record in &records {
        let name = names.get(state, record.institution).await?.name;
        assignments.push(assignment_of(record, caller, name));
    }
    Ok(AssignmentList { assignments })
}

/// Loads a submission for any of its assessors (either role); 404 for everyone else.
async fn load_assigned(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
) -> Result<SubmissionRecord, Failure> {
    let record = load(state, id).await?;
    if record.assessor == Some(caller) || record.moderator == Some(caller) {
        Ok(record)
    } else {
        Err(Failure::not_found("submission"))
    }
}

/// What an assigned assessor or moderator needs to fetch, verify and decrypt a submission
/// (404 for anyone else).
pub async fn assessor_submission(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
) -> Result<AssessorSubmission, Failure> {
    let record = load_assigned(state, caller, id).await?;
    let institution = Institutions::default()
        .get(state, record.institution)
        .await?;
    let institution_key = institution.public_key.ok_or_else(|| {
        Failure::internal(format!(
            "institution {} has a submission but no key",
            record.institution
        ))
    })?;
    let envelopes = state
        .meta
        .envelopes(id)
        .await?
        .into_iter()
        .map(|e| e.signed)
        .collect();
    let events = state.meta.events(id, 0).await?;
    Ok(AssessorSubmission {
        assignment: assignment_of(&record, caller, institution.name.clone()),
        institution_key,
        institution,
        envelopes,
        recommendation: record.recommendation.clone(),
        events,
    })
}

/// The institution of submission `id`, if the caller is assigned to it (404 otherwise).
pub async fn assigned_institution(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
) -> Result<InstitutionId, Failure> {
    Ok(load_assigned(state, caller, id).await?.institution)
}

/// The blob `sha256` of submission `id`, if the caller is assigned to it and one of its
/// envelopes lists the blob (404 otherwise): whose blob it is and its size.
pub async fn assigned_blob(
    state: &AppState,
    caller: AssessorId,
    id: SubmissionId,
    sha256: Sha256,
) -> Result<(InstitutionId, BlobRef), Failure> {
    let record = load_assigned(state, caller, id).await?;
    state
        .meta
        .envelopes(id)
        .await?
        .into_iter()
        .flat_map(|e| e.blobs)
        .find(|b| b.sha256 == sha256)
        .map(|b| (record.institution, b))
        .ok_or_else(|| Failure::not_found("blob"))
}

/// Every submission, newest first, optionally only those in `only`.
pub async fn submissions(
    state: &AppState,
    only: Option<ReviewState>,
) -> Result<SubmissionList, Failure> {
    let records = state.meta.all_submissions(only).await?;
    let mut names = Institutions::default();
    let mut submissions = Vec::with_capacity(records.len());
    for record in &records {
        let name = names.get(state, record.institution).await?.name;
        submissions.push(record.summary(name));
    }
    Ok(SubmissionList { submissions })
}

/// Awards expiring from today to `within_days` from today, soonest first.
pub async fn expiring(state: &AppState, within_days: u32) -> Result<ExpiringAwards, Failure> {
    if within_days > MAX_WITHIN_DAYS {
        return Err(Failure::bad_request(format!(
            "within_days must be at most {MAX_WITHIN_DAYS}"
        )));
    }
    let today = state.clock.now().date_naive();
    let until = today + chrono::Duration::days(i64::from(within_days));
    let mut names = Institutions::default();
    let mut awards = Vec::new();
    for StoredAward {
        record,
        institution,
        ..
    } in state.meta.awards_expiring(today, until).await?
    {
        awards.push(ExpiringAward {
            institution: names.get(state, institution).await?,
            award: record,
        });
    }
    Ok(ExpiringAwards { awards })
}

/// Why a public award could not be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoAward {
    /// The text cannot be a verification code.
    Malformed,
    /// No award has this code.
    Unknown,
    /// The award's record was deleted (erasure, or retention after it expired).
    Deleted(crate::meta::privacy::DeletedAward),
}

impl NoAward {
    /// As an API refusal.
    pub fn failure(&self) -> Failure {
        match self {
            NoAward::Malformed => Failure::bad_request(
                "that is not a verification code: it is 20 letters and digits, written like abcde-fghij-kmnpq-rstuv",
            ),
            NoAward::Unknown => Failure::new(
                ApiErrorCode::NotFound,
                "no award has this verification code; check it was copied correctly",
            ),
            NoAward::Deleted(deleted) => crate::retention::award_gone(deleted),
        }
    }
}

/// What anyone may know about an award, by its verification code.
pub async fn public_award(
    state: &AppState,
    code: &str,
) -> Result<Result<PublicAward, NoAward>, Failure> {
    let Some(code) = parse_verification_code(code) else {
        return Ok(Err(NoAward::Malformed));
    };
    let Some(stored) = state.meta.award_by_code(&code).await? else {
        return Ok(Err(match state.meta.deleted_award(&code).await? {
            Some(deleted) => NoAward::Deleted(deleted),
            None => NoAward::Unknown,
        }));
    };
    let institution = Institutions::default()
        .get(state, stored.institution)
        .await?;
    let framework = state
        .frameworks
        .get(&stored.framework.id, &stored.framework.version)
        .map_or_else(|| stored.framework.id.clone(), |fw| fw.def().title.clone());
    let today = state.clock.now().date_naive();
    Ok(Ok(PublicAward {
        institution: institution.name,
        award: stored.record.title,
        framework,
        awarding_body: state.config.awarding_body.clone(),
        awarded_on: stored.record.awarded_on,
        expires_on: stored.record.expires_on,
        current: today <= stored.record.expires_on,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_codes_are_read_in_any_case_with_or_without_dashes() {
        let code = new_verification_code();
        assert_eq!(code.len(), CODE_CHARS + CODE_CHARS / CODE_GROUP - 1);
        assert_eq!(parse_verification_code(&code).as_deref(), Some(&*code));
        assert_eq!(
            parse_verification_code(&code.to_uppercase()).as_deref(),
            Some(&*code)
        );
        assert_eq!(
            parse_verification_code(&code.replace('-', "")).as_deref(),
            Some(&*code)
        );
        for bad in [
            "",
            "abcde-fghij-kmnpq-rstu",
            "abcde-fghij-kmnpq-rstuvw",
            "abcde-fghij-kmnpq-rstu0",
            "abcde-fghij-kmnpq-rstul",
            "abcde-fghij-kmnpq-rstu<",
            "../../../../etc/passwd",
        ] {
            assert_eq!(parse_verification_code(bad), None, "{bad}");
        }
        assert_eq!(parse_verification_code(&"a".repeat(10_000)), None);
    }
}
