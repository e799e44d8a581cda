//! The assessor's assignments, as a table.

use chrono::NaiveDate;
use waymark_protocol::api::{Assignment, AssignmentList};
use waymark_protocol::review::{ReviewState, Role};

use crate::client::Client;
use crate::error::Result;

/// The caller's assignments (unfinished ones due soonest first, then finished ones).
pub async fn assignments(client: &Client) -> Result<Vec<Assignment>> {
    let list: AssignmentList = client.get_json("/v1/assessor/assignments").await?;
    Ok(list.assignments)
}

/// Whether the review is overdue: its due date has passed and it is not finished. The one rule,
/// for the table and the app.
pub fn is_overdue(assignment: &Assignment, today: NaiveDate) -> bool {
    overdue(
        assignment.summary.review_due,
        assignment.summary.state,
        today,
    )
}

/// [`is_overdue`] from its parts.
pub fn overdue(review_due: Option<NaiveDate>, state: ReviewState, today: NaiveDate) -> bool {
    review_due.is_some_and(|due| due < today && !state.is_final())
}

/// The review-due column: the date, and `OVERDUE` once it has passed on an unfinished review.
pub fn due_text(assignment: &Assignment, today: NaiveDate) -> String {
    match assignment.summary.review_due {
        None => "-".into(),
        Some(due) if is_overdue(assignment, today) => format!("{due} OVERDUE"),
        Some(due) => due.to_string(),
    }
}

/// A role in words.
pub fn role_text(role: Role) -> &'static str {
    match role {
        Role::Assessor => "assessor",
        Role::Moderator => "moderator",
        Role::Institution => "institution",
        Role::AwardingBody => "awarding body",
    }
}

/// The table `list` prints, one line per assignment, columns aligned.
pub fn table(assignments: &[Assignment], today: NaiveDate) -> String {
    if assignments.is_empty() {
        return "No submissions are assigned to you.\n".into();
    }
    let header = [
        "SUBMISSION",
        "INSTITUTION",
        "FRAMEWORK",
        "AWARD",
        "RECEIVED",
        "REVIEW DUE",
        "STATE",
        "ROLE",
    ]
    .map(String::from);
    let mut rows = vec![header.to_vec()];
    for a in assignments {
        let s = &a.summary;
        rows.push(vec![
            s.id.to_string(),
            s.institution_name.clone(),
            format!("{} {}", s.framework.id, s.framework.version),
            s.award.clone(),
            s.received_at.date_naive().to_string(),
            due_text(a, today),
            s.state.as_str().replace('_', " "),
            role_text(a.role).into(),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use waymark_protocol::api::SubmissionSummary;
    use waymark_protocol::ids::FrameworkRef;
    use waymark_protocol::review::ReviewState;
    use waymark_protocol::{InstitutionId, SubmissionId};

    fn assignment(state: ReviewState, due: Option<NaiveDate>) -> Assignment {
        Assignment {
            summary: SubmissionSummary {
                id: SubmissionId::new(),
                institution: InstitutionId::new(),
                institution_name: "Hillside Primary".into(),
                framework: FrameworkRef {
                    id: "technology-self-review".into(),
                    version: "1.0".into(),
                },
                award: "technology-mark".into(),
                state,
                received_at: DateTime::UNIX_EPOCH,
                updated_at: DateTime::UNIX_EPOCH,
                review_due: due,
                versions: 1,
            },
            role: Role::Moderator,
            other: None,
        }
    }

    #[test]
    fn a_passed_due_date_is_overdue_only_while_the_review_is_open() {
        let due = NaiveDate::from_ymd_opt(2026, 4, 27).unwrap();
        let before = NaiveDate::from_ymd_opt(2026, 4, 27).unwrap();
        let after = NaiveDate::from_ymd_opt(2026, 4, 28).unwrap();
        let open = assignment(ReviewState::UnderReview, Some(due));
        assert_eq!(due_text(&open, before), "2026-04-27");
        assert_eq!(due_text(&open, after), "2026-04-27 OVERDUE");
        let done = assignment(ReviewState::Awarded, Some(due));
        assert_eq!(due_text(&done, after), "2026-04-27");
        assert_eq!(
            due_text(&assignment(ReviewState::Received, None), after),
            "-"
        );

        let text = table(&[open], after);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("SUBMISSION"));
        assert!(lines[1].contains("Hillside Primary"));
        assert!(lines[1].contains("technology-self-review 1.0"));
        assert!(lines[1].contains("OVERDUE"));
        assert!(lines[1].contains("under review"));
        assert!(lines[1].ends_with("moderator"));
    }
}
