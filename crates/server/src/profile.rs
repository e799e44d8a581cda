//! Rectification: an institution sends the current statement of its details and working group
//! (`PUT /v1/school/profile`, an [`InstitutionProfile`]); the endpoint checks every field,
//! keeps the current profile (a correction replaces what it corrects; older versions are not
//! kept) and, when something changed, records a `profile_corrected` event naming the changed
//! fields in each of the institution's submissions still under review, so their assessors see
//! it. The values themselves are read from the profile (an assigned assessor's
//! `GET /v1/assessor/submissions/{id}/profile`), never copied into the event stream.
//!
//! The registration (the name and URN the awarding body registered, which certificates and the
//! public award page show) is the awarding body's record and is not changed by a correction:
//! the administrator sees the corrected profile and the event, and registers anew if needed.
//!
//! Every field is checked at once; a refusal is `422 invalid_profile` listing each field with
//! its own code ([`FieldProblemCode`]). The same profile sent again changes nothing and records
//! nothing (a retried request is harmless).

use waymark_protocol::api::{
    FieldProblem, FieldProblemCode, InstitutionProfile, PROFILE_FORMAT, ProfileRecord,
    WorkingGroupMember,
};
use waymark_protocol::{InstitutionId, SubmissionId};

use crate::meta::privacy::StoredProfile;
use crate::{AppState, Failure};

/// Longest name, contact name or role (characters), as the school's app allows.
pub const MAX_NAME: usize = 200;
/// Longest email (characters).
pub const MAX_EMAIL: usize = 254;
/// Longest identifier (characters), as the school's app allows.
pub const MAX_IDENTIFIER: usize = 32;
/// Most members of the working group.
pub const MAX_MEMBERS: usize = 200;

#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, field: &str, code: FieldProblemCode, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.to_owned(),
            code,
            message: message.into(),
        });
    }

    /// Trimmed text, checked for length and control characters; `None` when empty.
    fn text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        if value.chars().count() > max {
            self.add(
                field,
                FieldProblemCode::TooLong,
                format!("this is over {max} characters; shorten it"),
            );
        } else if value.chars().any(char::is_control) {
            self.add(
                field,
                FieldProblemCode::ControlCharacters,
                "this holds control characters (a line break, a tab); remove them",
            );
        }
        Some(value.to_owned())
    }

    fn required(&mut self, field: &str, value: &str, max: usize, what: &str) -> String {
        match self.text(field, Some(value), max) {
            Some(value) => value,
            None => {
                self.add(field, FieldProblemCode::Required, format!("enter {what}"));
                String::new()
            }
        }
    }

    fn email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = self.text(field, value, MAX_EMAIL)?;
        if !is_email_shaped(&value) {
            self.add(
                field,
                FieldProblemCode::NotAnEmail,
                format!(
                    "{:?} is not an email address; use the form name@school.org.uk",
                    value.chars().take(80).collect::<String>()
                ),
            );
        }
        Some(value)
    }
}

/// As the school's app checks an email: something@domain.tld, no spaces.
fn is_email_shaped(email: &str) -> bool {
    email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !email.contains(char::is_whitespace)
}

/// Checks every field of `profile` and returns it as it is stored (texts trimmed, empty
/// optional texts as `None`), or `invalid_profile` with every problem.
pub fn check(profile: &InstitutionProfile) -> Result<InstitutionProfile, Failure> {
    let mut p = Problems::default();
    if profile.format != PROFILE_FORMAT {
        p.add(
            "format",
            FieldProblemCode::UnsupportedFormat,
            format!(
                "this endpoint reads profile format {PROFILE_FORMAT}, not {}; update Waymark",
                profile.format
            ),
        );
    }
    let name = p.required(
        "name",
        &profile.name,
        MAX_NAME,
        "the institution's name, as it should appear on certificates",
    );
    let identifier = p.text("identifier", profile.identifier.as_deref(), MAX_IDENTIFIER);
    if let Some(id) = &identifier
        && !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
    {
        p.add(
            "identifier",
            FieldProblemCode::NotAnIdentifier,
            "enter a reference number such as a URN (6 digits) or UKPRN (8 digits), or leave it empty",
        );
    }
    let contact_name = p.text("contact_name", profile.contact_name.as_deref(), MAX_NAME);
    let email = p.email("email", profile.email.as_deref());
    let role = p.text("role", profile.role.as_deref(), MAX_NAME);
    if profile.working_group.len() > MAX_MEMBERS {
        p.add(
            "working_group",
            FieldProblemCode::TooMany,
            format!(
                "the working group has {} members; at most {MAX_MEMBERS} are accepted",
                profile.working_group.len()
            ),
        );
    }
    let working_group = profile
        .working_group
        .iter()
        .take(MAX_MEMBERS)
        .enumerate()
        .map(|(i, member)| WorkingGroupMember {
            name: p.required(
                &format!("working_group[{i}].name"),
                &member.name,
                MAX_NAME,
                "the member's name",
            ),
            role: p.text(
                &format!("working_group[{i}].role"),
                member.role.as_deref(),
                MAX_NAME,
            ),
            email: p.email(
                &format!("working_group[{i}].email"),
                member.email.as_deref(),
            ),
        })
        .collect();
    if !p.0.is_empty() {
        return Err(Failure::invalid_profile(p.0));
    }
    Ok(InstitutionProfile {
        format: PROFILE_FORMAT,
        name,
        identifier,
        phase: profile.phase,
        contact_name,
        email,
        role,
        working_group,
    })
}

