//! `/v1/assessor/...`: an assessor's (or moderator's) assignments, what they need to verify and
//! decrypt a submission, its blobs, and the review steps. Assessor token only; a submission the
//! caller is not assigned to answers `not_found`, as if it did not exist. The rules are in
//! [`crate::review`].

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use waymark_protocol::api::{
    AssessorSubmission, AssignmentList, LinkDeclaration, Moderation, ProfileRecord, Recommendation,
    SubmissionSummary,
};
use waymark_protocol::review::EvidenceRequest;
use waymark_protocol::{ApiError, Sha256, SubmissionId};

use crate::auth::AssessorCaller;
use crate::error::ApiResult;
use crate::routes::Json;
use crate::{AppState, Failure, review};

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assignments))
        .routes(routes!(submission))
        .routes(routes!(blob))
        .routes(routes!(request_evidence))
        .routes(routes!(recommend))
        .routes(routes!(moderate))
        .routes(routes!(declare_link))
        .routes(routes!(profile))
}

/// The profile the institution of an assigned submission holds at the endpoint (its details
/// and working group, as it last corrected them; `profile_corrected` events say when).
#[utoipa::path(get, path = "/v1/assessor/submissions/{id}/profile", tag = "assessor",
    params(("id" = String, Path, description = "Submission id")),
    responses((status = 200, description = "The institution's current profile", body = ProfileRecord),
              (status = 403, description = "`forbidden`: not an assessor's token", body = ApiError),
              (status = 404, description = "`not_found`: not assigned to the caller, or the institution sent no profile", body = ApiError),
              (status = 410, description = "`submission_deleted`", body = ApiError)),
    security(("bearer" = [])))]
async fn profile(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<ProfileRecord>> {
    let id = submission_id(&raw)?;
    let institution = review::assigned_institution(&state, me, id).await?;
    Ok(axum::Json(
        crate::profile::current(&state, institution).await?,
    ))
}

fn submission_id(text: &str) -> ApiResult<SubmissionId> {
    text.parse().map_err(Failure::from)
}

/// The caller's assignments, as assessor or moderator.
#[utoipa::path(get, path = "/v1/assessor/assignments", tag = "assessor",
    responses((status = 200, description = "Unfinished ones due soonest first; finished ones after", body = AssignmentList),
              (status = 403, description = "`forbidden`: not an assessor's token", body = ApiError)),
    security(("bearer" = [])))]
async fn assignments(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
) -> ApiResult<axum::Json<AssignmentList>> {
    Ok(axum::Json(review::assignments(&state, me).await?))
}

/// An assigned submission: its envelopes as signed, the institution's key, the events (with
/// assessor ids) and the recommendation.
#[utoipa::path(get, path = "/v1/assessor/submissions/{id}", tag = "assessor",
    params(("id" = String, Path, description = "Submission id")),
    responses((status = 200, description = "The submission", body = AssessorSubmission),
              (status = 403, description = "`forbidden`: not an assessor's token", body = ApiError),
              (status = 404, description = "`not_found` (also when not assigned to the caller)", body = ApiError),
              (status = 410, description = "`submission_deleted`: deleted for retention or with its institution's erasure", body = ApiError)),
    security(("bearer" = [])))]
async fn submission(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<AssessorSubmission>> {
    let id = submission_id(&raw)?;
    Ok(axum::Json(
        review::assessor_submission(&state, me, id).await?,
    ))
}

/// One blob of an assigned submission, as stored: age ciphertext, streamed. Only blobs listed in
/// one of the submission's envelopes are served.
#[utoipa::path(get, path = "/v1/assessor/submissions/{id}/blobs/{sha256}", tag = "assessor",
    params(("id" = String, Path, description = "Submission id"),
           ("sha256" = String, Path, description = "SHA-256 of the ciphertext (64 hex digits)")),
    responses((status = 200, description = "The ciphertext", content_type = "application/octet-stream", body = Vec<u8>),
              (status = 403, description = "`forbidden`: not an assessor's token", body = ApiError),
              (status = 404, description = "`not_found`: not assigned to the caller, or not a blob of this submission", body = ApiError)),
    security(("bearer" = [])))]
