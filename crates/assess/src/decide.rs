//! The assessor's and moderator's decisions, sent to the endpoint: a request for more evidence,
//! a recommendation, a moderation, a declared link.
//!
//! Before a decision on a submission the tool checks its own record of `open`: the submission
//! must have been opened (an assessor reads before deciding), the version opened must be the
//! current one (the school may have sent a new one since), and the manifest must not have named
//! the assessor. The endpoint applies the review's rules (who may take which step, in which
//! state); these checks are the part only the assessor's machine can make.

use waymark_protocol::api::{LinkDeclaration, Moderation, Recommendation, SubmissionSummary};
use waymark_protocol::review::{BenchmarkRequest, EvidenceRequest};
use waymark_protocol::{InstitutionId, SubmissionId};

use crate::error::{Error, Result};
use crate::profile;
use crate::session::Session;

/// Refuses unless the caller opened the current version of `id` and was not named in it.
pub async fn check_read(session: &Session, id: SubmissionId) -> Result<()> {
    let Some(record) = profile::opened(&session.dir, id)? else {
        return Err(Error::NotOpened(id));
    };
    if !record.named_in.is_empty() {
        return Err(Error::NotImpartial {
            submission: id,
            named_in: record.named_in,
        });
    }
    let sub = crate::open::assigned_submission(&session.client, id).await?;
    let current = sub.envelopes.last().map(|s| s.body_sha256());
    if current != Some(record.envelope_sha256) {
        return Err(Error::NewerVersion {
            submission: id,
            opened: record.version,
            current: sub.envelopes.len() as u32,
        });
    }
    Ok(())
}

/// Parses `--benchmark ID=TEXT`.
pub fn parse_benchmark(text: &str) -> Result<BenchmarkRequest> {
    let (id, message) = text.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "`{text}` is not ID=TEXT (e.g. --benchmark \"E1.S1.A1=The vision statement\")"
        ))
    })?;
    let (id, message) = (id.trim(), message.trim());
    if id.is_empty() || message.is_empty() {
        return Err(Error::Usage(format!(
            "`{text}`: both the benchmark id and what is missing are needed"
        )));
    }
    Ok(BenchmarkRequest {
        benchmark: id.to_owned(),
        message: message.to_owned(),
    })
}

/// Asks the school for more evidence.
pub async fn request_evidence(
    session: &Session,
    id: SubmissionId,
    request: &EvidenceRequest,
) -> Result<SubmissionSummary> {
    check_read(session, id).await?;
    Ok(session
        .client
        .post_json(
            &format!("/v1/assessor/submissions/{id}/request-evidence"),
            request,
        )
        .await?)
}

/// Recommends an outcome with feedback.
pub async fn recommend(
    session: &Session,
    id: SubmissionId,
    recommendation: &Recommendation,
) -> Result<SubmissionSummary> {
    check_read(session, id).await?;
    Ok(session
        .client
        .post_json(
            &format!("/v1/assessor/submissions/{id}/recommend"),
            recommendation,
        )
        .await?)
}

/// Confirms the recommendation or sends it back (the moderator).
pub async fn moderate(
    session: &Session,
    id: SubmissionId,
    moderation: &Moderation,
) -> Result<SubmissionSummary> {
    check_read(session, id).await?;
    Ok(session
        .client
        .post_json(
            &format!("/v1/assessor/submissions/{id}/moderate"),
            moderation,
        )
        .await?)
}

/// Declares a link to an institution: the caller is never assigned to it again and takes no
/// further step on its submissions.
pub async fn declare_link(
    session: &Session,
    institution: InstitutionId,
    reason: &str,
) -> Result<()> {
    Ok(session
        .client
        .post_empty(
            "/v1/assessor/links",
            &LinkDeclaration {
                institution,
                reason: reason.to_owned(),
            },
        )
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmarks_are_id_equals_text() {
        let b = parse_benchmark("E1.S1.A1 = The vision statement = agreed").unwrap();
        assert_eq!(b.benchmark, "E1.S1.A1");
        assert_eq!(b.message, "The vision statement = agreed");
        assert!(parse_benchmark("E1.S1.A1").is_err());
        assert!(parse_benchmark("=text").is_err());
        assert!(parse_benchmark("E1=").is_err());
    }
}
