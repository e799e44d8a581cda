//! The rules of the Submissions screen, decided here once: how outbox entries group into one
//! submission (a re-submission shares the endpoint's id), which stage it is at, its timeline,
//! and what a mark's card offers. Pure functions of the stored facts, tested without a window.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use waymark_core::outbox::{OutboxState, OutboxSubmission};
use waymark_protocol::api::SubmissionStatus;
use waymark_protocol::review::ReviewState;

use super::views::{
    AwardView, FeedbackView, Offer, RequestView, RequestedBenchmark, Stage, StepState,
    SubmissionView, TimelineStep, VersionView,
};

/// A stage in words.
pub fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Queued => "Queued to send",
        Stage::Uploading => "Sending",
        Stage::Received => "Received by the awarding body",
        Stage::UnderReview => "Under review",
        Stage::MoreEvidenceRequested => "More evidence requested",
        Stage::Resubmitted => "Re-submitted",
        Stage::Recommended => "Recommended",
        Stage::Awarded => "Awarded",
        Stage::NotAwarded => "Not awarded this time",
        Stage::Refused => "Refused by the awarding body",
    }
}

fn from_review(state: ReviewState) -> Stage {
    match state {
        ReviewState::Received => Stage::Received,
        ReviewState::UnderReview => Stage::UnderReview,
        ReviewState::MoreEvidenceRequested => Stage::MoreEvidenceRequested,
        ReviewState::Resubmitted => Stage::Resubmitted,
        ReviewState::Recommended => Stage::Recommended,
        ReviewState::Awarded => Stage::Awarded,
        ReviewState::NotAwarded => Stage::NotAwarded,
    }
}

/// Outbox entries grouped into submissions: entries sharing the endpoint's id (or answering
/// it) are one, oldest entry first; groups newest first.
pub fn group(all: Vec<OutboxSubmission>) -> Vec<Vec<OutboxSubmission>> {
    let mut groups: Vec<Vec<OutboxSubmission>> = Vec::new();
    let mut by_server: BTreeMap<String, usize> = BTreeMap::new();
    let mut sorted = all;
    sorted.sort_by(|a, b| a.queued_at.cmp(&b.queued_at).then(a.id.cmp(&b.id)));
    for s in sorted {
        let key = s.server_id.clone().or_else(|| s.responds_to.clone());
        match key.as_ref().and_then(|k| by_server.get(k)) {
            Some(&i) => groups[i].push(s),
            None => {
                if let Some(k) = key {
                    by_server.insert(k, groups.len());
                }
                groups.push(vec![s]);
            }
        }
    }
    groups.reverse();
    groups
}

/// The facts one submission's view is made from.
pub struct Facts<'a> {
    /// Its outbox entries, oldest first (never empty).
    pub entries: &'a [OutboxSubmission],
    /// The endpoint's last status of it.
    pub status: Option<&'a SubmissionStatus>,
    /// The outbox entry being sent right now, if any.
    pub sending: Option<&'a str>,
    /// The award's title.
    pub award_title: String,
    /// The framework, in words.
    pub framework: String,
    /// Benchmark titles by id (for the request).
    pub benchmark_title: &'a dyn Fn(&str) -> String,
    /// The endpoint's address (for the verification link).
    pub endpoint: Option<&'a str>,
    /// Today.
    pub today: NaiveDate,
}

fn stage_of(facts: &Facts<'_>) -> Stage {
    let newest = facts.entries.last();
    match newest {
        Some(s) if s.state == OutboxState::Refused => Stage::Refused,
        Some(s) if s.state == OutboxState::Queued => {
            if facts.sending == Some(s.id.as_str()) || s.bytes_sent > 0 {
                Stage::Uploading
            } else {
                Stage::Queued
            }
        }
        _ => match facts.status {
            Some(status) => from_review(status.summary.state),
            None => Stage::Received,
        },
    }
}