async fn blob(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
    Path((raw, hash)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = submission_id(&raw)?;
    let sha256: Sha256 = hash.parse().map_err(Failure::from)?;
    let (institution, listed) = review::assigned_blob(&state, me, id, sha256).await?;
    let (stored, stream) = crate::blobs::read(&state, institution, sha256).await?;
    if stored.size != listed.size {
        return Err(Failure::internal(format!(
            "blob {sha256} is held with size {} but listed with size {}",
            stored.size, listed.size
        )));
    }
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(stored.size));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// Asks the school for more evidence (the assessor): `under_review` or `resubmitted` →
/// `more_evidence_requested`.
#[utoipa::path(post, path = "/v1/assessor/submissions/{id}/request-evidence", tag = "assessor",
    params(("id" = String, Path, description = "Submission id")),
    request_body = EvidenceRequest,
    responses((status = 200, description = "Requested; the submission after", body = SubmissionSummary),
              (status = 400, description = "`bad_request`: an empty message or an unknown benchmark", body = ApiError),
              (status = 403, description = "`forbidden`: the moderator, or not an assessor's token", body = ApiError),
              (status = 404, description = "`not_found` (also when not assigned to the caller)", body = ApiError),
              (status = 409, description = "`transition_not_allowed` (the message names the state) or `not_impartial`", body = ApiError)),
    security(("bearer" = [])))]
async fn request_evidence(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Json(request): Json<EvidenceRequest>,
) -> ApiResult<axum::Json<SubmissionSummary>> {
    let id = submission_id(&raw)?;
    let record = review::request_evidence(&state, me, id, request).await?;
    Ok(axum::Json(review::summary_of(&state, &record).await?))
}

/// Recommends an outcome with feedback (the assessor): `under_review` or `resubmitted` →
/// `recommended`.
#[utoipa::path(post, path = "/v1/assessor/submissions/{id}/recommend", tag = "assessor",
    params(("id" = String, Path, description = "Submission id")),
    request_body = Recommendation,
    responses((status = 200, description = "Recommended; the submission after", body = SubmissionSummary),
              (status = 400, description = "`bad_request`: strengths or areas for development missing", body = ApiError),
              (status = 403, description = "`forbidden`: the moderator, or not an assessor's token", body = ApiError),
              (status = 404, description = "`not_found` (also when not assigned to the caller)", body = ApiError),
              (status = 409, description = "`transition_not_allowed` (the message names the state) or `not_impartial`", body = ApiError)),
    security(("bearer" = [])))]
async fn recommend(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Json(recommendation): Json<Recommendation>,
) -> ApiResult<axum::Json<SubmissionSummary>> {
    let id = submission_id(&raw)?;
    let record = review::recommend(&state, me, id, recommendation).await?;
    Ok(axum::Json(review::summary_of(&state, &record).await?))
}

/// Moderates the recommendation (the moderator, never the assessor): `confirm` makes it final
/// (`awarded` or `not_awarded`), `send_back` returns it to the assessor (`under_review`).
#[utoipa::path(post, path = "/v1/assessor/submissions/{id}/moderate", tag = "assessor",
    params(("id" = String, Path, description = "Submission id")),
    request_body = Moderation,
    responses((status = 200, description = "Moderated; the submission after", body = SubmissionSummary),
              (status = 400, description = "`bad_request`: a send-back without a reason", body = ApiError),
              (status = 403, description = "`forbidden`: the assessor, or not an assessor's token", body = ApiError),
              (status = 404, description = "`not_found` (also when not assigned to the caller)", body = ApiError),
              (status = 409, description = "`transition_not_allowed` (the message names the state) or `not_impartial`", body = ApiError)),
    security(("bearer" = [])))]
async fn moderate(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Json(moderation): Json<Moderation>,
) -> ApiResult<axum::Json<SubmissionSummary>> {
    let id = submission_id(&raw)?;
    let record = review::moderate(&state, me, id, moderation).await?;
    Ok(axum::Json(review::summary_of(&state, &record).await?))
}

/// Declares a link to an institution (contributed to its self-review, a governor, …): the
/// caller is never assigned to it, and takes no further step on its submissions.
#[utoipa::path(post, path = "/v1/assessor/links", tag = "assessor",
    request_body = LinkDeclaration,
    responses((status = 204, description = "Declared"),
              (status = 400, description = "`bad_request`: no reason given", body = ApiError),
              (status = 403, description = "`forbidden`: not an assessor's token", body = ApiError),
              (status = 404, description = "`not_found`: no such institution", body = ApiError)),
    security(("bearer" = [])))]
async fn declare_link(
    AssessorCaller(me): AssessorCaller,
    State(state): State<AppState>,
    Json(link): Json<LinkDeclaration>,
) -> ApiResult<StatusCode> {
    review::declare_link(&state, me, link).await?;
    Ok(StatusCode::NO_CONTENT)
}