fn record(
    institution: InstitutionId,
    stored: StoredProfile,
    changed: Vec<String>,
    recorded_in: Vec<SubmissionId>,
) -> ProfileRecord {
    ProfileRecord {
        institution,
        profile: stored.profile,
        version: stored.version,
        corrected_at: stored.corrected_at,
        changed,
        recorded_in,
    }
}

/// Records the caller's profile (see the module's header).
pub async fn correct(
    state: &AppState,
    caller: InstitutionId,
    profile: &InstitutionProfile,
) -> Result<ProfileRecord, Failure> {
    let profile = check(profile)?;
    let outcome = state
        .meta
        .correct_profile(caller, &profile, state.clock.now())
        .await?
        .ok_or_else(|| Failure::internal(format!("institution {caller} of a token is missing")))?;
    if !outcome.changed.is_empty() {
        tracing::info!(
            institution = %caller,
            version = outcome.stored.version,
            fields = ?outcome.changed,
            "profile corrected"
        );
    }
    Ok(record(
        caller,
        outcome.stored,
        outcome.changed,
        outcome.recorded_in,
    ))
}

/// The institution's current profile (`changed` and `recorded_in` empty), or `not_found`
/// when it never sent one.
pub async fn current(
    state: &AppState,
    institution: InstitutionId,
) -> Result<ProfileRecord, Failure> {
    let stored = state.meta.profile(institution).await?.ok_or_else(|| {
        Failure::new(
            waymark_protocol::ApiErrorCode::NotFound,
            "this institution has not sent a profile (PUT /v1/school/profile)",
        )
    })?;
    Ok(record(institution, stored, Vec::new(), Vec::new()))
}

#[cfg(test)]
mod tests {
    use waymark_protocol::api::Phase;

    use super::*;

    fn profile() -> InstitutionProfile {
        InstitutionProfile {
            format: PROFILE_FORMAT,
            name: "  Ysgol y Bryn ".into(),
            identifier: Some("100001".into()),
            phase: Some(Phase::Primary),
            contact_name: Some(" ".into()),
            email: Some("head@bryn.example".into()),
            role: None,
            working_group: vec![WorkingGroupMember {
                name: "Mr Evans".into(),
                role: Some("Computing lead".into()),
                email: None,
            }],
        }
    }

    #[test]
    fn a_good_profile_is_trimmed_and_empty_texts_are_none() {
        let checked = check(&profile()).unwrap();
        assert_eq!(checked.name, "Ysgol y Bryn");
        assert_eq!(checked.contact_name, None);
    }

    #[test]
    fn every_bad_field_is_named_with_its_own_code() {
        let mut bad = profile();
        bad.format = 9;
        bad.name = "   ".into();
        bad.identifier = Some("12 34".into());
        bad.email = Some("head@".into());
        bad.role = Some("x".repeat(201));
        bad.contact_name = Some("Mrs\u{7}Jones".into());
        bad.working_group.push(WorkingGroupMember {
            name: String::new(),
            role: None,
            email: Some("evans at bryn".into()),
        });
        let failure = check(&bad).unwrap_err();
        assert_eq!(failure.code, waymark_protocol::ApiErrorCode::InvalidProfile);
        let got: Vec<(String, FieldProblemCode)> = failure
            .problems
            .unwrap()
            .into_iter()
            .map(|p| (p.field, p.code))
            .collect();
        let want = [
            ("format", FieldProblemCode::UnsupportedFormat),
            ("name", FieldProblemCode::Required),
            ("identifier", FieldProblemCode::NotAnIdentifier),
            ("contact_name", FieldProblemCode::ControlCharacters),
            ("email", FieldProblemCode::NotAnEmail),
            ("role", FieldProblemCode::TooLong),
            ("working_group[1].name", FieldProblemCode::Required),
            ("working_group[1].email", FieldProblemCode::NotAnEmail),
        ];
        assert_eq!(
            got,
            want.map(|(f, c)| (f.to_owned(), c)).to_vec(),
            "in the order of the fields"
        );
    }

    #[test]
    fn too_many_members_is_one_problem() {
        let mut many = profile();
        many.working_group = vec![many.working_group[0].clone(); MAX_MEMBERS + 1];
        let problems = check(&many).unwrap_err().problems.unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, FieldProblemCode::TooMany);
    }
}