/// The submission's view.
pub fn view(facts: &Facts<'_>) -> Option<SubmissionView> {
    let first = facts.entries.first()?;
    let newest = facts.entries.last()?;
    let stage = stage_of(facts);
    let status = facts.status;
    let request = status
        .and_then(|s| s.request.as_ref())
        .map(|r| RequestView {
            message: r.message.clone(),
            benchmarks: r
                .benchmarks
                .iter()
                .map(|b| RequestedBenchmark {
                    benchmark_id: b.benchmark.clone(),
                    benchmark_title: (facts.benchmark_title)(&b.benchmark),
                    message: b.message.clone(),
                    request: r.message.clone(),
                    submission: status.map(|s| s.summary.id.to_string()).unwrap_or_default(),
                })
                .collect(),
        });
    // A request answered stays in the status until the assessor acts; show it only while open.
    let request = request.filter(|_| stage == Stage::MoreEvidenceRequested);
    let award_record = status.and_then(|s| s.award.as_ref()).map(|a| AwardView {
        award: a.award.clone(),
        title: a.title.clone(),
        verification_code: a.verification_code.clone(),
        verification_url: verification_url(facts.endpoint, &a.verification_code),
        awarded_on: a.awarded_on.to_string(),
        expires_on: a.expires_on.to_string(),
        days_left: (a.expires_on - facts.today).num_days(),
    });
    let feedback = status
        .and_then(|s| s.feedback.as_ref())
        .map(|f| FeedbackView {
            strengths: f.strengths.clone(),
            areas_for_development: f.areas_for_development.clone(),
            enhanced_practice: f.enhanced_practice.clone(),
        });
    let versions = facts
        .entries
        .iter()
        .map(|e| VersionView {
            id: e.id.clone(),
            queued_at: rfc3339(&e.queued_at),
            sent_at: e.sent_at.map(|t| rfc3339(&t)),
            has_receipt: e.receipt.is_some(),
            bytes_sent: e.bytes_sent,
            last_error: e.last_error.clone(),
        })
        .collect();
    let server_id = facts
        .entries
        .iter()
        .rev()
        .find_map(|e| e.server_id.clone().or_else(|| e.responds_to.clone()));
    Some(SubmissionView {
        id: newest.id.clone(),
        server_id,
        review_id: first.review_id.clone(),
        award: first.award.clone(),
        award_title: facts.award_title.clone(),
        framework: facts.framework.clone(),
        stage,
        stage_label: stage_label(stage).to_owned(),
        timeline: timeline(facts, stage),
        review_due: status
            .and_then(|s| s.summary.review_due)
            .map(|d| d.to_string()),
        request,
        feedback,
        award_record,
        versions,
        can_resubmit: stage == Stage::MoreEvidenceRequested,
        checked_at: newest.status_checked_at.map(|t| rfc3339(&t)),
    })
}

/// The public page where anyone can check an award.
pub fn verification_url(endpoint: Option<&str>, code: &str) -> String {
    match endpoint {
        Some(e) => format!("{}/awards/{code}", e.trim_end_matches('/')),
        None => code.to_owned(),
    }
}

fn timeline(facts: &Facts<'_>, stage: Stage) -> Vec<TimelineStep> {
    let first = &facts.entries[0];
    let status = facts.status;
    let resubmitted = facts.entries.len() > 1
        || status.is_some_and(|s| s.summary.versions > 1)
        || matches!(stage, Stage::MoreEvidenceRequested | Stage::Resubmitted);
    let mut steps: Vec<(Stage, Option<String>, Option<String>)> = vec![
        (Stage::Queued, Some(rfc3339(&first.queued_at)), None),
        (Stage::Uploading, None, None),
        (
            Stage::Received,
            first.sent_at.map(|t| rfc3339(&t)),
            first
                .receipt
                .as_ref()
                .map(|_| "The signed receipt is kept".to_owned()),
        ),
        (
            Stage::UnderReview,
            None,
            status
                .and_then(|s| s.summary.review_due)
                .map(|d| format!("The review is due by {}", long_date(d))),
        ),
    ];
    if resubmitted {
        steps.push((
            Stage::MoreEvidenceRequested,
            None,
            status
                .and_then(|s| s.request.as_ref())
                .map(|r| r.message.clone()),
        ));
        let answer = facts.entries.get(1);
        steps.push((
            Stage::Resubmitted,
            answer.map(|a| rfc3339(&a.queued_at)),
            None,
        ));
    }
    steps.push((Stage::Recommended, None, None));
    match stage {
        Stage::NotAwarded => steps.push((
            Stage::NotAwarded,
            None,
            Some("The feedback says what to develop before applying again".into()),
        )),
        _ => steps.push((
            Stage::Awarded,
            status
                .and_then(|s| s.award.as_ref())
                .map(|a| a.awarded_on.to_string()),
            status.and_then(|s| s.award.as_ref()).map(|a| {
                format!(
                    "Valid until {} ({})",
                    long_date(a.expires_on),
                    days_words((a.expires_on - facts.today).num_days())
                )
            }),
        )),
    }
    if stage == Stage::Refused {
        let why = facts.entries.last().and_then(|e| e.last_error.clone());
        steps.truncate(2);
        steps.push((Stage::Refused, None, why));
    }
    let current = steps.iter().position(|(s, _, _)| *s == stage);
    steps
        .into_iter()
        .enumerate()
        .map(|(i, (s, at, detail))| {
            let state = match current {
                Some(c) if i < c => StepState::Done,
                Some(c) if i == c => {
                    // A decision is where the journey ends: it is done, not in progress.
                    if matches!(s, Stage::Awarded | Stage::NotAwarded) {
                        StepState::Done
                    } else {
                        StepState::Current
                    }
                }
                _ => StepState::Upcoming,
            };
            TimelineStep {
                stage: s,
                label: stage_label(s).to_owned(),
                state,
                at,
                detail,
            }
        })
        .collect()
}

/// A time as every time in the store is written: RFC 3339 in UTC, to the millisecond, with `Z`.
pub fn rfc3339(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// "3 Mar 2027", as the UI writes dates elsewhere.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// "120 days left", "expires today", "expired 3 days ago".
pub fn days_words(days: i64) -> String {
    match days {
        0 => "expires today".into(),
        1 => "1 day left".into(),
        d if d > 1 => format!("{d} days left"),
        -1 => "expired yesterday".into(),
        d => format!("expired {} days ago", -d),
    }
}

/// What a mark's card offers, given whether the core finds it eligible and its latest
/// submission's stage.
pub fn offer(eligible: bool, latest: Option<Stage>) -> Offer {
    match latest {
        Some(Stage::MoreEvidenceRequested) => Offer::Resubmit,
        Some(Stage::NotAwarded | Stage::Refused) | None => {
            if eligible {
                Offer::Apply
            } else {
                Offer::NotYet
            }
        }
        Some(_) => Offer::Follow,
    }
}

/// Outbox entries for tests of the shell's rules.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use chrono::{TimeZone, Utc};

    /// A queued entry (`server`: sent, with that endpoint id; `responds`: a re-submission).
    pub fn entry_at(
        id: &str,
        server: Option<&str>,
        responds: Option<&str>,
        minute: u32,
    ) -> OutboxSubmission {
        OutboxSubmission {
            id: id.into(),
            review_id: "r".into(),
            award: "mark".into(),
            framework_id: "f".into(),
            framework_version: "1".into(),
            responds_to: responds.map(Into::into),
            envelope: String::new(),
            manifest: "m".into(),
            blobs: vec!["m".into()],
            summary: "{}".into(),
            state: if server.is_some() {
                OutboxState::Sent
            } else {
                OutboxState::Queued
            },
            queued_at: Utc
                .with_ymd_and_hms(2026, 1, 1, 10, minute, 0)
                .single()
                .unwrap_or_default(),
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            bytes_sent: 0,
            server_id: server.map(Into::into),
            receipt: server.map(|_| "{}".into()),
            sent_at: None,
            status: None,
            status_tag: None,
            status_checked_at: None,
        }
    }

    /// A queued entry.
    pub fn entry(id: &str) -> OutboxSubmission {
        entry_at(id, None, None, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::entry_at as entry;
    use super::*;

    fn facts<'a>(entries: &'a [OutboxSubmission], sending: Option<&'a str>) -> Facts<'a> {
        Facts {
            entries,
            status: None,
            sending,
            award_title: "Mark".into(),
            framework: "F 1".into(),
            benchmark_title: &|b: &str| b.to_owned(),
            endpoint: Some("https://e.example"),
            today: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        }
    }

    #[test]
    fn a_resubmission_is_one_submission_with_the_one_it_answers() {
        let groups = group(vec![
            entry("b", None, Some("S1"), 5),
            entry("a", Some("S1"), None, 1),
            entry("c", Some("S2"), None, 9),
        ]);
        let ids: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|e| e.id.as_str()).collect())
            .collect();
        assert_eq!(ids, vec![vec!["c"], vec!["a", "b"]]);
    }

    #[test]
    fn queued_then_sending_then_received_and_the_timeline_follows() {
        let queued = [entry("a", None, None, 1)];
        let v = view(&facts(&queued, None)).unwrap_or_else(|| panic!("a view"));
        assert_eq!(v.stage, Stage::Queued);
        assert_eq!(v.timeline[0].state, StepState::Current);
        let v = view(&facts(&queued, Some("a"))).unwrap_or_else(|| panic!("a view"));
        assert_eq!(v.stage, Stage::Uploading);
        assert_eq!(v.timeline[0].state, StepState::Done);
        assert_eq!(v.timeline[1].state, StepState::Current);
        let sent = [entry("a", Some("S1"), None, 1)];
        let v = view(&facts(&sent, None)).unwrap_or_else(|| panic!("a view"));
        assert_eq!(v.stage, Stage::Received);
        assert_eq!(v.server_id.as_deref(), Some("S1"));
        assert!(!v.can_resubmit);
        let last = v.timeline.last().map(|s| (s.stage, s.state));
        assert_eq!(last, Some((Stage::Awarded, StepState::Upcoming)));
    }

    #[test]
    fn the_card_offers_apply_resubmit_or_follow() {
        assert_eq!(offer(true, None), Offer::Apply);
        assert_eq!(offer(false, None), Offer::NotYet);
        assert_eq!(
            offer(true, Some(Stage::MoreEvidenceRequested)),
            Offer::Resubmit
        );
        assert_eq!(offer(true, Some(Stage::UnderReview)), Offer::Follow);
        assert_eq!(offer(true, Some(Stage::Awarded)), Offer::Follow);
        assert_eq!(offer(true, Some(Stage::NotAwarded)), Offer::Apply);
    }

    #[test]
    fn days_in_words() {
        assert_eq!(days_words(0), "expires today");
        assert_eq!(days_words(30), "30 days left");
        assert_eq!(days_words(-2), "expired 2 days ago");
        assert_eq!(
            verification_url(Some("https://a.example/"), "abc"),
            "https://a.example/awards/abc"
        );
    }
}
